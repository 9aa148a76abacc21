#include "common/settings/settings.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <utility>

#include "common/settings/values.h"

extern char** environ;

namespace fhc::settings {
namespace {

constexpr std::string_view kEnvPrefix = "FRIGATE_HC_";
constexpr std::size_t kMaxSecretFileBytes = 1024 * 1024;
constexpr std::size_t kMaxQuotedValue = 200;

std::string ToUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string EnvName(std::string_view name) { return std::string(kEnvPrefix) + std::string(name); }

// INFERENCE_THRESHOLD_MS -> inference-threshold-ms; also normalises what a user typed, so
// --Dry_Run finds --dry-run.
std::string FlagName(std::string_view name) {
  std::string out = ToLower(name);
  for (char& c : out) {
    if (c == '_') c = '-';
  }
  return out;
}

std::string Where(std::string_view name) {
  return "(env " + EnvName(name) + " / flag --" + FlagName(name) + ")";
}

// A value as it may appear on one line of an error message.
std::string Quote(std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < value.size() && i < kMaxQuotedValue; ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  if (value.size() > kMaxQuotedValue) out += "...";
  return out;
}

// Whether a bare --flag may stand for "true": its validator accepts the two boolean words and
// rejects other text (so accept::Any() settings always need a value).
bool IsBoolean(const Spec& spec) {
  // A name-like setting (a container name) also takes "true" and "false"; a boolean refuses an
  // ordinary word.
  return spec.validate("true").empty() && spec.validate("false").empty() &&
         !spec.validate("not a boolean\x01").empty() && !spec.validate("word").empty();
}

// What the validator accepts, learnt by offering it a value nothing sensible accepts.
std::string Expected(const Spec& spec) { return spec.validate("[\x01 not a value"); }

// The secret file's content without trailing line breaks, or an error message.
struct FileRead {
  std::string content;
  std::string error;
};

FileRead ReadSecretFile(const std::string& path) {
  FileRead r;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    r.error = std::strerror(errno);
    return r;
  }
  char buf[4096];
  while (true) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, f);
    r.content.append(buf, n);
    if (r.content.size() > kMaxSecretFileBytes) {
      r.error = "larger than 1 MiB";
      break;
    }
    if (n < sizeof buf) {
      if (std::ferror(f)) r.error = std::strerror(errno);
      break;
    }
  }
  std::fclose(f);
  while (!r.content.empty() && (r.content.back() == '\n' || r.content.back() == '\r')) {
    r.content.pop_back();
  }
  if (!r.error.empty()) r.content.clear();
  return r;
}

// Exact FRIGATE_HC_NAME first; otherwise any spelling of it in another case, as the old
// pydantic-settings tool accepted (frigate_hc_namespace).
const std::string* FindEnv(const std::map<std::string, std::string>& env,
                           const std::string& wanted) {
  if (const auto it = env.find(wanted); it != env.end()) return &it->second;
  for (const auto& [key, value] : env) {
    if (key.size() == wanted.size() && ToUpper(key) == wanted) return &value;
  }
  return nullptr;
}

struct Override {
  std::optional<std::string> value;
  std::optional<std::string> file;  // path of NAME_FILE
};

ParseResult Failure(std::string message) {
  ParseResult r;
  r.kind = ParseResult::Kind::kError;
  r.message = std::move(message);
  return r;
}

std::string HelpText(const ProgramInfo& program, const std::vector<Spec>& specs) {
  std::string out = program.name + " " + program.version + ": " + program.summary + "\n\n";
  out += "Usage: " + program.usage + "\n\n";
  out += "Options:\n";
  out += "  -h, --help    show this help and exit\n";
  out += "  --version     print the version and exit\n\n";
  out += "Settings: each is a flag or an environment variable; the flag wins.\n";
  for (const Spec& spec : specs) {
    const std::string flag = "--" + FlagName(spec.name);
    out += "\n  " + flag + (IsBoolean(spec) ? " [true|false]" : " VALUE");
    if (spec.secret) out += "    (secret)";
    out += "\n      env " + EnvName(spec.name) + "\n";
    if (spec.secret) {
      out += "      or a file holding it: env " + EnvName(spec.name) + "_FILE / flag " + flag +
             "-file\n";
    }
    if (!spec.help.empty()) out += "      " + spec.help + "\n";
    if (const std::string expected = Expected(spec); !expected.empty()) {
      out += "      accepts " + expected + "\n";
    }
    if (spec.secret) {
      out += std::string("      default: ") + (spec.default_value.empty() ? "none" : "(hidden)") +
             "\n";
    } else {
      out += "      default: " + (spec.default_value.empty() ? "none" : Quote(spec.default_value)) +
             "\n";
    }
  }
  return out;
}

}  // namespace

const std::string& Settings::Get(std::string_view name) const {
  const auto it = entries_.find(name);
  if (it == entries_.end()) throw std::out_of_range("undeclared setting " + std::string(name));
  return it->second.value;
}

long Settings::GetInt(std::string_view name) const { return ParseLong(Get(name)).value_or(0); }

double Settings::GetDouble(std::string_view name) const {
  return ParseDouble(Get(name)).value_or(0.0);
}

bool Settings::GetBool(std::string_view name) const { return ParseBool(Get(name)).value_or(false); }

std::vector<std::string> Settings::GetList(std::string_view name) const {
  return ParseStringList(Get(name)).value_or(std::vector<std::string>{});
}

const std::string& Settings::Source(std::string_view name) const {
  const auto it = entries_.find(name);
  if (it == entries_.end()) throw std::out_of_range("undeclared setting " + std::string(name));
  return it->second.source;
}

std::vector<std::string> Settings::Describe() const {
  std::vector<std::string> lines;
  lines.reserve(entries_.size());
  for (const auto& [name, entry] : entries_) {
    if (entry.secret) {
      lines.push_back(name + "=" + (entry.value.empty() ? "(unset)" : "(set)"));
    } else {
      lines.push_back(name + "=" + entry.value);
    }
  }
  return lines;
}

void Settings::Set(const std::string& name, std::string value, std::string source, bool secret) {
  entries_[name] = Entry{std::move(value), std::move(source), secret};
}

ParseResult Parse(const ProgramInfo& program, const std::vector<Spec>& specs,
                  const std::vector<std::string>& argv,
                  const std::map<std::string, std::string>& env) {
  for (const std::string& arg : argv) {
    if (arg == "--") break;
    if (arg == "--help" || arg == "-h") {
      ParseResult r;
      r.kind = ParseResult::Kind::kHelp;
      r.message = HelpText(program, specs);
      return r;
    }
  }
  for (const std::string& arg : argv) {
    if (arg == "--") break;
    if (arg == "--version") {
      ParseResult r;
      r.kind = ParseResult::Kind::kVersion;
      r.message = program.name + " " + program.version + "\n";
      return r;
    }
  }

  struct FlagTarget {
    std::size_t spec;
    bool file;
  };
  std::map<std::string, FlagTarget, std::less<>> flags;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    flags[FlagName(specs[i].name)] = {i, false};
    if (specs[i].secret) flags[FlagName(specs[i].name) + "-file"] = {i, true};
  }

  ParseResult result;
  std::vector<Override> from_flags(specs.size());
  for (std::size_t a = 0; a < argv.size(); ++a) {
    const std::string& arg = argv[a];
    if (arg == "--") {
      result.positional.insert(result.positional.end(), argv.begin() + a + 1, argv.end());
      break;
    }
    if (arg.rfind("--", 0) != 0) {
      if (arg.size() > 1 && arg[0] == '-') return Failure("unknown flag " + arg);
      result.positional.push_back(arg);
      continue;
    }
    const auto eq = arg.find('=');
    const std::string typed = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const auto it = flags.find(FlagName(typed));
    if (it == flags.end()) return Failure("unknown flag --" + typed);
    const Spec& spec = specs[it->second.spec];
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (!it->second.file && IsBoolean(spec)) {
      // A bare boolean flag means true; "--dry-run false" still reads the word after it.
      if (a + 1 < argv.size() && ParseBool(argv[a + 1])) {
        value = argv[++a];
      } else {
        value = "true";
      }
    } else if (a + 1 < argv.size()) {
      value = argv[++a];
    } else {
      return Failure("flag --" + typed + " needs a value");
    }
    Override& o = from_flags[it->second.spec];
    if (it->second.file) {
      o.file = std::move(value);
    } else {
      o.value = std::move(value);
    }
  }

  for (std::size_t i = 0; i < specs.size(); ++i) {
    const Spec& spec = specs[i];
    Override from_env;
    if (const std::string* v = FindEnv(env, EnvName(spec.name))) from_env.value = *v;
    if (spec.secret) {
      if (const std::string* v = FindEnv(env, EnvName(spec.name) + "_FILE")) from_env.file = *v;
    }
    std::string value = spec.default_value;
    std::string source = "default";
    // A flag beats the environment; at each level a value given directly beats its _FILE.
    for (const Override* o : {&from_flags[i], &from_env}) {
      if (o->value) {
        value = *o->value;
        source = o == &from_env ? "env" : "flag";
        break;
      }
      if (o->file) {
        const FileRead read = ReadSecretFile(*o->file);
        if (!read.error.empty()) {
          return Failure("cannot read " + spec.name + "_FILE (env " + EnvName(spec.name) +
                         "_FILE / flag --" + FlagName(spec.name) + "-file): " + Quote(*o->file) +
                         ": " + read.error);
        }
        value = read.content;
        source = "file";
        break;
      }
    }
    if (!value.empty() || !spec.default_value.empty()) {
      if (const std::string expected = spec.validate(value); !expected.empty()) {
        return Failure(InvalidSettingMessage(spec.name, value, expected, spec.secret));
      }
    }
    result.settings.Set(spec.name, std::move(value), std::move(source), spec.secret);
  }
  return result;
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

std::vector<Spec> CommonSpecs(const std::string& default_listen) {
  return {
      {"LISTEN", default_listen, "Address of the HTTP server (host:port; port 0 picks one)",
       accept::HostPort()},
      {"HTTP_WORKERS", "256",
       "Connections the HTTP server serves at once, idle and slow ones included (each holds a "
       "thread; every worker costs about 45 KB of memory once it has served)",
       accept::Int(1, 4096)},
      {"LOG_LEVEL", "info", "Lowest level of log lines written to stderr",
       accept::OneOf({"trace", "debug", "info", "warn", "error"})},
      {"LOG_FORMAT", "text", "Log lines as text, or as one JSON object per line",
       accept::OneOf({"text", "json"})},
      {"FRIGATE_URL", "http://127.0.0.1:5000", "Base URL of Frigate's API", accept::HttpUrl()},
      {"FRIGATE_TOKEN", "", "Bearer token for Frigate's authenticated port (8971)", accept::Any(),
       true},
      {"API_TIMEOUT_SECONDS", "10", "Time limit of each call to Frigate's API, in seconds",
       accept::Double(0.1, 300)},
      {"NAMESPACE", "frigate", "Kubernetes namespace of the Frigate deployment"},
      {"DEPLOYMENT_NAME", "frigate", "Name of the Frigate deployment"},
      {"POD_LABEL_SELECTOR", "app=frigate", "Label selector that finds Frigate's pods"},
      {"FRIGATE_CONTAINER", "",
       "Name of Frigate's container in its pod; empty: the container named like the deployment, "
       "else \"frigate\"",
       accept::ContainerName()},
      {"KUBE_API_URL", "",
       "Kubernetes API URL when running outside a cluster (empty: the pod's service account)",
       accept::OptionalHttpUrl()},
      {"KUBE_TOKEN_FILE", "", "File holding the bearer token for KUBE_API_URL"},
      {"KUBE_CA_FILE", "", "CA bundle that signs KUBE_API_URL's certificate"},
      {"KUBE_INSECURE_SKIP_TLS_VERIFY", "false",
       "Skip checking KUBE_API_URL's certificate (for tests only)", accept::Bool()},
  };
}

std::string InvalidSettingMessage(const std::string& name, const std::string& value,
                                  const std::string& expected, bool secret) {
  return "invalid setting " + name + " " + Where(name) + ": " +
         (secret ? std::string("(secret value)") : Quote(value)) + " is not accepted; expected " +
         expected;
}

}  // namespace fhc::settings
