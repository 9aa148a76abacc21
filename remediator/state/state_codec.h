#pragma once
// The state's JSON form: {"schema": 1, "targets": {...}, "outbox": [...], ...}. Times are
// RFC 3339 UTC strings with milliseconds (readable in a ConfigMap; sub-millisecond parts are
// dropped on encode).
#include <string>
#include <string_view>

#include "common/core/result.h"
#include "remediator/state/state.h"

namespace fhc::remediator {

std::string EncodeState(const State& state);

// Decodes what EncodeState wrote. Any deviation (not JSON, another schema, a missing required
// field, a wrong type, a bad time) is an error naming the place, e.g.
// "targets.nvr/frigate.restart_times[1]: expected an RFC 3339 time"; the caller then moves the
// corrupt document aside and starts from an empty state.
Result<State> DecodeState(std::string_view json);

// RFC 3339 UTC with milliseconds, e.g. "2026-11-28T06:40:44.425Z".
std::string FormatStateTime(WallTime t);

}  // namespace fhc::remediator
