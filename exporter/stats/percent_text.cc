#include "exporter/stats/percent_text.h"

#include <charconv>
#include <cmath>

namespace fhc::exporter {
namespace {

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

}  // namespace

std::optional<double> CheckPercent(double value) {
  if (!std::isfinite(value) || value < 0) return std::nullopt;
  return value;
}

std::optional<double> ParsePercentText(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text.back() == '%') text = Trim(text.substr(0, text.size() - 1));
  if (text.empty()) return std::nullopt;
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return CheckPercent(value);
}

}  // namespace fhc::exporter
