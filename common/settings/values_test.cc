#include "common/settings/values.h"

#include <gtest/gtest.h>

namespace fhc::settings {
namespace {

using List = std::vector<std::string>;

TEST(ParseStringList, ReadsJsonAndCommaForms) {
  EXPECT_EQ(ParseStringList(R"(["front", "back yard"])"), List({"front", "back yard"}));
  EXPECT_EQ(ParseStringList("front, back yard ,,"), List({"front", "back yard"}));
  EXPECT_EQ(ParseStringList(" [ \" a \" , \"\" ] "), List({"a"}));
  EXPECT_EQ(ParseStringList(""), List());
  EXPECT_EQ(ParseStringList(" , "), List());
  EXPECT_EQ(ParseStringList("[1,2]"), std::nullopt);
  EXPECT_EQ(ParseStringList("[\"a\""), std::nullopt);
}

TEST(ParseNumbers, TakeTheWholeValue) {
  EXPECT_EQ(ParseLong(" 12 "), 12);
  EXPECT_EQ(ParseLong("+7"), 7);
  EXPECT_EQ(ParseLong("-3"), -3);
  EXPECT_EQ(ParseLong("12ms"), std::nullopt);
  EXPECT_EQ(ParseLong(""), std::nullopt);
  EXPECT_EQ(ParseLong("+"), std::nullopt);
  EXPECT_EQ(ParseDouble("0.25"), 0.25);
  EXPECT_EQ(ParseDouble("1e3"), 1000.0);
  EXPECT_EQ(ParseDouble("1e400"), std::nullopt);
  EXPECT_EQ(ParseDouble("nan"), std::nullopt);
}

TEST(ParseBool, KnowsTheUsualWords) {
  EXPECT_EQ(ParseBool("TRUE"), true);
  EXPECT_EQ(ParseBool("off"), false);
  EXPECT_EQ(ParseBool(" yes "), true);
  EXPECT_EQ(ParseBool("2"), std::nullopt);
}

}  // namespace
}  // namespace fhc::settings
