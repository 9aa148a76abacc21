#include "remediator/app/webhook_auth.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace fhc::remediator {

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Walk the longer length so the time says nothing about the common prefix; lengths are
  // folded into the result instead of returning early.
  const std::size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

bool DecodeBase64(std::string_view in, std::string* out) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  out->clear();
  if (in.size() % 4 != 0) return false;
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t pad = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '=') {
      if (i + 2 < in.size()) return false;  // padding only at the end
      ++pad;
      continue;
    }
    if (pad > 0) return false;
    const int v = value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return pad <= 2;
}

namespace {

// Splits "Scheme credentials"; the scheme is case-insensitive (RFC 7235).
bool SplitScheme(std::string_view header, std::string_view scheme, std::string_view* rest) {
  if (header.size() <= scheme.size() || header[scheme.size()] != ' ') return false;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) !=
        std::tolower(static_cast<unsigned char>(scheme[i]))) {
      return false;
    }
  }
  *rest = header.substr(scheme.size() + 1);
  while (!rest->empty() && rest->front() == ' ') rest->remove_prefix(1);
  return true;
}

}  // namespace

StateAccess StateAccessFor(const WebhookAuthConfig& config, std::string_view authorization) {
  if (authorization.empty()) return StateAccess::kRedacted;
  if (config.mode == "none") return StateAccess::kRedacted;
  return WebhookAuthorized(config, authorization) ? StateAccess::kFull : StateAccess::kDenied;
}

bool WebhookAuthorized(const WebhookAuthConfig& config, std::string_view authorization) {
  if (config.mode == "none") return true;
  std::string_view credentials;
  if (config.mode == "bearer") {
    if (config.token.empty() || !SplitScheme(authorization, "Bearer", &credentials)) return false;
    return ConstantTimeEquals(credentials, config.token);
  }
  if (config.mode == "basic") {
    std::string decoded;
    if (!SplitScheme(authorization, "Basic", &credentials) ||
        !DecodeBase64(credentials, &decoded)) {
      return false;
    }
    auto colon = decoded.find(':');
    if (colon == std::string::npos) return false;
    // Both compared, always, so the time does not tell which one was wrong.
    const bool user_ok =
        ConstantTimeEquals(std::string_view(decoded).substr(0, colon), config.user);
    const bool password_ok =
        ConstantTimeEquals(std::string_view(decoded).substr(colon + 1), config.password);
    return user_ok && password_ok && !config.user.empty();
  }
  return false;
}

}  // namespace fhc::remediator
