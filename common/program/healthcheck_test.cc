#include "common/program/healthcheck.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>

#include "common/http/http_server.h"

namespace fhc::program {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(HealthcheckUrl, WildcardHostsAreAskedOnLoopback) {
  struct Case {
    std::string listen;
    bool tls;
    std::string url;
  };
  const Case cases[] = {
      {"0.0.0.0:9711", false, "http://127.0.0.1:9711/healthz"},
      {":9712", false, "http://127.0.0.1:9712/healthz"},
      {"[::]:9711", false, "http://[::1]:9711/healthz"},
      {"127.0.0.1:8080", false, "http://127.0.0.1:8080/healthz"},
      {"[::1]:8080", false, "http://[::1]:8080/healthz"},
      {"10.1.2.3:9712", true, "https://10.1.2.3:9712/healthz"},
      {"exporter.local:9711", false, "http://exporter.local:9711/healthz"},
  };
  for (const auto& c : cases) {
    auto url = HealthcheckUrl(c.listen, c.tls);
    ASSERT_TRUE(url.ok()) << c.listen << ": " << url.error();
    EXPECT_EQ(*url, c.url) << c.listen;
  }
}

TEST(HealthcheckUrl, ARandomPortOrNoPortCannotBeAsked) {
  EXPECT_THAT(HealthcheckUrl("0.0.0.0:0", false).error(), HasSubstr("random port"));
  EXPECT_THAT(HealthcheckUrl(":00", false).error(), HasSubstr("random port"));
  EXPECT_THAT(HealthcheckUrl("localhost", false).error(), HasSubstr("no port"));
  EXPECT_THAT(HealthcheckUrl("host:", false).error(), HasSubstr("no port"));
}

class HealthcheckTest : public ::testing::Test {
 protected:
  void Serve(int status) {
    http::ServerOptions o;
    o.listen = "127.0.0.1:0";
    server_ = std::make_unique<http::Server>(o);
    server_->Route("GET", "/healthz", [status](const http::ServerRequest&) {
      http::ServerResponse r;
      r.status = status;
      r.body = "ok\n";
      return r;
    });
    ASSERT_TRUE(server_->Start().ok());
  }
  std::string Url() const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + "/healthz";
  }

  http::CurlClient client_;
  std::unique_ptr<http::Server> server_;
};

TEST_F(HealthcheckTest, TwoHundredIsHealthy) {
  Serve(200);
  std::ostringstream out;
  EXPECT_EQ(Healthcheck(client_, Url(), out), 0);
  EXPECT_THAT(out.str(), StartsWith("healthy: GET " + Url() + " answered 200"));
}

TEST_F(HealthcheckTest, AnyOtherStatusIsUnhealthy) {
  Serve(503);
  std::ostringstream out;
  EXPECT_EQ(Healthcheck(client_, Url(), out), 1);
  EXPECT_THAT(out.str(), StartsWith("unhealthy: GET " + Url() + " answered 503"));
}

TEST_F(HealthcheckTest, NothingListeningIsUnhealthyAndSaysWhy) {
  Serve(200);
  const std::string url = Url();
  server_->Stop();
  std::ostringstream out;
  EXPECT_EQ(Healthcheck(client_, url, out, std::chrono::milliseconds(500)), 1);
  EXPECT_THAT(out.str(), StartsWith("unhealthy: GET " + url + ": "));
}

}  // namespace
}  // namespace fhc::program
