#pragma once
// MailSender over SMTP with libcurl: implicit TLS (smtps://), STARTTLS required (smtp:// with
// CURLUSESSL_ALL), or plaintext only when configured so. Certificates are always verified against
// the system store or SMTP_CA_FILE.
#include <chrono>
#include <string>
#include <string_view>

#include "common/clock/clock.h"
#include "common/core/result.h"
#include "remediator/mail/mail_sender.h"

namespace fhc::remediator {

enum class SmtpTls {
  kImplicit,  // TLS from the first byte (port 465)
  kStartTls,  // plain connect, then STARTTLS; refuse to go on without it
  kNone,      // no encryption at all (only when asked for)
};

// "implicit" | "starttls" | "none"; errors list the accepted values.
Result<SmtpTls> ParseSmtpTls(std::string_view text);
std::string_view SmtpTlsName(SmtpTls tls);
// When SMTP_TLS is not set: implicit TLS on 465, STARTTLS everywhere else.
SmtpTls DefaultSmtpTls(int port);

struct SmtpConfig {
  std::string host;
  int port = 465;
  SmtpTls tls = SmtpTls::kImplicit;
  std::string ca_file;  // extra CA bundle; empty = system store
  std::string user;     // AUTH only when non-empty
  std::string password;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds timeout{30'000};  // the whole session
};

class SmtpMailSender final : public MailSender {
 public:
  explicit SmtpMailSender(SmtpConfig config, const Clock& clock = SystemClock::Instance());
  // Thread-safe (each call is its own SMTP session). Errors read like
  // "smtp 127.0.0.1:465: Login denied (server said 535)".
  Status Send(const Mail& mail) override;

  // The URL libcurl is given ("smtps://[::1]:465/<ehlo name>"), for logs and tests.
  std::string Url() const;

 private:
  SmtpConfig config_;
  const Clock& clock_;
};

}  // namespace fhc::remediator
