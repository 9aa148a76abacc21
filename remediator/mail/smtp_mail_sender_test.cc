// SmtpMailSender against a real SMTP server (tests/doubles/smtp_server.py, aiosmtpd) on loopback:
// each delivered message is read back from disk and decoded by Python's email package, an
// implementation independent of ours.
#include "remediator/mail/smtp_mail_sender.h"

#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/json/json.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fhc::remediator {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kPython = "/usr/bin/python3";
const std::string kScript = std::string(FHC_SOURCE_DIR) + "/tests/doubles/smtp_server.py";
constexpr char kUser[] = "frigate";
constexpr char kPassword[] = "s3cret-Pa55";

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "fhc-smtp-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string Sub(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
  std::string path_;
};

// The SMTP double as a child process; stopped with SIGTERM when destroyed.
class SmtpServer {
 public:
  explicit SmtpServer(std::vector<std::string> args) {
    int out[2];
    if (::pipe(out) != 0) return;
    std::vector<std::string> argv = {kPython,          kScript,      "--maildir",
                                     dir_.Sub("mail"), "--cert-dir", dir_.Sub("certs")};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<char*> cargv;
      for (auto& a : argv) cargv.push_back(a.data());
      cargv.push_back(nullptr);
      ::execv(kPython.c_str(), cargv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    // Read "PORT n" (and "CA path") lines; cert generation may take a moment.
    std::string text;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      bool need_ca = std::find(args.begin(), args.end(), "none") == args.end();
      if (port_ != 0 && (!need_ca || !ca_.empty())) break;
      pollfd p{out[0], POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      char buf[512];
      ssize_t n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      text.append(buf, static_cast<size_t>(n));
      std::size_t nl;
      while ((nl = text.find('\n')) != std::string::npos) {
        std::string line = text.substr(0, nl);
        text.erase(0, nl + 1);
        if (line.rfind("PORT ", 0) == 0) port_ = std::stoi(line.substr(5));
        if (line.rfind("CA ", 0) == 0) ca_ = line.substr(3);
      }
    }
    ::close(out[0]);
  }
  ~SmtpServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }
  const std::string& ca() const { return ca_; }

  std::vector<std::string> Messages() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_.Sub("mail"), ec)) {
      if (e.path().extension() == ".eml") out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string ca_;
};

// Runs a command and returns its stdout.
std::string Capture(const std::string& command) {
  std::string out;
  FILE* f = ::popen(command.c_str(), "r");
  if (f == nullptr) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  ::pclose(f);
  return out;
}

// What a mail client shows: the message decoded by Python's email package.
struct Decoded {
  rapidjson::Document doc;
  std::string S(const char* name) const { return json::String(doc, name).value_or("<absent>"); }
};

std::optional<Decoded> Decode(const std::string& eml) {
  auto doc = json::Parse(Capture(kPython + " " + kScript + " --decode '" + eml + "'"));
  if (!doc.ok()) return std::nullopt;
  return Decoded{std::move(*doc)};
}

std::optional<Decoded> Envelope(const std::string& eml) {
  std::string path = eml.substr(0, eml.size() - 4) + ".json";
  auto doc = json::Parse(Capture("cat '" + path + "'"));
  if (!doc.ok()) return std::nullopt;
  return Decoded{std::move(*doc)};
}

Mail IncidentMail() {
  Mail m;
  m.from = "remediator@nvr.example.org";
  m.to = {"ops@example.org", "oncall@example.org"};
  m.subject = "[frigate] nvr/frigate neu gestartet – Kamera „Einfahrt“ hängt 🚨";
  m.text_body =
      "Frigate wurde neu gestartet.\n"
      "Grund: FrigateDetectionStuck (detection_start älter als 10 s)\n"
      ".Zeile mit Punkt am Anfang\n"
      "Ω ダウン " +
      std::string(120, '=') + "\n";
  m.headers = {{"Auto-Submitted", "auto-generated"}};
  return m;
}

SmtpConfig ConfigFor(const SmtpServer& server, SmtpTls tls) {
  SmtpConfig config;
  config.host = "127.0.0.1";
  config.port = server.port();
  config.tls = tls;
  config.ca_file = server.ca();
  config.user = kUser;
  config.password = kPassword;
  config.connect_timeout = std::chrono::seconds(5);
  config.timeout = std::chrono::seconds(15);
  return config;
}

void ExpectDeliveredIntact(const SmtpServer& server, const Mail& sent) {
  auto messages = server.Messages();
  ASSERT_EQ(messages.size(), 1u);
  auto mail = Decode(messages[0]);
  ASSERT_TRUE(mail.has_value()) << "undecodable message " << messages[0];
  EXPECT_EQ(mail->S("subject"), sent.subject);
  EXPECT_EQ(mail->S("body"), sent.text_body);
  EXPECT_EQ(mail->S("from"), sent.from);
  EXPECT_EQ(mail->S("content_type"), "text/plain");
  EXPECT_EQ(mail->S("charset"), "utf-8");
  EXPECT_EQ(mail->S("mime_version"), "1.0");
  EXPECT_EQ(mail->S("transfer_encoding"), "quoted-printable");
  EXPECT_THAT(mail->S("message_id"), ::testing::EndsWith("@nvr.example.org>"));
  EXPECT_THAT(mail->S("date"), HasSubstr("+0000"));
  EXPECT_EQ(json::ToString(mail->doc["to"]), R"(["ops@example.org","oncall@example.org"])");
  EXPECT_EQ(json::ToString(mail->doc["defects"]), "[]");
  auto envelope = Envelope(messages[0]);
  ASSERT_TRUE(envelope.has_value());
  EXPECT_EQ(envelope->S("mail_from"), sent.from);
  EXPECT_EQ(json::ToString(envelope->doc["rcpt_tos"]),
            R"(["ops@example.org","oncall@example.org"])");
}

TEST(SmtpMailSender, ImplicitTlsWithLoginDeliversTheMailIntact) {
  SmtpServer server(
      {"--tls", "implicit", "--user", kUser, "--password", kPassword, "--require-auth"});
  ASSERT_NE(server.port(), 0);
  SmtpMailSender sender(ConfigFor(server, SmtpTls::kImplicit));
  EXPECT_THAT(sender.Url(), ::testing::StartsWith("smtps://127.0.0.1:"));
  Mail mail = IncidentMail();
  Status sent = sender.Send(mail);
  ASSERT_TRUE(sent.ok()) << sent.error();
  ExpectDeliveredIntact(server, mail);
  auto envelope = Envelope(server.Messages()[0]);
  EXPECT_EQ(envelope->S("login"), kUser);
  EXPECT_EQ(json::Bool(envelope->doc, "tls"), true);
}

TEST(SmtpMailSender, StartTlsWithTheTestCaDeliversTheMailIntact) {
  SmtpServer server(
      {"--tls", "starttls", "--user", kUser, "--password", kPassword, "--require-auth"});
  ASSERT_NE(server.port(), 0);
  SmtpMailSender sender(ConfigFor(server, SmtpTls::kStartTls));
  Mail mail = IncidentMail();
  Status sent = sender.Send(mail);
  ASSERT_TRUE(sent.ok()) << sent.error();
  ExpectDeliveredIntact(server, mail);
  auto envelope = Envelope(server.Messages()[0]);
  EXPECT_EQ(envelope->S("login"), kUser);
  EXPECT_EQ(json::Bool(envelope->doc, "tls"), true);  // AUTH is only offered after STARTTLS
}

TEST(SmtpMailSender, WrongPasswordIsAShortErrorThatDoesNotContainThePassword) {
  SmtpServer server(
      {"--tls", "implicit", "--user", kUser, "--password", kPassword, "--require-auth"});
  SmtpConfig config = ConfigFor(server, SmtpTls::kImplicit);
  config.password = "wrong-Pa55word";
  SmtpMailSender sender(config);
  Status sent = sender.Send(IncidentMail());
  ASSERT_FALSE(sent.ok());
  EXPECT_THAT(sent.error(), HasSubstr("Login denied"));
  EXPECT_THAT(sent.error(), HasSubstr("127.0.0.1:" + std::to_string(server.port())));
  EXPECT_THAT(sent.error(), Not(HasSubstr("wrong-Pa55word")));
  EXPECT_THAT(sent.error(), Not(HasSubstr(kPassword)));
  EXPECT_LT(sent.error().size(), 200u);
  EXPECT_TRUE(server.Messages().empty());
}

TEST(SmtpMailSender, UntrustedCertificateIsRefused) {
  SmtpServer server({"--tls", "starttls", "--user", kUser, "--password", kPassword});
  SmtpConfig config = ConfigFor(server, SmtpTls::kStartTls);
  config.ca_file = "/etc/ssl/certs/ca-certificates.crt";  // the system store does not know our CA
  SmtpMailSender sender(config);
  Status sent = sender.Send(IncidentMail());
  ASSERT_FALSE(sent.ok());
  EXPECT_THAT(sent.error(), HasSubstr("certificate"));
  EXPECT_TRUE(server.Messages().empty());
}

TEST(SmtpMailSender, StartTlsModeRefusesAServerWithoutStartTls) {
  SmtpServer server({"--tls", "none"});
  SmtpConfig config = ConfigFor(server, SmtpTls::kStartTls);
  config.user.clear();
  SmtpMailSender sender(config);
  Status sent = sender.Send(IncidentMail());
  ASSERT_FALSE(sent.ok());
  EXPECT_THAT(sent.error(), HasSubstr("STARTTLS"));
  EXPECT_TRUE(server.Messages().empty());
}

TEST(SmtpMailSender, PlaintextOnlyWhenAskedFor) {
  SmtpServer server({"--tls", "none"});
  SmtpConfig config = ConfigFor(server, SmtpTls::kNone);
  config.user.clear();
  SmtpMailSender sender(config);
  Mail mail = IncidentMail();
  Status sent = sender.Send(mail);
  ASSERT_TRUE(sent.ok()) << sent.error();
  ExpectDeliveredIntact(server, mail);
}

TEST(SmtpMailSender, ServerDownIsAnError) {
  // A port that was free a moment ago: bind, read the number, close.
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(s);
  SmtpConfig config;
  config.host = "127.0.0.1";
  config.port = ntohs(addr.sin_port);
  config.tls = SmtpTls::kStartTls;
  config.user = kUser;
  config.password = kPassword;
  Status sent = SmtpMailSender(config).Send(IncidentMail());
  ASSERT_FALSE(sent.ok());
  EXPECT_THAT(sent.error(), HasSubstr("onnect"));
  EXPECT_THAT(sent.error(), Not(HasSubstr(kPassword)));
}

TEST(SmtpMailSender, SlowServerHitsTheTimeout) {
  SmtpServer server(
      {"--tls", "implicit", "--user", kUser, "--password", kPassword, "--data-delay", "10"});
  SmtpConfig config = ConfigFor(server, SmtpTls::kImplicit);
  config.timeout = std::chrono::milliseconds(1500);
  SmtpMailSender sender(config);
  auto start = std::chrono::steady_clock::now();
  Status sent = sender.Send(IncidentMail());
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(sent.ok());
  EXPECT_THAT(sent.error(), HasSubstr("imeout"));
  // The session timeout, plus at most as long again for libcurl's closing QUIT.
  EXPECT_LT(took, std::chrono::milliseconds(4500)) << sent.error();
}

TEST(SmtpMailSender, InvalidRecipientIsRefusedBeforeConnecting) {
  SmtpConfig config;
  config.host = "127.0.0.1";
  config.port = 1;  // nothing is contacted
  Mail mail = IncidentMail();
  mail.to = {"ops@example.org>\r\nRCPT TO:<evil@example.org"};
  Status sent = SmtpMailSender(config).Send(mail);
  ASSERT_FALSE(sent.ok());
  EXPECT_THAT(sent.error(), HasSubstr("invalid recipient"));
}

TEST(SmtpTlsSetting, ParsesNamesAndDefaultsByPort) {
  EXPECT_EQ(*ParseSmtpTls("implicit"), SmtpTls::kImplicit);
  EXPECT_EQ(*ParseSmtpTls("starttls"), SmtpTls::kStartTls);
  EXPECT_EQ(*ParseSmtpTls("none"), SmtpTls::kNone);
  EXPECT_FALSE(ParseSmtpTls("ssl").ok());
  EXPECT_EQ(DefaultSmtpTls(465), SmtpTls::kImplicit);
  EXPECT_EQ(DefaultSmtpTls(587), SmtpTls::kStartTls);
  EXPECT_EQ(DefaultSmtpTls(25), SmtpTls::kStartTls);
  EXPECT_EQ(SmtpTlsName(SmtpTls::kStartTls), "starttls");
}

}  // namespace
}  // namespace fhc::remediator
