#pragma once
// A composed mail and what composing one needs from the settings.
#include <map>
#include <string>

namespace fhc::remediator {

struct Email {
  std::string subject;  // UTF-8; the sender encodes it for the header (RFC 2047)
  std::string body;     // UTF-8 plain text, "\n" line ends
  std::string to;
  std::string from;
  // Extra headers; Date, Message-ID and MIME headers are the sender's.
  std::map<std::string, std::string> headers;
};

struct EmailSettings {
  std::string to;                  // ALERT_EMAIL
  std::string from;                // EMAIL_FROM
  std::string grafana_url;         // GRAFANA_URL, "" = no link
  std::string frigate_public_url;  // FRIGATE_PUBLIC_URL, "" = no link
  int max_restarts_per_hour = 2;   // MAX_RESTARTS_PER_HOUR, quoted next to the count
};

}  // namespace fhc::remediator
