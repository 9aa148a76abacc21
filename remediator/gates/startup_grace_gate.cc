#include "remediator/gates/startup_grace_gate.h"

#include <algorithm>
#include <string>

namespace fhc::remediator {

Verdict StartupGraceGate::Decide(const GateContext& ctx) const {
  const long grace = static_cast<long>(ctx.settings.startup_grace.count());
  if (ctx.facts && ctx.facts->kubernetes && !ctx.facts->frigate_started_at) {
    const std::string why = !ctx.facts->frigate_started_at_error.empty()
                                ? ctx.facts->frigate_started_at_error
                                : "Frigate's container reports no start";
    return Block(*this, "Frigate's start time is unknown: " + why + " (fail closed)");
  }
  if (!ctx.facts || !ctx.facts->frigate_started_at) {
    std::string why = ctx.facts && !ctx.facts->frigate_started_at_error.empty()
                          ? ctx.facts->frigate_started_at_error
                          : "not reported";
    if (ctx.facts && ctx.facts->frigate_started_at_required) {
      return Block(*this, "Frigate's start time is unknown (" + why + "); fail closed");
    }
    return Pass(*this, "Frigate's start time is unknown (" + why +
                           "); not holding the restart back for it");
  }
  const auto age =
      std::chrono::duration_cast<std::chrono::seconds>(ctx.now - *ctx.facts->frigate_started_at);
  const std::string source = ctx.facts->frigate_started_at_source.empty()
                                 ? ""
                                 : " (from " + ctx.facts->frigate_started_at_source + ")";
  if (age.count() >= grace) {
    return Pass(*this, "Frigate started " + std::to_string(age.count()) + " s ago" + source +
                           ", past the " + std::to_string(grace) + " s grace period");
  }
  // A start in the future (clock skew) counts as "just started".
  const long left = grace - std::max<long>(0, static_cast<long>(age.count()));
  return Block(*this, "Frigate started " + std::to_string(std::max<long>(0, age.count())) +
                          " s ago" + source + ", within the " + std::to_string(grace) +
                          " s grace period (" + std::to_string(left) + " s left)");
}

}  // namespace fhc::remediator
