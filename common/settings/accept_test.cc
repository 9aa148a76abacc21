#include <gtest/gtest.h>

#include <string>

#include "common/settings/settings.h"

namespace fhc::settings {
namespace {

struct AcceptCase {
  const char* validator;
  Validator validate;
  std::string value;
  bool accepted;
};

std::ostream& operator<<(std::ostream& os, const AcceptCase& c) {
  return os << c.validator << "(\"" << c.value << "\")";
}

class AcceptTable : public testing::TestWithParam<AcceptCase> {};

TEST_P(AcceptTable, AcceptsOrRejects) {
  const AcceptCase& c = GetParam();
  const std::string why = c.validate(c.value);
  if (c.accepted) {
    EXPECT_EQ(why, "");
  } else {
    EXPECT_NE(why, "");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Validators, AcceptTable,
    testing::Values(
        AcceptCase{"Any", accept::Any(), "", true}, AcceptCase{"Any", accept::Any(), "x y", true},
        AcceptCase{"Int", accept::Int(1, 600000), "1", true},
        AcceptCase{"Int", accept::Int(1, 600000), "600000", true},
        AcceptCase{"Int", accept::Int(1, 600000), " 42 ", true},
        AcceptCase{"Int", accept::Int(1, 600000), "0", false},
        AcceptCase{"Int", accept::Int(1, 600000), "600001", false},
        AcceptCase{"Int", accept::Int(1, 600000), "abc", false},
        AcceptCase{"Int", accept::Int(1, 600000), "1.5", false},
        AcceptCase{"Int", accept::Int(1, 600000), "", false},
        AcceptCase{"Int", accept::Int(1, 600000), "99999999999999999999999", false},
        AcceptCase{"Int", accept::Int(-5, 5), "-5", true},
        AcceptCase{"Double", accept::Double(0.1, 300), "0.1", true},
        AcceptCase{"Double", accept::Double(0.1, 300), "10", true},
        AcceptCase{"Double", accept::Double(0.1, 300), "2.5e1", true},
        AcceptCase{"Double", accept::Double(0.1, 300), "0.05", false},
        AcceptCase{"Double", accept::Double(0.1, 300), "300.5", false},
        AcceptCase{"Double", accept::Double(0.1, 300), "nan", false},
        AcceptCase{"Double", accept::Double(0.1, 300), "inf", false},
        AcceptCase{"Double", accept::Double(0.1, 300), "ten", false},
        AcceptCase{"Bool", accept::Bool(), "true", true},
        AcceptCase{"Bool", accept::Bool(), "FALSE", true},
        AcceptCase{"Bool", accept::Bool(), "1", true},
        AcceptCase{"Bool", accept::Bool(), "0", true},
        AcceptCase{"Bool", accept::Bool(), "Yes", true},
        AcceptCase{"Bool", accept::Bool(), "no", true},
        AcceptCase{"Bool", accept::Bool(), "maybe", false},
        AcceptCase{"Bool", accept::Bool(), "", false},
        AcceptCase{"OneOf", accept::OneOf({"text", "json"}), "json", true},
        AcceptCase{"OneOf", accept::OneOf({"text", "json"}), "JSON", false},
        AcceptCase{"OneOf", accept::OneOf({"text", "json"}), "", false},
        AcceptCase{"HostPort", accept::HostPort(), "0.0.0.0:9711", true},
        AcceptCase{"HostPort", accept::HostPort(), "localhost:0", true},
        AcceptCase{"HostPort", accept::HostPort(), ":8080", true},
        AcceptCase{"HostPort", accept::HostPort(), "[::1]:65535", true},
        AcceptCase{"HostPort", accept::HostPort(), "[::]:80", true},
        AcceptCase{"HostPort", accept::HostPort(), "host", false},
        AcceptCase{"HostPort", accept::HostPort(), "host:", false},
        AcceptCase{"HostPort", accept::HostPort(), "host:65536", false},
        AcceptCase{"HostPort", accept::HostPort(), "host:-1", false},
        AcceptCase{"HostPort", accept::HostPort(), "ho st:80", false},
        AcceptCase{"HostPort", accept::HostPort(), "::1:80", false},
        AcceptCase{"HostPort", accept::HostPort(), "[::1]80", false},
        AcceptCase{"HttpUrl", accept::HttpUrl(), "http://127.0.0.1:5000", true},
        AcceptCase{"HttpUrl", accept::HttpUrl(), "https://frigate.example/api?x=1", true},
        AcceptCase{"HttpUrl", accept::HttpUrl(), "HTTP://Frigate:8971/", true},
        AcceptCase{"HttpUrl", accept::HttpUrl(), "http://[::1]:5000", true},
        AcceptCase{"HttpUrl", accept::HttpUrl(), "http://user:pw@host/", true},
        AcceptCase{"HttpUrl", accept::HttpUrl(), "ftp://host/", false},
        AcceptCase{"HttpUrl", accept::HttpUrl(), "http://", false},
        AcceptCase{"HttpUrl", accept::HttpUrl(), "http:///path", false},
        AcceptCase{"HttpUrl", accept::HttpUrl(), "http://host:99999/", false},
        AcceptCase{"HttpUrl", accept::HttpUrl(), "http://ho st/", false},
        AcceptCase{"HttpUrl", accept::HttpUrl(), "127.0.0.1:5000", false},
        AcceptCase{"HttpUrl", accept::HttpUrl(), "", false},
        AcceptCase{"OptionalHttpUrl", accept::OptionalHttpUrl(), "", true},
        AcceptCase{"OptionalHttpUrl", accept::OptionalHttpUrl(), "https://k8s:6443", true},
        AcceptCase{"OptionalHttpUrl", accept::OptionalHttpUrl(), "k8s:6443", false},
        AcceptCase{"ContainerName", accept::ContainerName(), "", true},
        AcceptCase{"ContainerName", accept::ContainerName(), "frigate-main", true},
        AcceptCase{"ContainerName", accept::ContainerName(), "Frigate Main", false},
        AcceptCase{"ContainerName", accept::ContainerName(), "-frigate", false},
        AcceptCase{"ContainerName", accept::ContainerName(), std::string(64, 'a'), false},
        AcceptCase{"StringList", accept::StringList(), "", true},
        AcceptCase{"StringList", accept::StringList(), "a, b", true},
        AcceptCase{"StringList", accept::StringList(), R"(["a", "b"])", true},
        AcceptCase{"StringList", accept::StringList(), "[]", true},
        AcceptCase{"StringList", accept::StringList(), R"(["a", 1])", false},
        AcceptCase{"StringList", accept::StringList(), R"(["a")", false},
        AcceptCase{"StringList", accept::StringList(), R"([["a"]])", false}));

TEST(AcceptDescriptions, SayWhatIsAccepted) {
  EXPECT_EQ(accept::Int(1, 600000)("x"), "an integer from 1 to 600000");
  EXPECT_EQ(accept::Double(0.1, 300)("x"), "a number from 0.1 to 300");
  EXPECT_EQ(accept::OneOf({"text", "json"})("x"), "one of: text, json");
  EXPECT_EQ(accept::Bool()("x"), "true or false");
  EXPECT_EQ(accept::HostPort()("x"), "host:port");
  EXPECT_EQ(accept::HttpUrl()("x"), "an http:// or https:// URL");
  EXPECT_EQ(accept::StringList()("[1]"), "a JSON list of strings or a comma-separated list");
}

}  // namespace
}  // namespace fhc::settings
