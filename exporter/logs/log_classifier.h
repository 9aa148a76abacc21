#pragma once
// Additions to the classifier API of log_event.h (ClassifyLine, EventName live there).
#include <string_view>
#include <vector>

#include "exporter/logs/log_event.h"

namespace fhc::exporter {

// Every literal the classifier looks for, one per wording (used by the benchmark to run
// `grep -c -F` with exactly the same patterns, and by tests to prove each wording is covered).
std::vector<std::string_view> ClassifierLiterals();

// All kinds, in enum order (for exposing every kind with 0 so rate() works from the start).
const std::vector<LogEventKind>& AllLogEventKinds();

// True for the kinds that are recording-backlog lines (every wording the versions used).
bool IsRecordingBacklog(LogEventKind kind);

}  // namespace fhc::exporter
