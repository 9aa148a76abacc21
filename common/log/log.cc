#include "common/log/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <memory>
#include <string>
#include <utility>

#include "common/log/line_formatter.h"

namespace fhc::log {
namespace {

constexpr std::array<std::pair<std::string_view, spdlog::level::level_enum>, 5> kLevels = {{
    {"trace", spdlog::level::trace},
    {"debug", spdlog::level::debug},
    {"info", spdlog::level::info},
    {"warn", spdlog::level::warn},
    {"error", spdlog::level::err},
}};

// Appends the UTF-8 sequence starting at s[i] if it is well formed and returns its length, or
// returns 0. Overlong forms, surrogates and code points past U+10FFFF are not well formed.
std::size_t ValidUtf8Length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // past U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

Status Init(std::string_view level, std::string_view format) {
  spdlog::level::level_enum parsed_level = spdlog::level::info;
  bool level_found = false;
  for (const auto& [name, value] : kLevels) {
    if (name == level) {
      parsed_level = value;
      level_found = true;
    }
  }
  if (!level_found) {
    return Status::Error("invalid log level \"" + JsonEscape(level) +
                         "\"; expected one of: trace, debug, info, warn, error");
  }
  const auto line_format = ParseLineFormat(format);
  if (!line_format) {
    return Status::Error("invalid log format \"" + JsonEscape(format) +
                         "\"; expected one of: text, json");
  }
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  sink->set_formatter(MakeLineFormatter(*line_format));
  auto logger = std::make_shared<spdlog::logger>("fhc", std::move(sink));
  logger->set_level(parsed_level);
  spdlog::set_default_logger(std::move(logger));
  return OkStatus();
}

std::string JsonEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 8);
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      // Log text can carry bytes from anywhere (Frigate's logs, file names); a JSON line must
      // stay valid UTF-8, so a broken sequence becomes U+FFFD.
      const std::size_t n = ValidUtf8Length(s, i);
      if (n == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  return out;
}

}  // namespace fhc::log
