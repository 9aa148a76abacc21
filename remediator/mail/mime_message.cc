#include "remediator/mail/mime_message.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <ctime>
#include <random>

namespace fhc::remediator {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";
constexpr std::size_t kQpLine = 76;     // RFC 2045 limit, including a soft break's '='
constexpr std::size_t kWordBytes = 39;  // UTF-8 bytes per encoded word: 52 base64 characters,
                                        // so "Subject: =?UTF-8?B?...?=" stays under 78
constexpr std::size_t kFoldAt = 60;     // value characters per header line; the name comes on top

// Header fields we write ourselves; an extra header may not replace them.
constexpr std::array<std::string_view, 9> kOwnHeaders = {
    "date",       "from",         "to",           "subject",
    "message-id", "mime-version", "content-type", "content-transfer-encoding",
    "bcc"};

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    std::uint32_t n = (static_cast<unsigned char>(in[i]) << 16) |
                      (static_cast<unsigned char>(in[i + 1]) << 8) |
                      static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < in.size()) {
    std::uint32_t n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool IsContinuationByte(unsigned char c) { return (c & 0xC0) == 0x80; }

bool IsPrintableAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c >= 0x20 && c <= 0x7E;
  });
}

// Header text must stay on its field: line breaks and other controls become spaces.
std::string OneLine(std::string_view s) {
  std::string out(s);
  for (char& ch : out) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) ch = ' ';
  }
  return out;
}

// Moves words to continuation lines so no line of the field grows past kFoldAt characters of
// value (leaving room for the field name); a single longer word stays whole.
std::string FoldPlain(std::string_view s) {
  std::string out;
  std::size_t line_length = 0;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    std::size_t end = s.find(' ', pos);
    if (end == std::string_view::npos) end = s.size();
    std::string_view word = s.substr(pos, end - pos);
    if (pos == 0) {
      out += word;
      line_length = word.size();
    } else if (line_length + 1 + word.size() > kFoldAt && line_length > 0) {
      out += "\r\n ";  // the fold's space is the space between the words
      out += word;
      line_length = 1 + word.size();
    } else {
      out += ' ';
      out += word;
      line_length += 1 + word.size();
    }
    pos = end + 1;
  }
  return out;
}

bool IsHeaderName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool IsPlainAddress(std::string_view address) {
  if (address.empty() || address.size() > 254) return false;
  auto at = address.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == address.size() ||
      address.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  constexpr std::string_view kForbidden = "<>()[],;:\\\"";
  return std::all_of(address.begin(), address.end(), [&](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c > 0x20 && c < 0x7F && kForbidden.find(ch) == std::string_view::npos;
  });
}

std::string Rfc5322Date(WallTime t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::string NewMessageId(std::string_view from, WallTime now) {
  auto at = from.rfind('@');
  std::string domain = at == std::string_view::npos || at + 1 >= from.size()
                           ? std::string("frigate-remediator.invalid")
                           : std::string(from.substr(at + 1));
  std::random_device rd;
  std::uint64_t random = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld.%016llx", static_cast<long long>(ms),
                static_cast<unsigned long long>(random));
  // fmt::format, not `"<" + std::string(buf)`: GCC 12 at -O3 gives a -Wrestrict false positive.
  return fmt::format("<{}@{}>", buf, domain);
}

std::string QuotedPrintable(std::string_view text) {
  std::string out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    bool last = end == std::string_view::npos;
    std::string_view line = text.substr(pos, last ? std::string_view::npos : end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (last && line.empty() && pos > 0) break;  // text ended with a line break
    std::size_t col = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      auto c = static_cast<unsigned char>(line[i]);
      bool at_end = i + 1 == line.size();
      // A leading '.' is encoded so no relay can mistake the line for the end of DATA.
      bool literal = ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_end)) &&
                     !(c == '.' && col == 0);
      std::size_t width = literal ? 1 : 3;
      // Keep room for the soft break's '=' unless this is the line's last character.
      if (col + width > (at_end ? kQpLine : kQpLine - 1)) {
        out += "=\r\n";
        col = 0;
        if (c == '.') literal = false, width = 3;
      }
      if (literal) {
        out += static_cast<char>(c);
      } else {
        out += '=';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      col += width;
    }
    out += "\r\n";
    if (last) break;
    pos = end + 1;
  }
  return out;
}

std::string EncodeHeaderValue(std::string_view value) {
  if (IsPrintableAscii(value) && value.find("=?") == std::string_view::npos) {
    return FoldPlain(value);
  }
  std::string out;
  std::size_t pos = 0;
  while (pos < value.size()) {
    std::size_t len = std::min(kWordBytes, value.size() - pos);
    // Never cut inside a UTF-8 character (unless the input is not UTF-8 at all).
    std::size_t cut = len;
    while (cut > 0 && pos + cut < value.size() &&
           IsContinuationByte(static_cast<unsigned char>(value[pos + cut]))) {
      --cut;
    }
    if (cut == 0) cut = len;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(value.substr(pos, cut)) + "?=";
    pos += cut;
  }
  return out;
}

Result<std::string> FormatMessage(const Mail& mail, WallTime date, std::string_view message_id) {
  if (!IsPlainAddress(mail.from)) {
    return Result<std::string>::Error("invalid sender address \"" + OneLine(mail.from) + "\"");
  }
  if (mail.to.empty()) return Result<std::string>::Error("no recipient");
  for (const auto& to : mail.to) {
    if (!IsPlainAddress(to)) {
      return Result<std::string>::Error("invalid recipient address \"" + OneLine(to) + "\"");
    }
  }
  std::string to_line;
  std::size_t to_length = 0;
  for (const auto& to : mail.to) to_length += to.size() + 2;
  for (const auto& to : mail.to) {
    if (!to_line.empty()) to_line += to_length > kFoldAt ? ",\r\n " : ", ";
    to_line += to;
  }

  std::string out;
  out += "Date: " + Rfc5322Date(date) + "\r\n";
  out += "From: " + mail.from + "\r\n";
  out += "To: " + to_line + "\r\n";
  out += "Subject: " + EncodeHeaderValue(OneLine(mail.subject)) + "\r\n";
  out += "Message-ID: " + std::string(message_id) + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: quoted-printable\r\n";
  for (const auto& [name, value] : mail.headers) {
    if (!IsHeaderName(name)) {
      return Result<std::string>::Error("invalid header name \"" + OneLine(name) + "\"");
    }
    if (std::find(kOwnHeaders.begin(), kOwnHeaders.end(), Lower(name)) != kOwnHeaders.end()) {
      return Result<std::string>::Error("header " + name + " is set by the mailer");
    }
    out += name + ": " + EncodeHeaderValue(OneLine(value)) + "\r\n";
  }
  out += "\r\n";
  out += QuotedPrintable(mail.text_body);
  return out;
}

}  // namespace fhc::remediator
