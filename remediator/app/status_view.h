#pragma once
// What /api/v1/state and the status page show: targets, open incidents, the last decisions with
// every gate's verdict, restarts in the last hour, circuit state, the outbox. Pure.
#include <string>

#include "common/clock/clock.h"
#include "remediator/app/remediator_config.h"
#include "remediator/decision/engine.h"
#include "remediator/state/state.h"

namespace fhc::remediator {

// The stored state document plus, per target, "circuit_open" and "restarts_last_hour", and
// "generated_at", "action", "state_store", "redacted" at the top. Redacted, each outbox mail
// keeps only id, target, subject, queued_at, attempts and last_error: no recipients, sender,
// headers or body (see StateAccessFor).
std::string RenderStateJson(const State& state, const Engine& engine,
                            const RemediatorConfig& config, WallTime now, bool redacted);
// The same for a person: plain HTML, no JavaScript.
std::string RenderStatusPage(const State& state, const Engine& engine,
                             const RemediatorConfig& config, WallTime now);

std::string HtmlEscape(const std::string& text);

}  // namespace fhc::remediator
