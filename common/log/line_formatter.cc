#include "common/log/line_formatter.h"

#include <array>
#include <chrono>
#include <ctime>
#include <string>

#include "common/log/log.h"

namespace fhc::log {
namespace {

// Indexed by spdlog::level::level_enum. spdlog's own short names differ ("warning"); ours match
// the LOG_LEVEL setting's words.
constexpr std::array<std::string_view, 7> kLevelNames = {"trace", "debug",    "info", "warn",
                                                         "error", "critical", "off"};

std::string_view LevelName(spdlog::level::level_enum level) {
  const auto i = static_cast<std::size_t>(level);
  return i < kLevelNames.size() ? kLevelNames[i] : "unknown";
}

void AppendTimestamp(spdlog::log_clock::time_point time, spdlog::memory_buf_t& dest) {
  const auto since_epoch = time.time_since_epoch();
  const auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds);
  const std::time_t t = static_cast<std::time_t>(seconds.count());
  std::tm tm{};
  gmtime_r(&t, &tm);
  fmt::format_to(std::back_inserter(dest), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 static_cast<int>(millis.count()));
}

void Append(spdlog::memory_buf_t& dest, std::string_view s) {
  dest.append(s.data(), s.data() + s.size());
}

class TextFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    AppendTimestamp(msg.time, dest);
    dest.push_back(' ');
    Append(dest, LevelName(msg.level));
    dest.push_back(' ');
    Append(dest, std::string_view(msg.payload.data(), msg.payload.size()));
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<TextFormatter>();
  }
};

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    Append(dest, R"({"ts":")");
    AppendTimestamp(msg.time, dest);
    Append(dest, R"(","level":")");
    Append(dest, LevelName(msg.level));
    Append(dest, R"(","msg":")");
    Append(dest, JsonEscape(std::string_view(msg.payload.data(), msg.payload.size())));
    Append(dest, "\"}\n");
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

std::optional<LineFormat> ParseLineFormat(std::string_view name) {
  if (name == "text") return LineFormat::kText;
  if (name == "json") return LineFormat::kJson;
  return std::nullopt;
}

std::unique_ptr<spdlog::formatter> MakeLineFormatter(LineFormat format) {
  if (format == LineFormat::kJson) return std::make_unique<JsonFormatter>();
  return std::make_unique<TextFormatter>();
}

}  // namespace fhc::log
