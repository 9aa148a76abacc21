#pragma once
// Where the Docker Engine API is (DOCKER_HOST, as the docker CLI reads it): a Unix socket
// ("unix:///var/run/docker.sock", the default) or plain TCP ("tcp://host:2375"). TLS
// (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) is not supported yet: tcp:// is plain HTTP.
#include <string>
#include <string_view>

#include "common/core/result.h"

namespace fhc::docker {

inline constexpr const char* kDefaultDockerHost = "unix:///var/run/docker.sock";

struct Endpoint {
  std::string unix_socket;  // set for unix://
  std::string base_url;     // "http://docker" for a socket (the CLI's Host), else http://host:port
};

// The error names DOCKER_HOST and says what is accepted.
Result<Endpoint> ParseDockerHost(std::string_view value);

// Empty when the socket can be used; else why not ("no socket at ...", "... is not a socket",
// "permission denied: ... is not writable by this user"): the program refuses to start.
std::string CheckSocket(const std::string& path);

}  // namespace fhc::docker
