#include "common/settings/values.h"

#include <array>
#include <charconv>
#include <cmath>
#include <utility>

#include "common/json/json.h"

namespace fhc::settings {
namespace {

constexpr std::array<std::pair<std::string_view, bool>, 8> kBoolWords = {{
    {"true", true},
    {"false", false},
    {"1", true},
    {"0", false},
    {"yes", true},
    {"no", false},
    {"on", true},
    {"off", false},
}};

}  // namespace

std::string_view TrimSpace(std::string_view s) {
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<long> ParseLong(std::string_view s) {
  s = TrimSpace(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  long value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

std::optional<double> ParseDouble(std::string_view s) {
  s = TrimSpace(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<bool> ParseBool(std::string_view s) {
  const std::string lower = ToLower(TrimSpace(s));
  for (const auto& [word, value] : kBoolWords) {
    if (word == lower) return value;
  }
  return std::nullopt;
}

std::optional<std::vector<std::string>> ParseStringList(std::string_view s) {
  s = TrimSpace(s);
  std::vector<std::string> items;
  if (!s.empty() && s.front() == '[') {
    auto doc = json::Parse(s, 4);
    if (!doc.ok() || !doc->IsArray()) return std::nullopt;
    for (const auto& item : doc->GetArray()) {
      if (!item.IsString()) return std::nullopt;
      const std::string_view text = TrimSpace({item.GetString(), item.GetStringLength()});
      if (!text.empty()) items.emplace_back(text);
    }
    return items;
  }
  while (!s.empty()) {
    const auto comma = s.find(',');
    const std::string_view item = TrimSpace(s.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return items;
}

}  // namespace fhc::settings
