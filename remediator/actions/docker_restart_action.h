#pragma once
// RESTART_ACTION=docker: restarts Frigate's container through the Docker Engine API as
// `docker restart -t N` does (POST /v1.xx/containers/{name}/restart?t=N, 204 once stopped and
// started again), and learns the facts from `GET /containers/{name}/json`. Only that container,
// by name: never a list, never another container.
//
// Facts: Frigate's start is State.StartedAt, but only for a container that is running and that
// Docker is not handling itself. A container Docker is restarting (State.Restarting: its restart
// policy at work, RestartCount rising), a paused one (someone paused it on purpose) and an
// exited/dead/created one (stopped on purpose, or not ours to start) give no start time and an
// error saying so; facts.frigate_started_at_required makes the startup grace gate block on that
// (fail closed), so such a container is left alone with the reason in the decision and the mail.
// A running container whose RestartCount rose since the previous observation (an earlier
// GatherFacts or NoteObservation of the same container ID) was restarted by Docker's restart
// policy in between: it is left alone the same way, saying so. The first look has nothing to
// compare with; a recreated container (new ID) starts over. Our own restart does not raise
// RestartCount (Docker counts only its policy's restarts).
// The Kubernetes-only gates are "not applicable" (uses_kubernetes() is false).
#include <mutex>
#include <optional>
#include <string>

#include "common/clock/clock.h"
#include "common/docker/docker_client.h"
#include "remediator/actions/restart_action.h"

namespace fhc::remediator {

class DockerRestartAction final : public RestartAction {
 public:
  // stop_timeout_seconds: the t of the restart (how long Docker waits after SIGTERM). label: find
  // the container by this label instead of `container` (DOCKER_CONTAINER_LABEL), on every call.
  DockerRestartAction(docker::Client& docker, std::string container, int stop_timeout_seconds,
                      std::string label = "");

  // Second evidence of recovery (FRIGATE_URL): once the container runs again, Frigate itself
  // must answer with an uptime that fits inside the time since the request, as the frigate-api
  // action checks it. Not owned; null: the container's StartedAt alone.
  void set_frigate_evidence(RestartAction* frigate) { frigate_ = frigate; }

  std::string name() const override { return "docker"; }
  bool uses_kubernetes() const override { return false; }
  Result<RestartReceipt> Restart(const Target& target, WallTime now) override;
  // Recovered when the container runs again with a StartedAt at or after the request and, with
  // Frigate evidence set, Frigate answers with a fresh uptime.
  Result<RecoveryStatus> CheckRecovery(const Target& target,
                                       const RestartReceipt& receipt) override;
  Result<TargetFacts> GatherFacts(const Target& target) override;
  // Inspects the container to remember its RestartCount for the next observation.
  void NoteObservation(const Target& target) override;
  // True when the container started at or after the intent timestamp (second precision).
  Result<bool> RestartHappened(const Target& target, const std::string& intent_timestamp) override;

 private:
  Result<docker::ContainerInfo> Inspect();
  // The RestartCount seen at the previous look at container c (same ID), remembering c's.
  std::optional<long> PreviousRestartCount(const docker::ContainerInfo& c);

  docker::Client& docker_;
  std::string container_;
  int stop_timeout_seconds_;
  std::string label_;
  RestartAction* frigate_ = nullptr;
  std::mutex seen_mu_;  // webhook and restart worker threads both look
  std::string seen_id_;
  long seen_restart_count_ = 0;
};

// Why Docker's own state says "leave it alone", or "" when the container runs normally. Pure.
// previous_restart_count: the container's RestartCount at the previous observation, if any.
std::string DockerLeaveAloneReason(const docker::ContainerInfo& c,
                                   std::optional<long> previous_restart_count = std::nullopt);

}  // namespace fhc::remediator
