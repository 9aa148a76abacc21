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
Result<Endpoint> EndpointFromSettings(const std::string& docker_host_setting,
                                      const std::map<std::string, std::string>& env);

}  // namespace fhc::docker
