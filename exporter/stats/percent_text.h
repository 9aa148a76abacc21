#pragma once
// Frigate's percentages, which arrive as numbers or as text in several spellings.
#include <optional>
#include <string_view>

namespace fhc::exporter {

// Reads "4.5", "4.5%", "12.5 %" or " 7 " as a percentage. Frigate's placeholders for "no value"
// ("", "-", "-%"), its error value -1, negative, non-finite and non-numeric text give nullopt.
std::optional<double> ParsePercentText(std::string_view text);

// The same rule for a value that was already a number.
std::optional<double> CheckPercent(double value);

}  // namespace fhc::exporter
