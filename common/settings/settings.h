#pragma once
// Settings: every setting is an environment variable FRIGATE_HC_<NAME> and a flag --<name-with-
// dashes>; the flag wins. A secret NAME may instead come from a file named by NAME_FILE (env
// FRIGATE_HC_<NAME>_FILE or flag --<name>-file). Secrets never appear in --help or Describe().
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace fhc::settings {

// Returns "" when the value is acceptable, otherwise a short description of what is accepted
// (e.g. "an integer from 1 to 600000"). The empty string value means "unset" and is passed to
// the validator only for settings with a non-empty default.
using Validator = std::function<std::string(std::string_view value)>;

namespace accept {
Validator Any();
Validator Int(long min, long max);
Validator Double(double min, double max);
Validator Bool();  // true/false/1/0/yes/no (case-insensitive)
Validator OneOf(std::vector<std::string> choices);
Validator HostPort();         // "host:port", "[v6]:port" or ":port"; port 0-65535
Validator HttpUrl();          // http:// or https:// URL
Validator StringList();       // JSON list of strings (["a","b"]) or comma-separated list
Validator OptionalHttpUrl();  // empty or HttpUrl()
Validator ContainerName();    // empty or a Kubernetes container name (an RFC 1123 label)
}  // namespace accept

struct Spec {
  std::string name;           // upper snake case without prefix, e.g. "INFERENCE_THRESHOLD_MS"
  std::string default_value;  // text; "" = unset
  std::string help;           // one line
  Validator validate = accept::Any();
  bool secret = false;
};

struct ProgramInfo {
  std::string name;     // e.g. "frigate-exporter"
  std::string version;  // e.g. "0.1.0"
  std::string summary;  // first line of --help
  std::string usage;    // e.g. "frigate-exporter [check] [--flag value ...]"
};

class Settings {
 public:
  // Value of a declared setting after env, flags and _FILE were applied ("" if unset). Asking for
  // an undeclared name is a programming error and throws std::out_of_range.
  const std::string& Get(std::string_view name) const;
  long GetInt(std::string_view name) const;
  double GetDouble(std::string_view name) const;
  bool GetBool(std::string_view name) const;
  std::vector<std::string> GetList(std::string_view name) const;  // StringList() syntax
  bool IsSet(std::string_view name) const { return !Get(name).empty(); }
  // Where the value came from: "default", "env", "flag", "file".
  const std::string& Source(std::string_view name) const;
  // "NAME=value" lines for logs and status pages; secrets shown as "(set)" or "(unset)".
  std::vector<std::string> Describe() const;

  // For tests and for Parse().
  void Set(const std::string& name, std::string value, std::string source, bool secret = false);

 private:
  struct Entry {
    std::string value;
    std::string source;
    bool secret = false;
  };
  std::map<std::string, Entry, std::less<>> entries_;
};

struct ParseResult {
  enum class Kind { kRun, kHelp, kVersion, kError };
  Kind kind = Kind::kRun;
  // kHelp/kVersion: text for stdout. kError: one line for stderr naming the setting, the value
  // (never a secret's value) and what is accepted.
  std::string message;
  Settings settings;
  std::vector<std::string> positional;  // words that are not flags, e.g. "check"
};

// Pure: environment and arguments in, settings or an error out. argv excludes the program name.
// Flags: --name value, --name=value; boolean flags may omit the value (--dry-run means true).
// --help/-h and --version win over everything else. A secret's _FILE is read from disk (trailing
// newline stripped); an unreadable file is an error naming NAME_FILE.
ParseResult Parse(const ProgramInfo& program, const std::vector<Spec>& specs,
                  const std::vector<std::string>& argv,
                  const std::map<std::string, std::string>& env);

// The one-line error for a value a setting does not accept, as Parse() writes it; for checks
// that span several settings (e.g. LOG_FILE required when LOG_SOURCE=file). `value` is shown
// quoted; pass secret=true to hide it.
std::string InvalidSettingMessage(const std::string& name, const std::string& value,
                                  const std::string& expected, bool secret = false);

// The process environment as a map.
std::map<std::string, std::string> ProcessEnvironment();

// Settings both programs share (LISTEN with the given default, LOG_LEVEL, LOG_FORMAT, FRIGATE_URL,
// FRIGATE_TOKEN, API_TIMEOUT_SECONDS, NAMESPACE, DEPLOYMENT_NAME, POD_LABEL_SELECTOR,
// FRIGATE_CONTAINER, KUBE_API_URL, KUBE_TOKEN_FILE, KUBE_CA_FILE, KUBE_INSECURE_SKIP_TLS_VERIFY).
std::vector<Spec> CommonSpecs(const std::string& default_listen);

}  // namespace fhc::settings
