#include "common/settings/settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

namespace fhc::settings {
namespace {

using testing::HasSubstr;
using testing::Not;
using Env = std::map<std::string, std::string>;
using Args = std::vector<std::string>;

const ProgramInfo kProgram{"frigate-test", "1.2.3", "Checks things for tests.",
                           "frigate-test [check] [--flag value ...]"};

std::vector<Spec> TestSpecs() {
  std::vector<Spec> specs = CommonSpecs("0.0.0.0:9711");
  specs.push_back(
      {"INFERENCE_THRESHOLD_MS", "100", "Slowest acceptable inference", accept::Int(1, 600000)});
  specs.push_back({"DRY_RUN", "false", "Log instead of acting", accept::Bool()});
  specs.push_back({"SKIP_CAMERAS", "", "Cameras to ignore", accept::StringList()});
  specs.push_back({"SMTP_PASSWORD", "", "SMTP password", accept::Any(), true});
  specs.push_back({"WEBHOOK_TOKEN", "", "Webhook bearer token", accept::OneOf({"good"}), true});
  return specs;
}

ParseResult ParseWith(const Args& args, const Env& env = {}) {
  return Parse(kProgram, TestSpecs(), args, env);
}

// A file that removes itself.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/fhc_settings_test_XXXXXX";
    const int fd = mkstemp(name);
    path_ = name;
    const ssize_t written = write(fd, content.data(), content.size());
    EXPECT_EQ(written, static_cast<ssize_t>(content.size()));
    close(fd);
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct PrecedenceCase {
  const char* what;
  Env env;
  Args args;
  std::string want_value;
  std::string want_source;
};

class Precedence : public testing::TestWithParam<PrecedenceCase> {};

TEST_P(Precedence, FlagBeatsEnvBeatsDefault) {
  const PrecedenceCase& c = GetParam();
  const ParseResult r = ParseWith(c.args, c.env);
  ASSERT_EQ(r.kind, ParseResult::Kind::kRun) << r.message;
  EXPECT_EQ(r.settings.Get("INFERENCE_THRESHOLD_MS"), c.want_value) << c.what;
  EXPECT_EQ(r.settings.Source("INFERENCE_THRESHOLD_MS"), c.want_source) << c.what;
}

INSTANTIATE_TEST_SUITE_P(
    Table, Precedence,
    testing::Values(
        PrecedenceCase{"default", {}, {}, "100", "default"},
        PrecedenceCase{"env", {{"FRIGATE_HC_INFERENCE_THRESHOLD_MS", "200"}}, {}, "200", "env"},
        PrecedenceCase{"flag with space", {}, {"--inference-threshold-ms", "300"}, "300", "flag"},
        PrecedenceCase{"flag with =", {}, {"--inference-threshold-ms=300"}, "300", "flag"},
        PrecedenceCase{"flag beats env",
                       {{"FRIGATE_HC_INFERENCE_THRESHOLD_MS", "200"}},
                       {"--inference-threshold-ms=300"},
                       "300",
                       "flag"},
        PrecedenceCase{"last flag wins",
                       {},
                       {"--inference-threshold-ms=1", "--inference-threshold-ms=2"},
                       "2",
                       "flag"},
        PrecedenceCase{"env in lower case like pydantic",
                       {{"frigate_hc_inference_threshold_ms", "250"}},
                       {},
                       "250",
                       "env"},
        PrecedenceCase{"exact env name beats other case",
                       {{"FRIGATE_HC_INFERENCE_THRESHOLD_MS", "260"},
                        {"Frigate_Hc_Inference_Threshold_Ms", "270"}},
                       {},
                       "260",
                       "env"},
        PrecedenceCase{
            "other prefixes ignored", {{"INFERENCE_THRESHOLD_MS", "5"}}, {}, "100", "default"}));

TEST(Parse, EveryDeclaredSettingHasAValue) {
  const ParseResult r = ParseWith({});
  ASSERT_EQ(r.kind, ParseResult::Kind::kRun) << r.message;
  EXPECT_EQ(r.settings.Get("LISTEN"), "0.0.0.0:9711");
  EXPECT_EQ(r.settings.Get("LOG_LEVEL"), "info");
  EXPECT_EQ(r.settings.Get("LOG_FORMAT"), "text");
  EXPECT_EQ(r.settings.Get("FRIGATE_URL"), "http://127.0.0.1:5000");
  EXPECT_EQ(r.settings.GetDouble("API_TIMEOUT_SECONDS"), 10.0);
  EXPECT_EQ(r.settings.Get("NAMESPACE"), "frigate");
  EXPECT_EQ(r.settings.Get("DEPLOYMENT_NAME"), "frigate");
  EXPECT_EQ(r.settings.Get("POD_LABEL_SELECTOR"), "app=frigate");
  EXPECT_FALSE(r.settings.IsSet("KUBE_API_URL"));
  EXPECT_FALSE(r.settings.GetBool("KUBE_INSECURE_SKIP_TLS_VERIFY"));
  EXPECT_FALSE(r.settings.IsSet("FRIGATE_TOKEN"));
  EXPECT_EQ(r.settings.GetInt("INFERENCE_THRESHOLD_MS"), 100);
}

TEST(Parse, UndeclaredNameThrowsOutOfRange) {
  const ParseResult r = ParseWith({});
  EXPECT_THROW(r.settings.Get("NOPE"), std::out_of_range);
  EXPECT_THROW(r.settings.Source("NOPE"), std::out_of_range);
}

TEST(Parse, InvalidValueGivesTheExactOneLineError) {
  const ParseResult r = ParseWith({}, {{"FRIGATE_HC_INFERENCE_THRESHOLD_MS", "abc"}});
  ASSERT_EQ(r.kind, ParseResult::Kind::kError);
  EXPECT_EQ(r.message,
            "invalid setting INFERENCE_THRESHOLD_MS (env FRIGATE_HC_INFERENCE_THRESHOLD_MS / flag "
            "--inference-threshold-ms): \"abc\" is not accepted; expected an integer from 1 to "
            "600000");
}

TEST(Parse, InvalidFlagValueAndControlCharactersStayOnOneLine) {
  const ParseResult r = ParseWith({"--log-format", "x\nml"});
  ASSERT_EQ(r.kind, ParseResult::Kind::kError);
  EXPECT_EQ(r.message,
            "invalid setting LOG_FORMAT (env FRIGATE_HC_LOG_FORMAT / flag --log-format): "
            "\"x\\x0aml\" is not accepted; expected one of: text, json");
}

TEST(Parse, FirstInvalidSettingInDeclarationOrderIsReported) {
  const ParseResult r =
      ParseWith({"--api-timeout-seconds=0", "--log-level=loud", "--inference-threshold-ms=0"});
  ASSERT_EQ(r.kind, ParseResult::Kind::kError);
  EXPECT_THAT(r.message, HasSubstr("invalid setting LOG_LEVEL"));
}

TEST(Parse, EmptyValueOverridingANonEmptyDefaultIsValidated) {
  const ParseResult r = ParseWith({}, {{"FRIGATE_HC_LOG_LEVEL", ""}});
  ASSERT_EQ(r.kind, ParseResult::Kind::kError);
  EXPECT_THAT(r.message, HasSubstr("\"\" is not accepted"));
}

TEST(Parse, EmptyValueOfASettingWithoutDefaultIsUnset) {
  const ParseResult r = ParseWith({"--kube-api-url="});
  ASSERT_EQ(r.kind, ParseResult::Kind::kRun) << r.message;
  EXPECT_FALSE(r.settings.IsSet("KUBE_API_URL"));
  EXPECT_EQ(r.settings.Source("KUBE_API_URL"), "flag");
}

TEST(Parse, UnknownFlagIsAnError) {
  const ParseResult r = ParseWith({"--x"});
  ASSERT_EQ(r.kind, ParseResult::Kind::kError);
  EXPECT_EQ(r.message, "unknown flag --x");
  EXPECT_EQ(ParseWith({"--bogus=1"}).message, "unknown flag --bogus");
  EXPECT_EQ(ParseWith({"-v"}).message, "unknown flag -v");
}

TEST(Parse, FlagWithoutItsValueIsAnError) {
  const ParseResult r = ParseWith({"--namespace"});
  ASSERT_EQ(r.kind, ParseResult::Kind::kError);
  EXPECT_EQ(r.message, "flag --namespace needs a value");
}

struct BoolCase {
  Args args;
  bool want_dry_run;
  Args want_positional;
};

class BareBool : public testing::TestWithParam<BoolCase> {};

TEST_P(BareBool, BooleanFlagsMayOmitTheirValue) {
  const ParseResult r = ParseWith(GetParam().args);
  ASSERT_EQ(r.kind, ParseResult::Kind::kRun) << r.message;
  EXPECT_EQ(r.settings.GetBool("DRY_RUN"), GetParam().want_dry_run);
  EXPECT_EQ(r.positional, GetParam().want_positional);
}

INSTANTIATE_TEST_SUITE_P(Table, BareBool,
                         testing::Values(BoolCase{{"--dry-run"}, true, {}},
                                         BoolCase{{"--dry-run", "check"}, true, {"check"}},
                                         BoolCase{{"check", "--dry-run"}, true, {"check"}},
                                         BoolCase{{"--dry-run", "false"}, false, {}},
                                         BoolCase{{"--dry-run=no"}, false, {}},
                                         BoolCase{{"--dry-run", "--namespace", "x"}, true, {}},
                                         BoolCase{{"--", "--dry-run"}, false, {"--dry-run"}}));

TEST(Parse, ListsReadBothSyntaxes) {
  EXPECT_EQ(ParseWith({"--skip-cameras", R"(["a","b c"])"}).settings.GetList("SKIP_CAMERAS"),
            (Args{"a", "b c"}));
  EXPECT_EQ(
      ParseWith({}, {{"FRIGATE_HC_SKIP_CAMERAS", " a, ,b "}}).settings.GetList("SKIP_CAMERAS"),
      (Args{"a", "b"}));
  EXPECT_TRUE(ParseWith({}).settings.GetList("SKIP_CAMERAS").empty());
  EXPECT_EQ(ParseWith({"--skip-cameras=[1]"}).kind, ParseResult::Kind::kError);
}

TEST(Secrets, ComeFromTheEnvFileWithTrailingNewlineStripped) {
  TempFile file("hunter2\n");
  const ParseResult r = ParseWith({}, {{"FRIGATE_HC_SMTP_PASSWORD_FILE", file.path()}});
  ASSERT_EQ(r.kind, ParseResult::Kind::kRun) << r.message;
  EXPECT_EQ(r.settings.Get("SMTP_PASSWORD"), "hunter2");
  EXPECT_EQ(r.settings.Source("SMTP_PASSWORD"), "file");
}

TEST(Secrets, ComeFromTheFlagFileAndTheFlagFileBeatsTheEnv) {
  TempFile file("from-file\r\n");
  const ParseResult r =
      ParseWith({"--smtp-password-file", file.path()}, {{"FRIGATE_HC_SMTP_PASSWORD", "from-env"}});
  ASSERT_EQ(r.kind, ParseResult::Kind::kRun) << r.message;
  EXPECT_EQ(r.settings.Get("SMTP_PASSWORD"), "from-file");
}

TEST(Secrets, UnreadableFileIsAnErrorNamingTheFileSetting) {
  const ParseResult r =
      ParseWith({}, {{"FRIGATE_HC_SMTP_PASSWORD_FILE", "/nonexistent/fhc-secret"}});
  ASSERT_EQ(r.kind, ParseResult::Kind::kError);
  EXPECT_EQ(r.message,
            "cannot read SMTP_PASSWORD_FILE (env FRIGATE_HC_SMTP_PASSWORD_FILE / flag "
            "--smtp-password-file): \"/nonexistent/fhc-secret\": No such file or directory");
}

TEST(Secrets, ADirectoryIsNotASecretFile) {
  const ParseResult r = ParseWith({"--smtp-password-file=/tmp"});
  ASSERT_EQ(r.kind, ParseResult::Kind::kError);
  EXPECT_THAT(r.message, HasSubstr("SMTP_PASSWORD_FILE"));
}

TEST(Secrets, NonSecretsHaveNoFileForm) {
  EXPECT_EQ(ParseWith({"--namespace-file=/tmp/x"}).message, "unknown flag --namespace-file");
}

TEST(Secrets, NeverAppearInErrors) {
  TempFile file("bad-token-value\n");
  for (const ParseResult& r : {ParseWith({"--webhook-token", "bad-token-value"}),
                               ParseWith({}, {{"FRIGATE_HC_WEBHOOK_TOKEN", "bad-token-value"}}),
                               ParseWith({}, {{"FRIGATE_HC_WEBHOOK_TOKEN_FILE", file.path()}})}) {
    ASSERT_EQ(r.kind, ParseResult::Kind::kError);
    EXPECT_EQ(r.message,
              "invalid setting WEBHOOK_TOKEN (env FRIGATE_HC_WEBHOOK_TOKEN / flag "
              "--webhook-token): (secret value) is not accepted; expected one of: good");
  }
}

TEST(Secrets, NeverAppearInDescribe) {
  const ParseResult r = ParseWith({"--smtp-password=hunter2", "--namespace=cams"});
  ASSERT_EQ(r.kind, ParseResult::Kind::kRun) << r.message;
  const std::vector<std::string> lines = r.settings.Describe();
  EXPECT_THAT(lines, testing::Contains("SMTP_PASSWORD=(set)"));
  EXPECT_THAT(lines, testing::Contains("FRIGATE_TOKEN=(unset)"));
  EXPECT_THAT(lines, testing::Contains("NAMESPACE=cams"));
  for (const std::string& line : lines) EXPECT_THAT(line, Not(HasSubstr("hunter2")));
}

TEST(Help, ListsEverySettingWithFlagEnvAndDefault) {
  const std::vector<Spec> specs = TestSpecs();
  const ParseResult r = Parse(kProgram, specs, {"--namespace=x", "--help"}, {});
  ASSERT_EQ(r.kind, ParseResult::Kind::kHelp);
  EXPECT_THAT(r.message, HasSubstr("Checks things for tests."));
  EXPECT_THAT(r.message, HasSubstr("Usage: frigate-test [check] [--flag value ...]"));
  for (const Spec& spec : specs) {
    std::string flag = spec.name;
    for (char& c : flag) c = c == '_' ? '-' : static_cast<char>(std::tolower(c));
    EXPECT_THAT(r.message, HasSubstr("--" + flag)) << spec.name;
    EXPECT_THAT(r.message, HasSubstr("FRIGATE_HC_" + spec.name)) << spec.name;
    EXPECT_THAT(r.message, HasSubstr(spec.help)) << spec.name;
  }
  EXPECT_THAT(r.message, HasSubstr("\"http://127.0.0.1:5000\""));
  EXPECT_THAT(r.message, HasSubstr("accepts an integer from 1 to 600000"));
  EXPECT_THAT(r.message, HasSubstr("--smtp-password-file"));
}

TEST(Help, NeverShowsSecretValues) {
  std::vector<Spec> specs = TestSpecs();
  specs.push_back({"API_KEY", "default-secret-value", "key", accept::Any(), true});
  const ParseResult r = Parse(kProgram, specs, {"-h", "--smtp-password=hunter2"},
                              {{"FRIGATE_HC_SMTP_PASSWORD", "x"}});
  ASSERT_EQ(r.kind, ParseResult::Kind::kHelp);
  EXPECT_THAT(r.message, Not(HasSubstr("default-secret-value")));
  EXPECT_THAT(r.message, Not(HasSubstr("hunter2")));
}

TEST(Help, WinsOverBadValuesAndVersionPrintsNameAndVersion) {
  EXPECT_EQ(ParseWith({"--log-level=loud", "--help"}).kind, ParseResult::Kind::kHelp);
  const ParseResult v = ParseWith({"--bogus", "--version"});
  ASSERT_EQ(v.kind, ParseResult::Kind::kVersion);
  EXPECT_EQ(v.message, "frigate-test 1.2.3\n");
}

TEST(CommonSpecs, DeclareTheSharedSettingsEachWithHelp) {
  const std::vector<Spec> specs = CommonSpecs("127.0.0.1:9711");
  std::vector<std::string> names;
  for (const Spec& s : specs) {
    names.push_back(s.name);
    EXPECT_FALSE(s.help.empty()) << s.name;
    EXPECT_EQ(s.help.find('\n'), std::string::npos) << s.name;
    if (!s.default_value.empty()) {
      EXPECT_EQ(s.validate(s.default_value), "") << s.name;
    }
  }
  EXPECT_EQ(names, (Args{"LISTEN", "HTTP_WORKERS", "LOG_LEVEL", "LOG_FORMAT", "FRIGATE_URL",
                         "FRIGATE_TOKEN", "API_TIMEOUT_SECONDS", "NAMESPACE", "DEPLOYMENT_NAME",
                         "POD_LABEL_SELECTOR", "FRIGATE_CONTAINER", "KUBE_API_URL",
                         "KUBE_TOKEN_FILE", "KUBE_CA_FILE", "KUBE_INSECURE_SKIP_TLS_VERIFY"}));
  EXPECT_TRUE(specs[5].secret);  // FRIGATE_TOKEN
  EXPECT_EQ(specs[0].default_value, "127.0.0.1:9711");
}

// A setting whose values are names takes "true" too, yet its flag still needs a value.
TEST(Flags, ANameSettingThatAcceptsTrueIsNotABooleanFlag) {
  std::vector<Spec> specs = {{"CONTAINER", "", "a name", [](std::string_view v) -> std::string {
                                for (char c : v) {
                                  if (!(c >= 'a' && c <= 'z')) return "lowercase letters";
                                }
                                return "";
                              }}};
  const ParseResult r = Parse(kProgram, specs, {"--container", "frigate"}, {});
  ASSERT_EQ(r.kind, ParseResult::Kind::kRun) << r.message;
  EXPECT_EQ(r.settings.Get("CONTAINER"), "frigate");
  EXPECT_TRUE(r.positional.empty());
}

TEST(ProcessEnvironment, SeesVariablesOfThisProcess) {
  ASSERT_EQ(setenv("FRIGATE_HC_TEST_PROBE", "a=b", 1), 0);
  EXPECT_EQ(ProcessEnvironment()["FRIGATE_HC_TEST_PROBE"], "a=b");
  unsetenv("FRIGATE_HC_TEST_PROBE");
}

}  // namespace
}  // namespace fhc::settings
