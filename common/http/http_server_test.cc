#include "common/http/http_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "common/http/http_client.h"
#include "tests/support/http_loopback.h"

namespace fhc::http {
namespace {

using testing::HasSubstr;
using testing::StartsWith;
using namespace std::chrono_literals;
using namespace testing_util;

std::string Url(const Server& server, const std::string& path) {
  return "http://127.0.0.1:" + std::to_string(server.port()) + path;
}

ServerResponse Text(std::string body) {
  ServerResponse r;
  r.body = std::move(body);
  return r;
}

class ServerTest : public testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    server_ = std::make_unique<Server>(std::move(options));
    server_->Route("GET", "/hello",
                   [](const ServerRequest& r) { return Text("hello " + r.QueryParam("name")); });
    server_->Route("POST", "/echo", [this](const ServerRequest& r) {
      ++echo_calls_;
      return Text(r.body);
    });
    server_->Route("PUT", "/hello", [](const ServerRequest&) { return Text("put"); });
    server_->Route("*", "/any", [](const ServerRequest& r) { return Text(r.method); });
    server_->Route("GET", "/headers", [](const ServerRequest& r) {
      ServerResponse resp = Text(r.Header("authorization") + "|" + r.Header("x-custom"));
      resp.headers.emplace_back("X-Reply", "yes");
      resp.content_type = "application/json";
      return resp;
    });
    server_->Route("GET", "/throws", [](const ServerRequest&) -> ServerResponse {
      throw std::runtime_error("boom");
    });
    const Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.error();
    ASSERT_GT(server_->port(), 0);
  }

  Response Get(const std::string& path) {
    Request req;
    req.url = Url(*server_, path);
    return client_.Send(req);
  }

  std::unique_ptr<Server> server_;
  CurlClient client_;
  std::atomic<int> echo_calls_{0};
};

TEST_F(ServerTest, ServesRoutesWithQueryParameters) {
  StartServer();
  const Response r = Get("/hello?name=front%20door&x=1");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello front door");
  EXPECT_EQ(r.Header("content-type"), "text/plain; charset=utf-8");
}

TEST_F(ServerTest, UnknownPathIs404) {
  StartServer();
  EXPECT_EQ(Get("/nope").status, 404);
  EXPECT_EQ(Get("/hello/").status, 404);  // exact paths only
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
  StartServer();
  Request req;
  req.method = "DELETE";
  req.url = Url(*server_, "/hello");
  const Response r = client_.Send(req);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("allow"), "GET, PUT");
}

TEST_F(ServerTest, StarRouteMatchesAnyMethod) {
  StartServer();
  Request req;
  req.method = "PATCH";
  req.url = Url(*server_, "/any");
  EXPECT_EQ(client_.Send(req).body, "PATCH");
}

TEST_F(ServerTest, PostBodyArrivesAndHandlerHeadersGoOut) {
  StartServer();
  Request req;
  req.method = "POST";
  req.url = Url(*server_, "/echo");
  req.body = std::string(100'000, 'b');
  const Response r = client_.Send(req);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, req.body);
  const Response h = Get("/headers");
  EXPECT_EQ(h.Header("x-reply"), "yes");
  EXPECT_EQ(h.Header("content-type"), "application/json");
}

TEST_F(ServerTest, HandlerExceptionIs500AndServerKeepsServing) {
  StartServer();
  EXPECT_EQ(Get("/throws").status, 500);
  EXPECT_EQ(Get("/hello").status, 200);
}

TEST_F(ServerTest, BodyAtTheLimitIsAccepted) {
  ServerOptions o;
  o.max_body_bytes = 1000;
  StartServer(o);
  Request req;
  req.method = "POST";
  req.url = Url(*server_, "/echo");
  req.body = std::string(1000, 'x');
  EXPECT_EQ(client_.Send(req).status, 200);
  req.body += "y";
  EXPECT_EQ(client_.Send(req).status, 413);
}

TEST_F(ServerTest, DeclaredHugeBodyIs413WithoutReadingIt) {
  ServerOptions o;
  o.max_body_bytes = 1000;
  StartServer(o);
  const int fd = ConnectLoopback(server_->port());
  ASSERT_GE(fd, 0);
  // Announces a gigabyte and sends none of it: the answer must come without waiting for it.
  ASSERT_TRUE(SendAll(fd, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000000\r\n\r\n"));
  const auto start = std::chrono::steady_clock::now();
  const std::string reply = ReadUntil(fd, HasCompleteResponse, 5s);
  close(fd);
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 413"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(echo_calls_, 0);
}

TEST_F(ServerTest, ChunkedBodyPastTheLimitIs413) {
  ServerOptions o;
  o.max_body_bytes = 1000;
  StartServer(o);
  const int fd = ConnectLoopback(server_->port());
  ASSERT_GE(fd, 0);
  std::string request = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) request += "1f4\r\n" + std::string(500, 'c') + "\r\n";
  request += "0\r\n\r\n";
  ASSERT_TRUE(SendAll(fd, request));
  const std::string reply = ReadUntil(fd, HasCompleteResponse, 5s);
  close(fd);
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 413"));
  EXPECT_EQ(echo_calls_, 0);
}

TEST_F(ServerTest, ChunkedBodyWithinTheLimitArrivesWhole) {
  StartServer();
  const int fd = ConnectLoopback(server_->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd,
                      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  const std::string reply = ReadUntil(fd, HasCompleteResponse, 5s);
  close(fd);
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(reply, testing::EndsWith("\r\n\r\nhello world"));
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  const int fd = ConnectLoopback(server_->port());
  ASSERT_GE(fd, 0);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        SendAll(fd, "GET /hello?name=" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\n\r\n"))
        << "request " << i;
    const std::string reply = ReadUntil(fd, HasCompleteResponse, 5s);
    EXPECT_THAT(reply, StartsWith("HTTP/1.1 200")) << "request " << i;
    EXPECT_THAT(reply, testing::EndsWith("hello " + std::to_string(i)));
    EXPECT_THAT(reply, HasSubstr("Connection: keep-alive"));
  }
  close(fd);
}

// 100 connections that send nothing and 100 that trickle a request header one byte every
// 200 ms, as slowloris does; closed when the object goes.
class SlowClients {
 public:
  explicit SlowClients(int port, int idle = 100, int trickling = 100) {
    for (int i = 0; i < idle + trickling; ++i) {
      const int fd = ConnectLoopback(port);
      if (fd >= 0) (i < idle ? idle_ : trickling_).push_back(fd);
    }
    trickler_ = std::thread([this] {
      const std::string header =
          "GET /hello HTTP/1.1\r\nHost: t\r\nX-Slow: " + std::string(1000, 'a') + "\r\n\r\n";
      for (std::size_t at = 0; at < header.size() && !stop_; ++at) {
        for (const int fd : trickling_) send(fd, &header[at], 1, MSG_NOSIGNAL);
        for (int i = 0; i < 20 && !stop_; ++i) std::this_thread::sleep_for(10ms);
      }
    });
  }
  ~SlowClients() {
    stop_ = true;
    trickler_.join();
    for (const int fd : idle_) close(fd);
    for (const int fd : trickling_) close(fd);
  }
  std::size_t open() const { return idle_.size() + trickling_.size(); }

 private:
  std::vector<int> idle_;
  std::vector<int> trickling_;
  std::atomic<bool> stop_{false};
  std::thread trickler_;
};

TEST_F(ServerTest, TwoHundredIdleOrTricklingConnectionsDoNotDelayOtherRequests) {
  StartServer();
  SlowClients slow(server_->port());
  ASSERT_EQ(slow.open(), 200u);
  std::this_thread::sleep_for(300ms);  // every slow connection has reached a worker by now
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    Request req;
    req.url = Url(*server_, i % 2 ? "/hello" : "/echo");
    req.method = i % 2 ? "GET" : "POST";
    req.body = "ping";
    req.timeout = 5s;
    const Response r = client_.Send(req);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.status, 200) << r.error;
    EXPECT_LT(took, 1s) << "request " << i << " waited behind the slow connections";
  }
}

TEST_F(ServerTest, AClientThatNeverFinishesItsRequestIsCutAtTheRequestTimeout) {
  ServerOptions o;
  o.request_timeout_ms = 300;
  StartServer(o);
  const int fd = ConnectLoopback(server_->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "GET /hello HTTP/1.1\r\nHost: t\r\n"));  // header never ends
  const auto start = std::chrono::steady_clock::now();
  ReadUntil(
      fd, [](const std::string&) { return false; }, 5s);  // returns when the server closes
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  close(fd);
}

// Touches `bytes` of the calling thread's stack, as a deep handler does.
[[gnu::noinline]] void UseStack(std::size_t bytes) {
  volatile char frame[64 * 1024];
  for (std::size_t i = 0; i < bytes && i < sizeof frame; i += 512) frame[i] = 1;
}

long ResidentKib() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FHC_UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FHC_UNDER_ASAN 1
#endif

TEST(ServerMemory, WorkersHandTheStackTheirRequestsTouchedBackToTheKernel) {
#if defined(FHC_UNDER_ASAN)
  GTEST_SKIP() << "resident memory means nothing under ASan (its quarantine keeps freed memory)";
#endif
  // civetweb wakes idle workers in turn: 64 connections reach all 32 workers, each running a
  // handler that touches 60 KB of stack. Kept, that would be 32 x 60 KB = 1.9 MB resident.
  ServerOptions o;
  o.threads = 32;
  Server server(o);
  server.Route("GET", "/deep", [](const ServerRequest&) {
    UseStack(60 * 1024);
    return Text("ok");
  });
  server.Route("GET", "/shallow", [](const ServerRequest&) { return Text("ok"); });
  ASSERT_TRUE(server.Start().ok());
  CurlClient client;
  auto round = [&](const char* path) {
    for (int i = 0; i < 64; ++i) {
      Request req;
      req.url = Url(server, path);
      req.headers.emplace_back("Connection", "close");  // a new connection, the next worker
      ASSERT_EQ(client.Send(req).status, 200);
    }
  };
  round("/shallow");  // every worker, the allocator and the client warmed up
  const long before = ResidentKib();
  round("/deep");
  round("/deep");
  EXPECT_LT(ResidentKib() - before, 512) << "KiB more resident after the deep requests";
}

TEST_F(ServerTest, PortAlreadyInUseIsAClearError) {
  StartServer();
  ServerOptions o;
  o.listen = "127.0.0.1:" + std::to_string(server_->port());
  Server second(o);
  const Status s = second.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(), o.listen + ": address already in use");
  EXPECT_EQ(Get("/hello").status, 200);  // the first server is unharmed
}

TEST_F(ServerTest, StopWaitsForRunningHandlers) {
  Server server(ServerOptions{});
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  server.Route("GET", "/slow", [&](const ServerRequest&) {
    started = true;
    std::this_thread::sleep_for(500ms);
    finished = true;
    return Text("done");
  });
  ASSERT_TRUE(server.Start().ok());
  std::thread caller([&] {
    Request req;
    req.url = Url(server, "/slow");
    client_.Send(req);
  });
  while (!started) std::this_thread::sleep_for(5ms);
  server.Stop();
  EXPECT_TRUE(finished);
  caller.join();
}

TEST(ServerTls, HalfATlsConfigurationIsAnError) {
  ServerOptions o;
  o.tls_cert_file = "/nonexistent/cert.pem";
  Server server(o);
  const Status s = server.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error(), HasSubstr("both a certificate file and a key file"));
}

TEST(ServerTls, UnreadableKeyIsAnError) {
  ServerOptions o;
  o.tls_cert_file = "/nonexistent/cert.pem";
  o.tls_key_file = "/nonexistent/key.pem";
  Server server(o);
  const Status s = server.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error(), HasSubstr("/nonexistent/key.pem"));
}

}  // namespace
}  // namespace fhc::http
