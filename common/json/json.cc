#include "common/json/json.h"

#include <rapidjson/error/en.h>

#include <charconv>
#include <cmath>
#include <string>

namespace fhc::json {
namespace {

// Finds the offset of the first bracket that opens a level deeper than max_depth, looking only
// at brackets outside string literals. Run before parsing so a hostile document of a million
// '[' is refused without building anything.
std::optional<std::size_t> FirstTooDeep(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > max_depth) return i;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return std::nullopt;
}

std::string_view Trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<rapidjson::Document> Parse(std::string_view text, std::size_t max_depth) {
  if (auto at = FirstTooDeep(text, max_depth)) {
    return Result<rapidjson::Document>::Error("invalid JSON at offset " + std::to_string(*at) +
                                              ": nesting deeper than " + std::to_string(max_depth) +
                                              " levels.");
  }
  rapidjson::Document doc;
  // The iterative parser keeps its own stack on the heap: no recursion whatever the input.
  doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  if (doc.HasParseError()) {
    return Result<rapidjson::Document>::Error("invalid JSON at offset " +
                                              std::to_string(doc.GetErrorOffset()) + ": " +
                                              rapidjson::GetParseError_En(doc.GetParseError()));
  }
  return doc;
}

const rapidjson::Value* Member(const rapidjson::Value& object, std::string_view name) {
  if (!object.IsObject()) return nullptr;
  const auto it = object.FindMember(rapidjson::Value(
      rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size()))));
  if (it == object.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

std::optional<double> Number(const rapidjson::Value& object, std::string_view name) {
  const rapidjson::Value* v = Member(object, name);
  if (v == nullptr || !v->IsNumber()) return std::nullopt;
  const double d = v->GetDouble();
  if (!std::isfinite(d)) return std::nullopt;
  return d;
}

std::optional<std::string> String(const rapidjson::Value& object, std::string_view name) {
  const rapidjson::Value* v = Member(object, name);
  if (v == nullptr || !v->IsString()) return std::nullopt;
  return std::string(v->GetString(), v->GetStringLength());
}

std::optional<bool> Bool(const rapidjson::Value& object, std::string_view name) {
  const rapidjson::Value* v = Member(object, name);
  if (v == nullptr || !v->IsBool()) return std::nullopt;
  return v->GetBool();
}

std::optional<double> Percent(const rapidjson::Value& value) {
  if (value.IsNumber()) {
    const double d = value.GetDouble();
    if (!std::isfinite(d)) return std::nullopt;
    return d;
  }
  if (!value.IsString()) return std::nullopt;
  std::string_view s = Trim(std::string_view(value.GetString(), value.GetStringLength()));
  if (!s.empty() && s.back() == '%') s = Trim(s.substr(0, s.size() - 1));
  if (s.empty()) return std::nullopt;
  double d = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

std::string ToString(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace fhc::json
