#include "common/http/http_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/un.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "common/http/http_server.h"
#include "tests/support/http_loopback.h"

namespace fhc::http {
namespace {

using testing::HasSubstr;
using testing::StartsWith;
using namespace std::chrono_literals;
using namespace testing_util;

ServerResponse Text(std::string body) {
  ServerResponse r;
  r.body = std::move(body);
  return r;
}

class ClientTest : public testing::Test {
 protected:
  void SetUp() override {
    server_.Route("GET", "/auth",
                  [](const ServerRequest& r) { return Text(r.Header("authorization")); });
    server_.Route("GET", "/big",
                  [](const ServerRequest&) { return Text(std::string(10'000, 'z')); });
    server_.Route("GET", "/slow", [](const ServerRequest&) {
      std::this_thread::sleep_for(1500ms);
      return Text("late");
    });
    server_.Route("*", "/echo", [](const ServerRequest& r) {
      ServerResponse resp = Text(r.method + " " + r.body);
      resp.status = 201;
      resp.headers.emplace_back("X-Mixed-Case", "Value");
      return resp;
    });
    const Status s = server_.Start();
    ASSERT_TRUE(s.ok()) << s.error();
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + path;
  }

  Server server_{ServerOptions{}};
  CurlClient client_;
};

TEST_F(ClientTest, SendsMethodAndBodyAndReadsStatusAndLowerCasedHeaders) {
  for (const std::string method : {"POST", "PUT", "PATCH", "DELETE"}) {
    Request req;
    req.method = method;
    req.url = Url("/echo");
    req.body = R"({"k":1})";
    req.headers.emplace_back("Content-Type", "application/json");
    const Response r = client_.Send(req);
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.status, 201);
    EXPECT_EQ(r.body, method + R"( {"k":1})");
    EXPECT_EQ(r.Header("x-mixed-case"), "Value");
    EXPECT_EQ(r.Header("X-Mixed-Case"), "") << "lookups use lower-case names";
  }
}

TEST_F(ClientTest, BearerTokenArrivesAsAuthorizationHeader) {
  Request req;
  req.url = Url("/auth");
  req.bearer_token = "s3cret";
  EXPECT_EQ(client_.Send(req).body, "Bearer s3cret");
}

TEST_F(ClientTest, BasicAuthArrivesEncoded) {
  Request req;
  req.url = Url("/auth");
  req.basic_user = "alert";
  req.basic_password = "manager";
  EXPECT_EQ(client_.Send(req).body, "Basic YWxlcnQ6bWFuYWdlcg==");
}

TEST_F(ClientTest, ResponseLargerThanTheCapIsAnError) {
  Request req;
  req.url = Url("/big");
  req.max_response_bytes = 1000;
  const Response r = client_.Send(req);
  EXPECT_EQ(r.error, "response larger than 1000 bytes");
  EXPECT_TRUE(r.body.empty());
  req.max_response_bytes = 10'000;
  EXPECT_TRUE(client_.Send(req).ok());
}

TEST_F(ClientTest, SlowServerTimesOut) {
  Request req;
  req.url = Url("/slow");
  req.timeout = 200ms;
  const auto start = std::chrono::steady_clock::now();
  const Response r = client_.Send(req);
  EXPECT_EQ(r.error, "timeout after 200 ms");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1000ms);
}

TEST_F(ClientTest, ClosedPortIsConnectionRefused) {
  int port = 0;
  {
    // Bind without listening, read the port, and close: nothing listens there afterwards.
    ScriptedServer probe([](int) {});
    port = probe.port();
  }
  Request req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  const Response r = client_.Send(req);
  EXPECT_EQ(r.error, "connection refused");
  EXPECT_EQ(r.status, 0);
}

// A one-shot HTTP server on a Unix socket: answers one request with `answer`, keeps the request.
class UnixSocketServer {
 public:
  UnixSocketServer(std::string path, std::string answer) : path_(std::move(path)) {
    fd_ = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
    unlink(path_.c_str());
    ok_ = bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && listen(fd_, 4) == 0;
    thread_ = std::thread([this, answer = std::move(answer)] {
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      while (request_.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        request_.append(buf, static_cast<std::size_t>(n));
      }
      SendAll(c, answer);
      close(c);
    });
  }
  ~UnixSocketServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
    unlink(path_.c_str());
  }
  bool ok() const { return ok_; }
  const std::string& request() const { return request_; }

 private:
  std::string path_;
  int fd_ = -1;
  bool ok_ = false;
  std::string request_;
  std::thread thread_;
};

TEST(ClientUnixSocket, TalksHttpOverTheSocketWithTheUrlsPathAndHost) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("fhc-http-" + std::to_string(getpid()) + ".sock"))
          .string();
  UnixSocketServer server(path,
                          "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n"
                          "Connection: close\r\n\r\nOK");
  ASSERT_TRUE(server.ok());
  CurlClient client;
  Request req;
  req.url = "http://docker/_ping";
  req.unix_socket = path;
  const Response r = client.Send(req);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "OK");
  EXPECT_EQ(r.Header("api-version"), "1.41");
  EXPECT_THAT(server.request(), StartsWith("GET /_ping HTTP/1.1\r\n"));
  EXPECT_THAT(server.request(), HasSubstr("Host: docker\r\n"));
}

TEST(ClientUnixSocket, MissingSocketIsNamed) {
  CurlClient client;
  Request req;
  req.url = "http://docker/_ping";
  req.unix_socket = "/nonexistent/docker.sock";
  const Response r = client.Send(req);
  EXPECT_EQ(r.error, "no socket at /nonexistent/docker.sock");
  EXPECT_EQ(r.status, 0);
}

TEST_F(ClientTest, BadUrlsAreErrorsNotCrashes) {
  Request req;
  req.url = "ftp://127.0.0.1/";
  EXPECT_FALSE(client_.Send(req).ok());
  req.url = "http://exa mple/";
  EXPECT_FALSE(client_.Send(req).ok());
  req.url = "";
  EXPECT_FALSE(client_.Send(req).ok());
}

TEST_F(ClientTest, SharedByThreads) {
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 10; ++j) {
        Request req;
        req.url = Url("/auth");
        // A std::string moved in: assigning the literal "t" trips GCC 12's -Wrestrict false
        // positive at -O3.
        req.bearer_token = std::string("t");
        if (client_.Send(req).body == "Bearer t") ++good;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good, 80);
}

// A server that answers with chunked encoding and then sends `chunks` pieces, one every
// `interval`, or nothing at all when chunks is 0 (a stalled stream).
std::function<void(int)> ChunkedSource(int chunks, std::chrono::milliseconds interval,
                                       const ScriptedServer* const* self) {
  return [=](int fd) {
    ReadUntil(
        fd, [](const std::string& s) { return s.find("\r\n\r\n") != std::string::npos; }, 2s);
    SendAll(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Stream: yes\r\n\r\n");
    for (int i = 0; i < chunks && !(*self)->stopping(); ++i) {
      const std::string piece = "line " + std::to_string(i) + "\n";
      char size[16];
      std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
      if (!SendAll(fd, size + piece + "\r\n")) return;
      std::this_thread::sleep_for(interval);
    }
    if (chunks > 0) {
      SendAll(fd, "0\r\n\r\n");
    } else {
      while (!(*self)->stopping()) std::this_thread::sleep_for(20ms);
    }
  };
}

TEST(ClientStream, ReceivesEveryChunkUntilTheEnd) {
  const ScriptedServer* self = nullptr;
  ScriptedServer source(ChunkedSource(5, 10ms, &self));
  self = &source;
  CurlClient client;
  Request req;
  req.url = "http://127.0.0.1:" + std::to_string(source.port()) + "/stream";
  std::string got;
  const Response r = client.Stream(
      req,
      [&](std::string_view chunk) {
        got.append(chunk);
        return true;
      },
      nullptr, 2s);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("x-stream"), "yes");
  EXPECT_EQ(got, "line 0\nline 1\nline 2\nline 3\nline 4\n");
  EXPECT_TRUE(r.body.empty());
}

TEST(ClientStream, StopsWhenCancelledWithin200ms) {
  const ScriptedServer* self = nullptr;
  ScriptedServer source(ChunkedSource(1000, 20ms, &self));
  self = &source;
  CurlClient client;
  Request req;
  req.url = "http://127.0.0.1:" + std::to_string(source.port()) + "/stream";
  std::atomic<bool> cancel{false};
  std::atomic<int> chunks{0};
  std::chrono::steady_clock::time_point cancelled_at;
  std::thread canceller([&] {
    while (chunks < 3) std::this_thread::sleep_for(1ms);
    cancelled_at = std::chrono::steady_clock::now();
    cancel = true;
  });
  const Response r = client.Stream(
      req,
      [&](std::string_view) {
        ++chunks;
        return true;
      },
      &cancel, 5s);
  const auto returned_at = std::chrono::steady_clock::now();
  canceller.join();
  EXPECT_EQ(r.error, "cancelled");
  EXPECT_LT(returned_at - cancelled_at, 300ms);
  EXPECT_LT(chunks, 100);
}

TEST(ClientStream, StopsWhenTheHandlerSaysSo) {
  const ScriptedServer* self = nullptr;
  ScriptedServer source(ChunkedSource(1000, 5ms, &self));
  self = &source;
  CurlClient client;
  Request req;
  req.url = "http://127.0.0.1:" + std::to_string(source.port()) + "/stream";
  int chunks = 0;
  const Response r = client.Stream(
      req, [&](std::string_view) { return ++chunks < 2; }, nullptr, 5s);
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(chunks, 2);
}

TEST(ClientStream, StalledStreamFailsAfterTheIdleTimeout) {
  const ScriptedServer* self = nullptr;
  ScriptedServer source(ChunkedSource(0, 0ms, &self));
  self = &source;
  CurlClient client;
  Request req;
  req.url = "http://127.0.0.1:" + std::to_string(source.port()) + "/stream";
  const auto start = std::chrono::steady_clock::now();
  const Response r = client.Stream(
      req, [](std::string_view) { return true; }, nullptr, 300ms);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.error, "no data for 300 ms");
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 1500ms);
}

TEST(ClientStream, HandlerExceptionBecomesAnError) {
  const ScriptedServer* self = nullptr;
  ScriptedServer source(ChunkedSource(3, 5ms, &self));
  self = &source;
  CurlClient client;
  Request req;
  req.url = "http://127.0.0.1:" + std::to_string(source.port()) + "/stream";
  const Response r = client.Stream(
      req, [](std::string_view) -> bool { throw std::runtime_error("bad chunk"); }, nullptr, 2s);
  EXPECT_EQ(r.error, "chunk handler failed: bad chunk");
}

TEST(ClientStream, SignalsAnOpenStreamWithAnEmptyChunkBeforeAnyByte) {
  const ScriptedServer* self = nullptr;
  ScriptedServer source(ChunkedSource(0, 0ms, &self));  // headers, then silence
  self = &source;
  CurlClient client;
  Request req;
  req.url = "http://127.0.0.1:" + std::to_string(source.port()) + "/stream";
  std::vector<std::string> chunks;
  const Response r = client.Stream(
      req,
      [&](std::string_view chunk) {
        chunks.emplace_back(chunk);
        return false;  // seen the stream open: stop
      },
      nullptr, 2s);
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(chunks, std::vector<std::string>{""});
}

TEST(ClientStream, AnErrorAnswerIsReturnedInTheBodyNotStreamed) {
  ScriptedServer source([](int fd) {
    ReadUntil(
        fd, [](const std::string& s) { return s.find("\r\n\r\n") != std::string::npos; }, 2s);
    const std::string body = R"({"kind":"Status","code":403})";
    SendAll(fd, "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body);
  });
  CurlClient client;
  Request req;
  req.url = "http://127.0.0.1:" + std::to_string(source.port()) + "/log";
  int calls = 0;
  const Response r = client.Stream(
      req,
      [&](std::string_view) {
        ++calls;
        return true;
      },
      nullptr, 2s);
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(r.body, R"({"kind":"Status","code":403})");
}

// A self-signed certificate for 127.0.0.1 made with the openssl CLI, in a private directory.
class TlsTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    char templ[] = "/tmp/fhc_tls_test_XXXXXX";
    dir_ = mkdtemp(templ);
    const std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
        dir_ + "/key.pem -out " + dir_ + "/cert.pem >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  void SetUp() override {
    ServerOptions o;
    o.tls_cert_file = dir_ + "/cert.pem";
    o.tls_key_file = dir_ + "/key.pem";
    server_ = std::make_unique<Server>(o);
    server_->Route("GET", "/secure", [](const ServerRequest&) { return Text("over tls"); });
    const Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.error();
  }

  std::string Url(const std::string& scheme) const {
    return scheme + "://127.0.0.1:" + std::to_string(server_->port()) + "/secure";
  }

  static std::string dir_;
  std::unique_ptr<Server> server_;
  CurlClient client_;
};

std::string TlsTest::dir_;

TEST_F(TlsTest, ClientTrustsTheServerThroughItsCaFile) {
  Request req;
  req.url = Url("https");
  req.ca_file = dir_ + "/cert.pem";
  const Response r = client_.Send(req);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.body, "over tls");
}

TEST_F(TlsTest, UnknownCertificateIsRefusedUnlessVerificationIsSkipped) {
  Request req;
  req.url = Url("https");
  req.ca_file = "/etc/ssl/certs/ca-certificates.crt";
  const Response refused = client_.Send(req);
  EXPECT_THAT(refused.error, StartsWith("TLS"));
  req.ca_file.clear();
  req.insecure_skip_verify = true;
  const Response r = client_.Send(req);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.body, "over tls");
}

TEST_F(TlsTest, PlainHttpToTheTlsPortGetsNoPage) {
  Request req;
  req.url = Url("http");
  req.timeout = 2s;
  const Response r = client_.Send(req);
  EXPECT_NE(r.body, "over tls");
}

TEST_F(TlsTest, NoKeyMaterialIsLeftInTheTempDirectory) {
  for (const auto& entry : std::filesystem::directory_iterator("/tmp")) {
    EXPECT_THAT(entry.path().filename().string(), testing::Not(StartsWith("fhc-tls-")));
  }
}

}  // namespace
}  // namespace fhc::http
