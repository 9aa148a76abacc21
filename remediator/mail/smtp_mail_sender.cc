#include "remediator/mail/smtp_mail_sender.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <utility>

#include "remediator/mail/mime_message.h"

namespace fhc::remediator {
namespace {

struct Upload {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t ReadUpload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  std::size_t n = std::min(size * count, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

// The name we greet with (EHLO): this host's name when it is a plain DNS name.
std::string EhloName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  std::string_view n(name);
  bool plain = std::all_of(n.begin(), n.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
  });
  return plain ? std::string(n) : "localhost";
}

void ReplaceAll(std::string& text, std::string_view what, std::string_view with) {
  if (what.empty()) return;
  for (std::size_t p = 0; (p = text.find(what, p)) != std::string::npos; p += with.size()) {
    text.replace(p, what.size(), with);
  }
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

Result<SmtpTls> ParseSmtpTls(std::string_view text) {
  if (text == "implicit") return SmtpTls::kImplicit;
  if (text == "starttls") return SmtpTls::kStartTls;
  if (text == "none") return SmtpTls::kNone;
  return Result<SmtpTls>::Error("must be implicit, starttls or none");
}

std::string_view SmtpTlsName(SmtpTls tls) {
  switch (tls) {
    case SmtpTls::kImplicit:
      return "implicit";
    case SmtpTls::kStartTls:
      return "starttls";
    case SmtpTls::kNone:
      return "none";
  }
  return "none";
}

SmtpTls DefaultSmtpTls(int port) { return port == 465 ? SmtpTls::kImplicit : SmtpTls::kStartTls; }

SmtpMailSender::SmtpMailSender(SmtpConfig config, const Clock& clock)
    : config_(std::move(config)), clock_(clock) {
  curl_global_init(CURL_GLOBAL_DEFAULT);  // reference-counted; cheap after the first call
}

std::string SmtpMailSender::Url() const {
  std::string host = config_.host;
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  return std::string(config_.tls == SmtpTls::kImplicit ? "smtps://" : "smtp://") + host + ":" +
         std::to_string(config_.port) + "/" + EhloName();
}

Status SmtpMailSender::Send(const Mail& mail) {
  const std::string where = "smtp " + config_.host + ":" + std::to_string(config_.port);
  WallTime now = clock_.Now();
  auto message = FormatMessage(mail, now, NewMessageId(mail.from, now));
  if (!message.ok()) return Status::Error("mail not sent: " + message.error());

  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Status::Error(where + ": cannot initialise libcurl");
  std::unique_ptr<curl_slist, SlistDeleter> recipients;
  for (const auto& to : mail.to) {
    curl_slist* next = curl_slist_append(recipients.get(), ("<" + to + ">").c_str());
    if (next == nullptr) return Status::Error(where + ": out of memory");
    (void)recipients.release();
    recipients.reset(next);
  }
  Upload upload{*message, 0};
  char errbuf[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  const std::string url = Url();
  const std::string from = "<" + mail.from + ">";
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(config_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout.count()));
  // Also bounds each reply, including the QUIT libcurl waits for when closing after a failure
  // (otherwise a stalled server holds Send() for libcurl's default of 120 s).
  long reply_seconds = std::max<long>(
      1, static_cast<long>(std::chrono::ceil<std::chrono::seconds>(config_.timeout).count()));
  curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT, reply_seconds);
  curl_easy_setopt(c, CURLOPT_USE_SSL,
                   config_.tls == SmtpTls::kStartTls ? CURLUSESSL_ALL : CURLUSESSL_NONE);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!config_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, config_.ca_file.c_str());
  if (!config_.user.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, config_.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, config_.password.c_str());
  }
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message->size()));

  CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_OK) return OkStatus();

  std::string error = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  if (code >= 400 && error.find(std::to_string(code)) == std::string::npos) {
    error += " (server said " + std::to_string(code) + ")";
  }
  // libcurl does not echo credentials, but an error text must never carry the password.
  if (config_.password.size() >= 3) ReplaceAll(error, config_.password, "***");
  return Status::Error(where + ": " + error);
}

}  // namespace fhc::remediator
