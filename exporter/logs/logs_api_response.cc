#include "exporter/logs/logs_api_response.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "exporter/logs/line_splitter.h"

namespace fhc::exporter {
namespace {

// Splits text into lines; a final line without '\n' counts, an empty tail after '\n' does not.
void SplitInto(std::string_view text, std::vector<std::string>& out) {
  LineSplitter splitter(1 << 20);
  const auto sink = [&out](std::string_view l) { out.emplace_back(l); };
  splitter.Feed(text, sink);
  splitter.Flush(sink);
}

// A member of an object, or null. (HasMember/operator[] rather than FindMember: comparing
// RapidJSON member iterators is ambiguous under C++20 rewritten operators.)
const rapidjson::Value* Find(const rapidjson::Value& object, const char* name) {
  return object.HasMember(name) ? &object[name] : nullptr;
}

bool LooksLikeJson(std::string_view body, std::string_view content_type) {
  if (content_type.find("json") != std::string_view::npos) return true;
  // A raw Frigate log never starts with '{' (every line starts with a date or '[').
  for (char c : body) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{';
  }
  return false;
}

}  // namespace

Result<LogsPage> ParseLogsApiPage(std::string_view body, std::string_view content_type) {
  LogsPage page;
  if (!LooksLikeJson(body, content_type)) {
    SplitInto(body, page.lines);
    return page;
  }
  page.json = true;
  rapidjson::Document doc;
  // Iterative parsing: no recursion, so hostile nesting cannot overflow the stack.
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag>(body.data(),
                                                                                body.size());
  if (doc.HasParseError()) {
    return Result<LogsPage>::Error(std::string("invalid JSON at offset ") +
                                   std::to_string(doc.GetErrorOffset()) + ": " +
                                   rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject()) return Result<LogsPage>::Error("JSON is not an object");
  const rapidjson::Value* lines = Find(doc, "lines");
  if (lines == nullptr || !lines->IsArray()) {
    // 0.13+ errors: {"success":false,"message":...}
    const rapidjson::Value* message = Find(doc, "message");
    if (message != nullptr && message->IsString()) {
      return Result<LogsPage>::Error(
          std::string("Frigate said: ") +
          std::string(message->GetString(), message->GetStringLength()).substr(0, 200));
    }
    return Result<LogsPage>::Error("JSON without a \"lines\" array");
  }
  for (const auto& entry : lines->GetArray()) {
    if (!entry.IsString()) continue;  // not a line; nothing to count in it
    SplitInto(std::string_view(entry.GetString(), entry.GetStringLength()), page.lines);
  }
  const rapidjson::Value* total = Find(doc, "totalLines");
  if (total != nullptr && total->IsInt64()) page.total_lines = total->GetInt64();
  return page;
}

Result<std::vector<std::string>> ParseLogsApiResponse(std::string_view body,
                                                      std::string_view content_type) {
  auto page = ParseLogsApiPage(body, content_type);
  if (!page) return Result<std::vector<std::string>>::Error(page.error());
  return std::move(page->lines);
}

}  // namespace fhc::exporter
