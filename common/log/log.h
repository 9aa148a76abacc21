#pragma once
// Logging: spdlog's default logger on stderr, as text or one JSON object per line. Call Init()
// once at start; everywhere else use spdlog::info(...) etc.
#include <string_view>

#include "common/core/result.h"

namespace fhc::log {

// level: trace|debug|info|warn|error; format: text|json. Errors name the bad value.
Status Init(std::string_view level, std::string_view format);

// Escapes a string for embedding in a JSON string literal (no surrounding quotes).
std::string JsonEscape(std::string_view s);

}  // namespace fhc::log
