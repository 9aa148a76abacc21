#pragma once
// The two shapes of a log line: text ("2026-01-02T03:04:05.123Z info message") and JSON (one
// object per line: {"ts":"2026-01-02T03:04:05.123Z","level":"info","msg":"message"}). Times are
// UTC with milliseconds; level names are trace, debug, info, warn, error, critical.
#include <spdlog/formatter.h>

#include <memory>
#include <optional>
#include <string_view>

namespace fhc::log {

enum class LineFormat { kText, kJson };

// "text" or "json"; nullopt otherwise.
std::optional<LineFormat> ParseLineFormat(std::string_view name);

// A formatter for spdlog sinks producing one line per record, ending in '\n'.
std::unique_ptr<spdlog::formatter> MakeLineFormatter(LineFormat format);

}  // namespace fhc::log
