// The validators of settings.h (namespace accept): each returns "" or what it accepts.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <string>
#include <utility>

#include "common/json/json.h"
#include "common/settings/settings.h"
#include "common/settings/values.h"

namespace fhc::settings::accept {
namespace {

std::string FormatNumber(double d) { return fmt::format("{:g}", d); }

bool ValidPort(std::string_view s) {
  if (s.empty() || s.size() > 5) return false;
  long port = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), port);
  return ec == std::errc() && end == s.data() + s.size() && port >= 0 && port <= 65535;
}

bool ValidHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (const char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool ValidIpv6Literal(std::string_view host) {
  if (host.empty()) return false;
  for (const char c : host) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                    c == ':' || c == '.';
    if (!ok) return false;
  }
  return host.find(':') != std::string_view::npos;
}

bool ValidHostPort(std::string_view s) {
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') {
      return false;
    }
    return ValidIpv6Literal(s.substr(1, close - 1)) && ValidPort(s.substr(close + 2));
  }
  const auto colon = s.rfind(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view host = s.substr(0, colon);
  return (host.empty() || ValidHostName(host)) && ValidPort(s.substr(colon + 1));
}

bool ValidHttpUrl(std::string_view s) {
  std::string_view rest;
  const std::string lower = ToLower(s.substr(0, 8));
  if (lower.rfind("http://", 0) == 0) {
    rest = s.substr(7);
  } else if (lower.rfind("https://", 0) == 0) {
    rest = s.substr(8);
  } else {
    return false;
  }
  for (const char c : s) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  if (authority.empty()) return false;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return false;
    if (!ValidIpv6Literal(authority.substr(1, close - 1))) return false;
    const std::string_view after = authority.substr(close + 1);
    return after.empty() || (after.front() == ':' && ValidPort(after.substr(1)));
  }
  const auto colon = authority.find(':');
  if (colon == std::string_view::npos) return ValidHostName(authority);
  return ValidHostName(authority.substr(0, colon)) && ValidPort(authority.substr(colon + 1));
}

}  // namespace

Validator Any() {
  return [](std::string_view) { return std::string(); };
}

Validator Int(long min, long max) {
  std::string expected = fmt::format("an integer from {} to {}", min, max);
  return [min, max, expected](std::string_view value) {
    const auto parsed = ParseLong(value);
    return parsed && *parsed >= min && *parsed <= max ? std::string() : expected;
  };
}

Validator Double(double min, double max) {
  std::string expected =
      fmt::format("a number from {} to {}", FormatNumber(min), FormatNumber(max));
  return [min, max, expected](std::string_view value) {
    const auto parsed = ParseDouble(value);
    return parsed && *parsed >= min && *parsed <= max ? std::string() : expected;
  };
}

Validator Bool() {
  return [](std::string_view value) {
    return ParseBool(value) ? std::string() : std::string("true or false");
  };
}

Validator OneOf(std::vector<std::string> choices) {
  std::string expected = "one of: ";
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) expected += ", ";
    expected += choices[i];
  }
  return [choices = std::move(choices), expected](std::string_view value) {
    for (const auto& choice : choices) {
      if (choice == value) return std::string();
    }
    return expected;
  };
}

Validator HostPort() {
  return [](std::string_view value) {
    return ValidHostPort(value) ? std::string() : std::string("host:port");
  };
}

Validator HttpUrl() {
  return [](std::string_view value) {
    return ValidHttpUrl(value) ? std::string() : std::string("an http:// or https:// URL");
  };
}

Validator StringList() {
  return [](std::string_view value) {
    return ParseStringList(value) ? std::string()
                                  : std::string("a JSON list of strings or a comma-separated list");
  };
}

Validator OptionalHttpUrl() {
  return [](std::string_view value) {
    return value.empty() || ValidHttpUrl(value)
               ? std::string()
               : std::string("empty or an http:// or https:// URL");
  };
}

Validator ContainerName() {
  return [](std::string_view v) -> std::string {
    const std::string expected =
        "empty or a container name (lowercase letters, digits and '-', at most 63, starting and "
        "ending with a letter or digit)";
    if (v.empty()) return "";
    if (v.size() > 63 || v.front() == '-' || v.back() == '-') return expected;
    for (char c : v) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return expected;
    }
    return "";
  };
}

}  // namespace fhc::settings::accept
