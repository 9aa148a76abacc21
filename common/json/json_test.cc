#include "common/json/json.h"

#include <gtest/gtest.h>

#include <string>

namespace fhc::json {
namespace {

TEST(JsonParse, ReadsAnObject) {
  auto doc = Parse(R"({"a": 1, "b": [true, null, "x"]})");
  ASSERT_TRUE(doc.ok()) << doc.error();
  EXPECT_TRUE(doc->IsObject());
  EXPECT_EQ((*doc)["b"].Size(), 3u);
}

TEST(JsonParse, ErrorNamesOffsetAndRapidJsonMessage) {
  auto doc = Parse(R"({"a": 1 "b": 2})");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error(),
            "invalid JSON at offset 8: Missing a comma or '}' after an object member.");
}

TEST(JsonParse, EmptyAndTrailingGarbageAreErrors) {
  EXPECT_FALSE(Parse("").ok());
  EXPECT_FALSE(Parse("{} x").ok());
  EXPECT_FALSE(Parse("NaN").ok());
}

TEST(JsonParse, DoesNotReadPastTheView) {
  const std::string text = "[1]]]]";
  EXPECT_TRUE(Parse(std::string_view(text).substr(0, 3)).ok());
}

TEST(JsonParse, NestingAtTheLimitIsAccepted) {
  const std::string text = std::string(64, '[') + std::string(64, ']');
  EXPECT_TRUE(Parse(text, 64).ok());
}

TEST(JsonParse, NestingPastTheLimitIsRefusedWithItsOffset) {
  const std::string text = std::string(65, '[') + std::string(65, ']');
  auto doc = Parse(text, 64);
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().rfind("invalid JSON at offset 64: nesting deeper than 64", 0), 0u)
      << doc.error();
}

TEST(JsonParse, AMillionOpenBracketsIsAnErrorNotACrash) {
  EXPECT_FALSE(Parse(std::string(1'000'000, '[')).ok());
  EXPECT_FALSE(Parse(std::string(1'000'000, '{')).ok());
}

TEST(JsonParse, BracketsInsideStringsDoNotCountAsNesting) {
  const std::string text = R"({"s": "[[[[[[[[[[\"[[[[[[[[["})";
  EXPECT_TRUE(Parse(text, 2).ok());
}

TEST(JsonReaders, AreLenientAboutAbsentNullAndWrongTypes) {
  auto doc = Parse(R"({"n": 2, "d": 2.5, "s": "x", "b": true, "z": null, "ns": "3"})");
  ASSERT_TRUE(doc.ok());
  const rapidjson::Value& v = *doc;
  EXPECT_EQ(Number(v, "n"), 2.0);
  EXPECT_EQ(Number(v, "d"), 2.5);
  EXPECT_EQ(Number(v, "ns"), std::nullopt);  // numbers as strings are not numbers
  EXPECT_EQ(Number(v, "missing"), std::nullopt);
  EXPECT_EQ(Number(v, "z"), std::nullopt);
  EXPECT_EQ(String(v, "s"), "x");
  EXPECT_EQ(String(v, "n"), std::nullopt);
  EXPECT_EQ(Bool(v, "b"), true);
  EXPECT_EQ(Bool(v, "s"), std::nullopt);
  EXPECT_EQ(Member(v, "z"), nullptr);
  EXPECT_NE(Member(v, "s"), nullptr);
  EXPECT_EQ(Member(v["s"], "s"), nullptr);  // not an object
}

TEST(JsonReaders, StringKeepsEmbeddedNul) {
  auto doc = Parse(R"({"s": "a\u0000b"})");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(String(*doc, "s"), std::string("a\0b", 3));
}

struct PercentCase {
  const char* json;
  std::optional<double> want;
};

class JsonPercent : public testing::TestWithParam<PercentCase> {};

TEST_P(JsonPercent, ReadsFrigatesPercentages) {
  const std::string text = std::string("[") + GetParam().json + "]";
  auto doc = Parse(text);
  ASSERT_TRUE(doc.ok()) << text;
  EXPECT_EQ(Percent((*doc)[0]), GetParam().want) << GetParam().json;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonPercent,
    testing::Values(PercentCase{"4.5", 4.5}, PercentCase{"7", 7.0}, PercentCase{R"("4.5")", 4.5},
                    PercentCase{R"("4.5%")", 4.5}, PercentCase{R"("12.5 %")", 12.5},
                    PercentCase{R"(" 3 %")", 3.0}, PercentCase{R"("0.0%")", 0.0},
                    PercentCase{R"("")", std::nullopt}, PercentCase{R"("-")", std::nullopt},
                    PercentCase{R"("-%")", std::nullopt}, PercentCase{R"("%")", std::nullopt},
                    PercentCase{R"("N/A")", std::nullopt}, PercentCase{R"("4.5x%")", std::nullopt},
                    PercentCase{R"("4.5%%")", std::nullopt}, PercentCase{R"("inf")", std::nullopt},
                    PercentCase{R"("nan%")", std::nullopt}, PercentCase{"null", std::nullopt},
                    PercentCase{"true", std::nullopt}, PercentCase{"[]", std::nullopt}));

TEST(JsonToString, WritesCompactJsonThatParsesBack) {
  auto doc = Parse(R"({ "a" : [1, 2.5, "q\"uote"], "b": {} })");
  ASSERT_TRUE(doc.ok());
  const std::string text = ToString(*doc);
  EXPECT_EQ(text, R"({"a":[1,2.5,"q\"uote"],"b":{}})");
  EXPECT_TRUE(Parse(text).ok());
}

}  // namespace
}  // namespace fhc::json
