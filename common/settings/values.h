#pragma once
// Reading setting values as numbers, booleans and lists. Shared by the validators (which decide
// what is accepted) and the typed getters (which must read exactly what was accepted).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fhc::settings {

std::string_view TrimSpace(std::string_view s);
std::string ToLower(std::string_view s);

// Whole value (surrounding spaces ignored) as a decimal integer; nullopt otherwise.
std::optional<long> ParseLong(std::string_view s);
// Whole value as a finite number; nullopt otherwise.
std::optional<double> ParseDouble(std::string_view s);
// true/false/1/0/yes/no/on/off, any case; nullopt otherwise.
std::optional<bool> ParseBool(std::string_view s);
// `["a","b"]` (a JSON list of strings) or `a, b` (comma separated); items trimmed, empty items
// dropped; "" is the empty list. nullopt when the value starts with '[' but is not a JSON list of
// strings.
std::optional<std::vector<std::string>> ParseStringList(std::string_view s);

}  // namespace fhc::settings
