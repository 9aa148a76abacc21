#include "common/docker/docker_host.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/settings/settings.h"

namespace fhc::docker {

Result<Endpoint> ParseDockerHost(std::string_view value, bool tls) {
  const auto bad = [&](const char* why) {
    return Result<Endpoint>::Error(settings::InvalidSettingMessage(
        "DOCKER_HOST", std::string(value),
        std::string("unix:///path/to/docker.sock or tcp://host:port (") + why + ")"));
  };
  Endpoint e;
  if (value.rfind("unix://", 0) == 0) {
    e.unix_socket = std::string(value.substr(7));
    if (e.unix_socket.empty() || e.unix_socket.front() != '/') return bad("an absolute path");
    if (tls) return bad("tcp:// with DOCKER_TLS_VERIFY; a socket takes no TLS");
    e.base_url = "http://docker";
    return e;
  }
  if (value.rfind("tcp://", 0) == 0) {
    std::string hostport(value.substr(6));
    while (!hostport.empty() && hostport.back() == '/') hostport.pop_back();
    const auto colon = hostport.rfind(':');
    if (hostport.empty() || hostport.find('/') != std::string::npos) return bad("host:port");
    if (colon == std::string::npos) hostport += tls ? ":2376" : ":2375";  // the CLI's defaults
    e.base_url = (tls ? "https://" : "http://") + hostport;
    return e;
  }
  return bad("no other scheme");
}

std::string CheckSocket(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    if (errno == EACCES) {
      return "permission denied: a directory on the way to " + path +
             " is not searchable by this user";
    }
    return "no socket at " + path + " (is the Docker socket mounted into this container?)";
  }
  if (!S_ISSOCK(st.st_mode)) return path + " is not a socket";
  if (access(path.c_str(), W_OK) != 0) {
    return "permission denied: " + path +
           " is not writable by this user (run with the socket's group, e.g. --group-add)";
  }
  return "";
}

}  // namespace fhc::docker
