#pragma once
// Small helpers over RapidJSON for reading untrusted documents and writing our own.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/core/result.h"

namespace fhc::json {

// Parses with a nesting limit (deeper documents are an error, never a stack overflow). Errors read
// "invalid JSON at offset 12: Missing a comma or '}' after an object member."
Result<rapidjson::Document> Parse(std::string_view text, std::size_t max_depth = 64);

// Lenient readers of a member of an object; nullopt when absent, null or of the wrong type.
const rapidjson::Value* Member(const rapidjson::Value& object, std::string_view name);
std::optional<double> Number(const rapidjson::Value& object, std::string_view name);
std::optional<std::string> String(const rapidjson::Value& object, std::string_view name);
std::optional<bool> Bool(const rapidjson::Value& object, std::string_view name);
// Frigate's percentages: 4.5, "4.5", "4.5%", "12.5 %"; "", "-", "-%" and junk give nullopt.
std::optional<double> Percent(const rapidjson::Value& value);

// Writes a value to compact JSON text.
std::string ToString(const rapidjson::Value& value);

}  // namespace fhc::json
