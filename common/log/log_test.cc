#include "common/log/log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <regex>
#include <string>

namespace fhc::log {
namespace {

using testing::HasSubstr;

bool FullMatch(const std::string& text, const std::string& pattern) {
  return std::regex_match(text, std::regex(pattern));
}

TEST(JsonEscape, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(JsonEscape(R"(say "hi" \o/)"), R"(say \"hi\" \\o/)");
  EXPECT_EQ(JsonEscape("a\nb\rc\td"), R"(a\nb\rc\td)");
  EXPECT_EQ(JsonEscape(std::string("\x00\x01\x1f\x7f", 4)), R"(\u0000\u0001\u001f\u007f)");
  EXPECT_EQ(JsonEscape("plain / text"), "plain / text");
  EXPECT_EQ(JsonEscape(""), "");
}

TEST(JsonEscape, KeepsValidUtf8AndReplacesBrokenBytes) {
  EXPECT_EQ(JsonEscape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xb7"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xb7");
  EXPECT_EQ(JsonEscape("bad \xff byte"), R"(bad \ufffd byte)");
  EXPECT_EQ(JsonEscape("cut \xe2\x82"), R"(cut \ufffd\ufffd)");
  EXPECT_EQ(JsonEscape("overlong \xc0\xaf"), R"(overlong \ufffd\ufffd)");
  EXPECT_EQ(JsonEscape("surrogate \xed\xa0\x80"), R"(surrogate \ufffd\ufffd\ufffd)");
}

TEST(Init, RejectsUnknownLevelNamingIt) {
  const Status s = Init("loud", "text");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error(), HasSubstr("\"loud\""));
  EXPECT_THAT(s.error(), HasSubstr("trace, debug, info, warn, error"));
}

TEST(Init, RejectsUnknownFormatNamingIt) {
  const Status s = Init("info", "xml");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error(), HasSubstr("\"xml\""));
}

TEST(Init, JsonGoesToStderrOneObjectPerLineAndHonoursTheLevel) {
  testing::internal::CaptureStderr();
  ASSERT_TRUE(Init("warn", "json").ok());
  spdlog::info("not shown");
  spdlog::warn("disk {}", "full");
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(FullMatch(err, R"(\{"ts":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:)"
                             R"([0-9]{2}\.[0-9]{3}Z","level":"warn","msg":"disk full"\}\n)"))
      << err;
}

TEST(Init, TextGoesToStderr) {
  testing::internal::CaptureStderr();
  ASSERT_TRUE(Init("debug", "text").ok());
  spdlog::debug("hello");
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(FullMatch(err, R"([0-9-]{10}T[0-9:]{8}\.[0-9]{3}Z debug hello\n)")) << err;
}

}  // namespace
}  // namespace fhc::log
