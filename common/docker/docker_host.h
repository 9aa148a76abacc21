#pragma once
// Where the Docker Engine API is (DOCKER_HOST, as the docker CLI reads it): a Unix socket
// ("unix:///var/run/docker.sock", the default) or TCP ("tcp://host:2375"), with TLS when
// DOCKER_TLS_VERIFY is on (https, the daemon verified against ca.pem, our client certificate
// cert.pem/key.pem from DOCKER_CERT_PATH, as `docker --tlsverify` does).
#include <string>
#include <string_view>

#include "common/core/result.h"

namespace fhc::docker {

inline constexpr const char* kDefaultDockerHost = "unix:///var/run/docker.sock";

struct Endpoint {
  std::string unix_socket;  // set for unix://
  std::string base_url;  // "http://docker" for a socket (the CLI's Host), else http(s)://host:port
  std::string ca_file, cert_file, key_file;  // set with TLS
};

// The error names DOCKER_HOST and says what is accepted. With tls, tcp:// becomes https:// (its
// default port 2376, as the CLI's) and unix:// is an error.
Result<Endpoint> ParseDockerHost(std::string_view value, bool tls = false);

// Empty when the socket can be used; else why not ("no socket at ...", "... is not a socket",
// "permission denied: ... is not writable by this user"): the program refuses to start.
std::string CheckSocket(const std::string& path);

}  // namespace fhc::docker
