#pragma once
// What `GET /containers/{name}/json` (docker inspect) says about a container, as far as this
// project needs it (moby api/types ContainerJSON: State, RestartCount, Name, Config).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/result.h"
#include "common/docker/docker_time.h"

namespace fhc::docker {

struct ContainerInfo {
  std::string id;
  std::string name;    // without the leading slash the API gives it
  std::string status;  // State.Status: created, running, paused, restarting, removing, exited, dead
  bool running = false;
  bool paused = false;
  bool restarting = false;
  std::optional<DockerTime> started_at;  // nullopt when never started (Go's zero time)
  long restart_count = 0;                // restarts by Docker's restart policy
  bool tty = false;                      // Config.Tty: the log is a raw stream, not framed
  std::map<std::string, std::string> labels;
};

// Errors for non-JSON, a missing Id or State: the caller reports it, never guesses.
Result<ContainerInfo> ParseContainerInfo(std::string_view json_text);

// One entry of `GET /containers/json` (docker ps).
struct ContainerSummary {
  std::string id;
  std::string name;  // the first of Names, without its leading slash
  std::string state;
};
Result<std::vector<ContainerSummary>> ParseContainerList(std::string_view json_text);

// The `filters` parameter selecting containers with a label, as the docker CLI sends it:
// {"label":{"key=value":true}}.
std::string ContainerLabelFilter(const std::string& label);

// The Engine API's error body {"message": "..."}; the raw body (shortened) when it is not one.
std::string ErrorMessage(std::string_view body);

}  // namespace fhc::docker
