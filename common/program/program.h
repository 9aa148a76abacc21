#pragma once
// What both programs do at start and stop: parse settings (printing --help/--version, exiting 2
// on a bad value), set up logging, and wait for SIGINT/SIGTERM.
#include <csignal>
#include <optional>
#include <string>
#include <vector>

#include "common/settings/settings.h"

namespace fhc::program {

// Blocks SIGINT and SIGTERM in the calling thread; call first in main(), before any thread
// starts, so every thread inherits the mask and WaitForStopSignal() receives them.
void BlockStopSignals();
// Caps glibc's malloc arenas at two (unless MALLOC_ARENA_MAX is set); call before any thread
// starts. glibc gives threads that allocate arenas of their own, up to eight per core, and keeps
// freed memory in each: with the HTTP server's 256 workers every scrape or webhook lands on
// another worker, and resident memory would grow by a scrape's worth per arena.
void LimitMallocArenas();
// Waits for SIGINT or SIGTERM; returns its number.
int WaitForStopSignal();

// Parses argv/env. Returns the settings to run with, or nullopt after printing --help/--version
// (exit_code 0) or one error line on stderr (exit_code 2). Also initialises logging from
// LOG_LEVEL and LOG_FORMAT.
std::optional<settings::ParseResult> Start(const settings::ProgramInfo& info,
                                           const std::vector<settings::Spec>& specs, int argc,
                                           char** argv, int& exit_code);

}  // namespace fhc::program
