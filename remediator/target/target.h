#pragma once
// The thing the remediator acts on, and what the outside world says about it at decision time.
// Gathered at the edges (Kubernetes API, Frigate API), consumed by pure gates.
#include <optional>
#include <string>

#include "common/clock/clock.h"

namespace fhc::remediator {

struct Target {
  std::string namespace_;
  std::string deployment;
  std::string Key() const { return namespace_ + "/" + deployment; }
  bool operator==(const Target&) const = default;
  bool operator<(const Target& o) const { return Key() < o.Key(); }
};

// Facts about a target, each optional: an absent fact means "could not be found out" (the gate
// that needs it decides whether that blocks). `error` fields say why it is absent.
struct TargetFacts {
  // Whether the action in use talks to Kubernetes (gates that need Kubernetes are "not
  // applicable" otherwise).
  bool kubernetes = false;

  // Frigate's start: the Frigate container's state.running.startedAt, or derived from Frigate's
  // reported uptime (now - service.uptime).
  std::optional<WallTime> frigate_started_at;
  std::string frigate_started_at_source;  // "container <name>" | "frigate-uptime"
  std::string frigate_started_at_error;
  // Whether an unknown start blocks the restart (fail closed). Set by actions whose facts say
  // why they are missing in a way that must hold the restart back (docker: a container Docker
  // is restarting, or that is paused or stopped).
  bool frigate_started_at_required = false;

  // The Frigate pod: found by the target's own Deployment's spec.selector (or the
  // POD_LABEL_SELECTOR override); pod_error says why none was found.
  std::string pod_selector;  // the selector used, "" when none could be had
  std::string pod_name;
  std::string pod_error;
  bool pod_ready = false;
  // Frigate's container in that pod (FRIGATE_CONTAINER, or the one named like the deployment,
  // else "frigate"), as the kubelet reports it.
  std::string container_name;
  std::string container_state;             // "running" | "waiting" | "terminated" | ""
  std::string container_reason;            // e.g. "CrashLoopBackOff"
  std::string container_last_termination;  // e.g. "OOMKilled"
  int container_restarts = 0;
  bool container_ready = false;

  // Its node.
  std::string node_name;
  std::optional<std::string> node_ready;  // "True" | "False" | "Unknown"
  std::string node_ready_reason;
  bool node_unschedulable = false;
  std::string node_error;

  // The deployment.
  std::optional<bool> deployment_paused;
  std::optional<bool> rollout_in_progress;  // a rollout (ours or anyone's) not yet complete
  bool rollout_failed = false;              // Progressing=False, ProgressDeadlineExceeded
  std::string rollout_message;              // how the rollout stands, in kubectl's words
  std::string deployment_error;
};

}  // namespace fhc::remediator
