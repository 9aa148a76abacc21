#pragma once
// The Docker settings both programs take: DOCKER_HOST and DOCKER_CONTAINER.
#include <map>
#include <string>
#include <vector>

#include "common/core/result.h"
#include "common/docker/docker_host.h"
#include "common/settings/settings.h"

namespace fhc::docker {

std::vector<settings::Spec> DockerSpecs();

// The endpoint to use: the DOCKER_HOST setting when given explicitly, else the process's plain
// DOCKER_HOST environment variable (as the docker CLI reads it), else the default socket. A Unix
// socket must exist and be writable: otherwise an error naming DOCKER_HOST (the program exits 2).
// TLS: the DOCKER_TLS_VERIFY setting ("" = the environment's DOCKER_TLS_VERIFY, which the CLI
// treats as on when non-empty) with ca.pem, cert.pem and key.pem in the DOCKER_CERT_PATH setting
// ("" = the environment's DOCKER_CERT_PATH, else ~/.docker); each file must be readable.
Result<Endpoint> EndpointFromSettings(const std::string& docker_host_setting,
                                      const std::map<std::string, std::string>& env,
                                      const std::string& tls_verify_setting = "",
                                      const std::string& cert_path_setting = "");

}  // namespace fhc::docker
