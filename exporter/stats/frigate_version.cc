#include "exporter/stats/frigate_version.h"

#include <charconv>

namespace fhc::exporter {
namespace {

// Reads unsigned decimal digits at *pos; nullopt when there are none or they overflow.
std::optional<int> ReadNumber(std::string_view text, std::size_t* pos) {
  int value = 0;
  const char* begin = text.data() + *pos;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr == begin || value < 0) return std::nullopt;
  *pos += static_cast<std::size_t>(ptr - begin);
  return value;
}

bool Consume(std::string_view text, std::size_t* pos, char c) {
  if (*pos < text.size() && text[*pos] == c) {
    ++*pos;
    return true;
  }
  return false;
}

}  // namespace

std::optional<FrigateVersion> ParseFrigateVersion(std::string_view text) {
  std::size_t pos = 0;
  FrigateVersion version;
  auto major = ReadNumber(text, &pos);
  if (!major || !Consume(text, &pos, '.')) return std::nullopt;
  auto minor = ReadNumber(text, &pos);
  if (!minor) return std::nullopt;
  version.major = *major;
  version.minor = *minor;
  if (Consume(text, &pos, '.')) {
    auto patch = ReadNumber(text, &pos);
    if (!patch) return std::nullopt;
    version.patch = *patch;
  }
  // What follows the release is a commit hash or pre-release tag ("-abc1234", "-beta2").
  if (pos != text.size() && text[pos] != '-' && text[pos] != '+') return std::nullopt;
  return version;
}

}  // namespace fhc::exporter
