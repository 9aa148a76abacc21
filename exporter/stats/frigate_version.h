#pragma once
// The Frigate release a stats body came from, as far as its differences matter to us.
#include <compare>
#include <optional>
#include <string_view>

namespace fhc::exporter {

struct FrigateVersion {
  int major = 0;
  int minor = 0;
  int patch = 0;
  auto operator<=>(const FrigateVersion&) const = default;
};

// Reads the release from Frigate's version string ("0.12.1-abc1234", "0.14.0-beta2", "0.16"):
// the leading "<major>.<minor>[.<patch>]". Anything else (empty, "unknown", "dev-xyz") gives
// nullopt, so callers fall back to what the body's layout tells them.
std::optional<FrigateVersion> ParseFrigateVersion(std::string_view text);

}  // namespace fhc::exporter
