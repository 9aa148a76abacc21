#pragma once
// The email seam: the remediator composes a Mail and hands it to a MailSender. Production sends
// over SMTP (SmtpMailSender); tests record.
#include <string>
#include <utility>
#include <vector>

#include "common/core/result.h"

namespace fhc::remediator {

struct Mail {
  std::string from;             // bare address: "frigate-remediator@example.com"
  std::vector<std::string> to;  // bare addresses, at least one
  std::string subject;          // UTF-8, one line
  std::string text_body;        // UTF-8 plain text; "\n" or "\r\n" line ends
  // Extra header fields ("X-Frigate-Incident", "Auto-Submitted", ...), ASCII names, UTF-8 values.
  std::vector<std::pair<std::string, std::string>> headers;
};

class MailSender {
 public:
  virtual ~MailSender() = default;
  // Delivers the mail to the relay; OK once the relay accepted it. Errors are one short line that
  // never contains a credential.
  virtual Status Send(const Mail& mail) = 0;
};

}  // namespace fhc::remediator
