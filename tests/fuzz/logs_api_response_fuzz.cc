// ParseLogsApiResponse on arbitrary bodies, as JSON (0.14+) and as raw text (0.12-0.13).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/logs/logs_api_response.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  for (std::string_view type : {"application/json", "text/html; charset=utf-8", ""}) {
    auto r = fhc::exporter::ParseLogsApiResponse(body, type);
    if (r.ok()) {
      for (const auto& line : *r) {
        if (line.find('\n') != std::string_view::npos) __builtin_trap();  // always split
      }
    } else if (r.error().empty()) {
      __builtin_trap();  // errors always say something
    }
  }
  return 0;
}
