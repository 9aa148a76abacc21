#include "exporter/logs/line_time.h"

#include <chrono>
#include <cstdint>

namespace fhc::exporter {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads `n` decimal digits at `p`; -1 when any is not a digit.
int64_t Digits(const char* p, int n) {
  int64_t v = 0;
  for (int i = 0; i < n; ++i) {
    if (!IsDigit(p[i])) return -1;
    v = v * 10 + (p[i] - '0');
  }
  return v;
}

// "YYYY-MM-DD HH:MM:SS" (19 chars) at p, validated, as a time point at whole seconds.
std::optional<WallTime> ParseDateTime(const char* p) {
  if (p[4] != '-' || p[7] != '-' || p[10] != ' ' || p[13] != ':' || p[16] != ':') {
    return std::nullopt;
  }
  const int64_t y = Digits(p, 4), mo = Digits(p + 5, 2), d = Digits(p + 8, 2);
  const int64_t h = Digits(p + 11, 2), mi = Digits(p + 14, 2), s = Digits(p + 17, 2);
  // Up to 2200: the clock counts nanoseconds in 64 bits, which ends in 2262.
  if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
      s < 0 || s > 60) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year(static_cast<int>(y)),
                                        std::chrono::month(static_cast<unsigned>(mo)),
                                        std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  const auto days = std::chrono::sys_days(ymd);
  return WallTime(std::chrono::duration_cast<WallTime::duration>(
      days.time_since_epoch() + std::chrono::hours(h) + std::chrono::minutes(mi) +
      std::chrono::seconds(s)));
}

}  // namespace

bool HasS6Prefix(std::string_view line) {
  // Fixed shape: date, '.', nine digits, two spaces. Checked by position so that the classifier's
  // per-line cost stays a handful of byte compares.
  return line.size() >= kS6PrefixLength && line[4] == '-' && line[10] == ' ' && line[13] == ':' &&
         line[19] == '.' && line[29] == ' ' && line[30] == ' ' && IsDigit(line[0]) &&
         IsDigit(line[28]);
}

std::optional<WallTime> ParseS6Time(std::string_view line) {
  if (!HasS6Prefix(line)) return std::nullopt;
  auto t = ParseDateTime(line.data());
  if (!t) return std::nullopt;
  const int64_t ns = Digits(line.data() + 20, 9);
  if (ns < 0) return std::nullopt;
  return *t + std::chrono::duration_cast<WallTime::duration>(std::chrono::nanoseconds(ns));
}

std::optional<WallTime> ParseBracketTime(std::string_view text) {
  if (text.size() < 21 || text[0] != '[' || text[20] != ']') return std::nullopt;
  return ParseDateTime(text.data() + 1);
}

std::optional<WallTime> ParseLineTime(std::string_view line) {
  if (HasS6Prefix(line)) {
    if (auto t = ParseS6Time(line)) return t;
    return std::nullopt;
  }
  return ParseBracketTime(line);
}

}  // namespace fhc::exporter
