#pragma once
// The body of Frigate's GET /api/logs/frigate, in every shape it has had
// (frigate-api.md section 3):
//   0.12-0.13  the raw file text (served as text/html or text/plain)
//   0.14+      JSON {"totalLines": N, "lines": ["<line>", ...]}; lines with the same s6
//              timestamp are joined with "\n" into one entry, so entries are split again here.
// Pure and fuzzed.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/result.h"

namespace fhc::exporter {

struct LogsPage {
  std::vector<std::string> lines;      // one physical log line each, without '\n'
  std::optional<int64_t> total_lines;  // JSON shape only: lines in the whole (processed) file
  bool json = false;
};

// Errors are short and name what was wrong ("JSON without a \"lines\" array").
Result<LogsPage> ParseLogsApiPage(std::string_view body, std::string_view content_type);

// Just the lines.
Result<std::vector<std::string>> ParseLogsApiResponse(std::string_view body,
                                                      std::string_view content_type);

}  // namespace fhc::exporter
