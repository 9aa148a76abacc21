#pragma once
// RFC 5322 / MIME rendering of a Mail (pure): CRLF line ends, UTF-8 text as quoted-printable,
// non-ASCII header values as RFC 2047 encoded words, and refusal of anything that could inject a
// header or an SMTP command (CR/LF in addresses or header fields).
#include <string>
#include <string_view>

#include "common/clock/clock.h"
#include "common/core/result.h"
#include "remediator/mail/mail_sender.h"

namespace fhc::remediator {

// The whole message (header, blank line, body) ready for SMTP DATA. Errors name the bad field.
Result<std::string> FormatMessage(const Mail& mail, WallTime date, std::string_view message_id);

// A fresh Message-ID "<time.random@domain-of-from>" (angle brackets included).
std::string NewMessageId(std::string_view from, WallTime now);

// Whether text is a plain address we accept ("local@domain", no spaces, brackets, CR/LF).
bool IsPlainAddress(std::string_view address);

// RFC 5322 date-time in UTC: "Sat, 28 Nov 2026 07:26:58 +0000".
std::string Rfc5322Date(WallTime t);

// Quoted-printable (RFC 2045 6.7) of UTF-8 text with CRLF line ends; lines at most 76 characters.
std::string QuotedPrintable(std::string_view text);

// A header field value: as is when printable ASCII, else RFC 2047 "=?UTF-8?B?...?=" words that
// never split a UTF-8 character, folded onto continuation lines.
std::string EncodeHeaderValue(std::string_view value);

}  // namespace fhc::remediator
