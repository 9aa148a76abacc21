#include "remediator/mail/mime_message.h"

#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fhc::remediator {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const WallTime kDate = FromUnixSeconds(1'795'000'000);  // Mon, 18 Nov 2026 ...

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find("\r\n", pos);
    if (end == std::string::npos) {
      out.push_back(text.substr(pos));
      break;
    }
    out.push_back(text.substr(pos, end - pos));
    pos = end + 2;
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A strict decoder written from RFC 2045 for the checks (independent of the encoder).
std::string DecodeQp(const std::string& qp) {
  std::string out;
  for (const std::string& line : Lines(qp)) {
    std::string_view l = line;
    bool soft = !l.empty() && l.back() == '=';
    if (soft) l.remove_suffix(1);
    for (std::size_t i = 0; i < l.size(); ++i) {
      if (l[i] == '=' && i + 2 < l.size() && HexValue(l[i + 1]) >= 0 && HexValue(l[i + 2]) >= 0) {
        out += static_cast<char>(HexValue(l[i + 1]) * 16 + HexValue(l[i + 2]));
        i += 2;
      } else {
        out += l[i];
      }
    }
    if (!soft) out += "\n";
  }
  return out;
}

std::string DecodeBase64(std::string_view in) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int bits = 0, value = 0;
  for (char c : in) {
    if (c == '=') break;
    value = (value << 6) | static_cast<int>(kAlphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((value >> bits) & 0xFF);
    }
  }
  return out;
}

// Decodes "=?UTF-8?B?..?=" words separated by folding whitespace.
std::vector<std::string> EncodedWords(const std::string& value) {
  std::vector<std::string> words;
  std::size_t pos = 0;
  while ((pos = value.find("=?UTF-8?B?", pos)) != std::string::npos) {
    std::size_t end = value.find("?=", pos + 10);
    words.push_back(value.substr(pos, end + 2 - pos));
    pos = end + 2;
  }
  return words;
}

bool ValidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

Mail BasicMail() {
  Mail m;
  m.from = "remediator@example.com";
  m.to = {"ops@example.com"};
  m.subject = "Frigate restarted";
  m.text_body = "Frigate was restarted.\n";
  return m;
}

std::string HeaderBlock(const std::string& message) {
  return message.substr(0, message.find("\r\n\r\n") + 2);
}
std::string Body(const std::string& message) {
  return message.substr(message.find("\r\n\r\n") + 4);
}

TEST(FormatMessage, HasTheMimeHeadersAndACrlfSeparatedBody) {
  auto msg = FormatMessage(BasicMail(), kDate, "<1.2@example.com>");
  ASSERT_TRUE(msg.ok()) << msg.error();
  std::string head = HeaderBlock(*msg);
  EXPECT_THAT(head, HasSubstr("Date: " + Rfc5322Date(kDate) + "\r\n"));
  EXPECT_THAT(head, HasSubstr("From: remediator@example.com\r\n"));
  EXPECT_THAT(head, HasSubstr("To: ops@example.com\r\n"));
  EXPECT_THAT(head, HasSubstr("Subject: Frigate restarted\r\n"));
  EXPECT_THAT(head, HasSubstr("Message-ID: <1.2@example.com>\r\n"));
  EXPECT_THAT(head, HasSubstr("MIME-Version: 1.0\r\n"));
  EXPECT_THAT(head, HasSubstr("Content-Type: text/plain; charset=UTF-8\r\n"));
  EXPECT_THAT(head, HasSubstr("Content-Transfer-Encoding: quoted-printable\r\n"));
  EXPECT_EQ(Body(*msg), "Frigate was restarted.\r\n");
}

TEST(Rfc5322Date, IsUtcWithDayAndMonthNames) {
  EXPECT_EQ(Rfc5322Date(FromUnixSeconds(0)), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(Rfc5322Date(FromUnixSeconds(1'709'251'199)), "Thu, 29 Feb 2024 23:59:59 +0000");
}

TEST(NewMessageId, UsesTheSendersDomainAndIsUnique) {
  std::string a = NewMessageId("remediator@nvr.example.org", kDate);
  std::string b = NewMessageId("remediator@nvr.example.org", kDate);
  EXPECT_EQ(a.front(), '<');
  EXPECT_THAT(a, ::testing::EndsWith("@nvr.example.org>"));
  EXPECT_NE(a, b);
}

TEST(FormatMessage, Utf8SubjectBecomesEncodedWordsThatDecodeBackWithoutSplitCharacters) {
  Mail m = BasicMail();
  m.subject = "Frigate neu gestartet – Kamera „Einfahrt“ hängt 🚨 Ωμέγα κάμερα ダウン検出 ok";
  auto msg = FormatMessage(m, kDate, "<x@y>");
  ASSERT_TRUE(msg.ok());
  std::string head = HeaderBlock(*msg);
  std::size_t start = head.find("Subject: ") + 9;
  std::size_t end = head.find("\r\nMessage-ID");
  std::string value = head.substr(start, end - start);
  auto words = EncodedWords(value);
  ASSERT_GT(words.size(), 1u);
  std::string decoded;
  for (const auto& w : words) {
    EXPECT_LE(w.size(), 75u) << w;
    std::string part = DecodeBase64(w.substr(10, w.size() - 12));
    EXPECT_TRUE(ValidUtf8(part)) << "a word splits a character: " << w;
    decoded += part;
  }
  EXPECT_EQ(decoded, m.subject);
  for (const auto& line : Lines(head)) EXPECT_LE(line.size(), 78u) << line;
}

TEST(FormatMessage, AsciiSubjectStaysReadableAndLongOnesFold) {
  Mail m = BasicMail();
  m.subject = std::string(30, 'a') + " " + std::string(30, 'b') + " " + std::string(30, 'c');
  auto msg = FormatMessage(m, kDate, "<x@y>");
  ASSERT_TRUE(msg.ok());
  std::string head = HeaderBlock(*msg);
  std::size_t start = head.find("Subject: ") + 9;
  std::string value = head.substr(start, head.find("\r\nMessage-ID") - start);
  EXPECT_THAT(value, HasSubstr("\r\n "));  // folded
  // Unfolding (RFC 5322 2.2.3: remove the CRLF) gives the subject back.
  for (std::size_t p; (p = value.find("\r\n")) != std::string::npos;) value.erase(p, 2);
  EXPECT_EQ(value, m.subject);
  for (const auto& line : Lines(HeaderBlock(*msg))) EXPECT_LE(line.size(), 78u) << line;
}

TEST(FormatMessage, LineBreaksInSubjectOrHeaderValuesCannotInjectHeaders) {
  Mail m = BasicMail();
  m.subject = "alert\r\nBcc: victim@example.com";
  m.headers = {{"X-Frigate-Alert", "a\nTo: other@example.com"}};
  auto msg = FormatMessage(m, kDate, "<x@y>");
  ASSERT_TRUE(msg.ok());
  EXPECT_THAT(*msg, Not(HasSubstr("\r\nBcc:")));
  EXPECT_THAT(*msg, Not(HasSubstr("\nTo: other")));
  EXPECT_THAT(*msg, HasSubstr("Subject: alert  Bcc: victim@example.com\r\n"));
}

TEST(FormatMessage, RejectsBadAddressesAndHeaderNames) {
  Mail m = BasicMail();
  m.to = {"ops@example.com\r\nRCPT TO:<x@evil>"};
  EXPECT_FALSE(FormatMessage(m, kDate, "<x@y>").ok());
  m = BasicMail();
  m.to = {};
  EXPECT_EQ(FormatMessage(m, kDate, "<x@y>").error(), "no recipient");
  m = BasicMail();
  m.from = "Remediator <r@example.com>";
  EXPECT_THAT(FormatMessage(m, kDate, "<x@y>").error(), HasSubstr("sender"));
  m = BasicMail();
  m.headers = {{"Bad Name", "v"}};
  EXPECT_THAT(FormatMessage(m, kDate, "<x@y>").error(), HasSubstr("header name"));
  m = BasicMail();
  m.headers = {{"content-type", "text/html"}};
  EXPECT_THAT(FormatMessage(m, kDate, "<x@y>").error(), HasSubstr("set by the mailer"));
}

TEST(FormatMessage, ExtraHeadersAreWrittenAndNonAsciiValuesEncoded) {
  Mail m = BasicMail();
  m.headers = {{"Auto-Submitted", "auto-generated"}, {"X-Frigate-Camera", "Küche"}};
  auto msg = FormatMessage(m, kDate, "<x@y>");
  ASSERT_TRUE(msg.ok());
  EXPECT_THAT(*msg, HasSubstr("Auto-Submitted: auto-generated\r\n"));
  EXPECT_THAT(*msg, HasSubstr("X-Frigate-Camera: =?UTF-8?B?"));
  EXPECT_THAT(*msg, Not(HasSubstr("Küche")));
}

TEST(IsPlainAddress, AcceptsOnlyBareAddresses) {
  EXPECT_TRUE(IsPlainAddress("a.b+tag@sub.example.com"));
  EXPECT_FALSE(IsPlainAddress("no-at-sign"));
  EXPECT_FALSE(IsPlainAddress("@example.com"));
  EXPECT_FALSE(IsPlainAddress("a@"));
  EXPECT_FALSE(IsPlainAddress("a@b@c"));
  EXPECT_FALSE(IsPlainAddress("a b@c"));
  EXPECT_FALSE(IsPlainAddress("<a@b>"));
  EXPECT_FALSE(IsPlainAddress("a@b\n"));
}

TEST(QuotedPrintable, Utf8AndSpecialCharactersRoundTripWithShortLines) {
  std::string text =
      "Grüße aus der Küche: 50% = half\n"
      "trailing space \n"
      ".a line starting with a dot\n"
      "tab\there\r\n" +
      std::string(200, 'x') + "\n" + std::string(80, 'y') + "=" + std::string(10, 'z') +
      "\n"
      "Ωμέγα 🚨 ダウン\n";
  std::string qp = QuotedPrintable(text);
  for (const auto& line : Lines(qp)) {
    EXPECT_LE(line.size(), 76u) << line;
    EXPECT_NE(line.rfind(".", 0), 0u) << "line starts with a dot: " << line;
    if (!line.empty()) {
      EXPECT_NE(line.back(), ' ') << line;
    }
    for (char c : line) EXPECT_TRUE(c == '\t' || (c >= 0x20 && c < 0x7F)) << line;
  }
  std::string expected = text;
  // Line ends normalise to CRLF on the wire, "\n" after decoding.
  expected.replace(expected.find("\r\n"), 2, "\n");
  EXPECT_EQ(DecodeQp(qp), expected);
  EXPECT_THAT(qp, HasSubstr("50% =3D half"));
  EXPECT_THAT(qp, HasSubstr("trailing space=20\r\n"));
}

TEST(QuotedPrintable, BodyWithoutFinalNewlineGetsOne) {
  EXPECT_EQ(QuotedPrintable("one line"), "one line\r\n");
  EXPECT_EQ(QuotedPrintable("a\nb\n"), "a\r\nb\r\n");
  EXPECT_EQ(QuotedPrintable(""), "\r\n");
}

}  // namespace
}  // namespace fhc::remediator
