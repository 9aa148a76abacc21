#pragma once
// What a person should do for each health reason: one table, one row per reason.
#include <string>
#include <string_view>
#include <vector>

namespace fhc::remediator {

enum class RestartHelps { kYes, kSometimes, kNo };

struct ReasonGuide {
  const char* reason;  // "detector_stuck", ... ; "" for the generic fallback
  const char* title;   // one line: what the reason means
  RestartHelps restart_helps;
  const char* restart_note;  // why a restart does or does not fix it
  // Steps with placeholders {namespace}, {deployment}, {pod}, {container}, {node}, {frigate}.
  std::vector<const char*> steps;
};

// What a person can do about the gate that blocked a restart, and how the remediator goes on by
// itself (it always does: every notification is decided afresh). One row per gate.
struct GateGuide {
  const char* gate;  // "node_ready", ...; "" for the fallback
  // Placeholders as in ReasonGuide::steps, plus {container}.
  const char* step;
  const char* retry;  // when the remediator restarts again without anyone's help
};

// The guide for a gate (the fallback for a gate without its own row).
const GateGuide& GuideForGate(std::string_view gate);
const std::vector<GateGuide>& AllGateGuides();

// The guide for a reason. Accepts the reason label ("inference_slow") or an alert name
// ("FrigateInferenceSlow", "frigate_inference_slow"); anything else gets the generic guide.
const ReasonGuide& GuideFor(std::string_view reason_or_alertname);

// Every reason with its own guide (for tests and documentation).
const std::vector<ReasonGuide>& AllGuides();

}  // namespace fhc::remediator
