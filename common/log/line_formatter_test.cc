#include "common/log/line_formatter.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <sstream>
#include <string>

namespace fhc::log {
namespace {

// 2026-01-02T03:04:05.123Z
spdlog::log_clock::time_point FixedTime() {
  return spdlog::log_clock::time_point(std::chrono::milliseconds(1767323045123LL));
}

std::string FormatOne(LineFormat format, spdlog::level::level_enum level, std::string_view text) {
  const spdlog::details::log_msg msg(FixedTime(), spdlog::source_loc{}, "test", level,
                                     spdlog::string_view_t(text.data(), text.size()));
  spdlog::memory_buf_t buf;
  MakeLineFormatter(format)->format(msg, buf);
  return std::string(buf.data(), buf.size());
}

TEST(LineFormatter, TextLineIsUtcTimestampLevelMessage) {
  EXPECT_EQ(FormatOne(LineFormat::kText, spdlog::level::info, "started"),
            "2026-01-02T03:04:05.123Z info started\n");
  EXPECT_EQ(FormatOne(LineFormat::kText, spdlog::level::warn, "slow"),
            "2026-01-02T03:04:05.123Z warn slow\n");
}

TEST(LineFormatter, JsonLineIsOneObjectThatParses) {
  const std::string text = "quote \" backslash \\ newline \n tab \t bell \x07 end";
  const std::string line = FormatOne(LineFormat::kJson, spdlog::level::err, text);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "exactly one line";
  rapidjson::Document doc;
  doc.Parse(line.c_str(), line.size() - 1);
  ASSERT_FALSE(doc.HasParseError()) << line;
  ASSERT_TRUE(doc.IsObject());
  EXPECT_STREQ(doc["ts"].GetString(), "2026-01-02T03:04:05.123Z");
  EXPECT_STREQ(doc["level"].GetString(), "error");
  EXPECT_EQ(std::string(doc["msg"].GetString(), doc["msg"].GetStringLength()), text);
  EXPECT_EQ(doc.MemberCount(), 3u);
}

TEST(LineFormatter, JsonThroughARealLoggerAndSink) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  sink->set_formatter(MakeLineFormatter(LineFormat::kJson));
  spdlog::logger logger("capture", sink);
  logger.set_level(spdlog::level::debug);
  logger.debug("camera {} has {} fps", "front\"door", 4.5);
  logger.trace("hidden");
  const std::string line = out.str();
  rapidjson::Document doc;
  doc.Parse(line.c_str());  // the trailing newline is whitespace to RapidJSON
  ASSERT_FALSE(doc.HasParseError()) << line;
  EXPECT_STREQ(doc["level"].GetString(), "debug");
  EXPECT_STREQ(doc["msg"].GetString(), "camera front\"door has 4.5 fps");
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
}

TEST(LineFormatter, ParsesFormatNames) {
  EXPECT_EQ(ParseLineFormat("text"), LineFormat::kText);
  EXPECT_EQ(ParseLineFormat("json"), LineFormat::kJson);
  EXPECT_EQ(ParseLineFormat("JSON"), std::nullopt);
  EXPECT_EQ(ParseLineFormat(""), std::nullopt);
}

}  // namespace
}  // namespace fhc::log
