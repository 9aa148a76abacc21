#include "exporter/logs/logs_api_response.h"

#include <gtest/gtest.h>

namespace fhc::exporter {
namespace {

using Lines = std::vector<std::string>;

TEST(LogsApiResponse, RawTextOf012And013IsSplitIntoLines) {
  auto r = ParseLogsApiResponse("2023-09-11 06:26:15.1  a\r\n2023-09-11 06:26:16.1  b\n",
                                "text/html; charset=utf-8");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(*r, (Lines{"2023-09-11 06:26:15.1  a\r", "2023-09-11 06:26:16.1  b"}));
  EXPECT_TRUE(ParseLogsApiResponse("", "text/plain")->empty());
}

TEST(LogsApiResponse, JsonOf014PlusSplitsJoinedEntries) {
  auto r = ParseLogsApiPage(R"({"totalLines": 3, "lines": ["x1  a", "x2  b\nx2  c", 7, null]})",
                            "application/json");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_TRUE(r->json);
  EXPECT_EQ(r->lines, (Lines{"x1  a", "x2  b", "x2  c"}));
  EXPECT_EQ(r->total_lines, 3);
}

TEST(LogsApiResponse, JsonIsRecognisedWithoutTheContentType) {
  auto r = ParseLogsApiResponse(" {\"lines\": [\"a\"]}", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Lines{"a"}));
}

TEST(LogsApiResponse, BadBodiesGiveShortErrors) {
  EXPECT_EQ(ParseLogsApiResponse("{\"lines\": [", "application/json").error().substr(0, 22),
            "invalid JSON at offset");
  EXPECT_EQ(ParseLogsApiResponse("[1,2]", "application/json").error(), "JSON is not an object");
  EXPECT_EQ(ParseLogsApiResponse("{\"totalLines\": 1}", "application/json").error(),
            "JSON without a \"lines\" array");
  EXPECT_EQ(ParseLogsApiResponse(R"({"success":false,"message":"Could not find log file"})",
                                 "application/json")
                .error(),
            "Frigate said: Could not find log file");
  EXPECT_FALSE(ParseLogsApiResponse(std::string(100000, '['), "application/json").ok())
      << "deep nesting is an error, not a crash";
}

}  // namespace
}  // namespace fhc::exporter
