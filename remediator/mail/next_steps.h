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
  // Steps with placeholders {namespace}, {deployment}, {pod}, {node}, {frigate}.
  std::vector<const char*> steps;
};

// The guide for a reason. Accepts the reason label ("inference_slow") or an alert name
// ("FrigateInferenceSlow", "frigate_inference_slow"); anything else gets the generic guide.
const ReasonGuide& GuideFor(std::string_view reason_or_alertname);

// Every reason with its own guide (for tests and documentation).
const std::vector<ReasonGuide>& AllGuides();

}  // namespace fhc::remediator
