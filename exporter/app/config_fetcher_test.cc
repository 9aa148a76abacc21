#include "exporter/app/config_fetcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "common/clock/fake_clock.h"

namespace fhc::exporter {
namespace {

using namespace std::chrono_literals;

class ScriptedClient : public http::Client {
 public:
  http::Response next;
  std::atomic<int> calls{0};
  http::Request last_request;
  http::Response Send(const http::Request& r) override {
    ++calls;
    last_request = r;
    return next;
  }
  http::Response Stream(const http::Request&, const http::ChunkHandler&, const std::atomic<bool>*,
                        std::chrono::milliseconds) override {
    return {};
  }
};

constexpr const char* kConfig =
    R"({"detectors":{"coral":{"type":"edgetpu"}},"cameras":{"front":{"enabled":true},
    "garage":{"enabled":false}}})";

http::Response Answer(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

struct ConfigFetcherTest : ::testing::Test {
  ScriptedClient http;
  FakeClock clock;
  ConfigFetcher fetcher{http,
                        clock,
                        {.frigate_url = "http://frigate:5000",
                         .token = "t0k",
                         .max_age_seconds = 60,
                         .retry_seconds = 10}};
};

TEST_F(ConfigFetcherTest, ReadsTheConfigWithTheTokenAndKeepsItForMaxAge) {
  http.next = Answer(200, kConfig);
  EXPECT_EQ(fetcher.Current().facts, nullptr);
  EXPECT_TRUE(fetcher.RefreshIfDue());
  EXPECT_EQ(http.last_request.url, "http://frigate:5000/api/config");
  EXPECT_EQ(http.last_request.bearer_token, "t0k");
  auto state = fetcher.Current();
  ASSERT_NE(state.facts, nullptr);
  EXPECT_EQ(state.facts->cameras.at("garage"), CameraOff::kInConfig);
  EXPECT_EQ(state.facts->detectors.at("coral").type, "edgetpu");
  clock.Advance(59s);
  EXPECT_FALSE(fetcher.RefreshIfDue());
  clock.Advance(1s);
  EXPECT_TRUE(fetcher.RefreshIfDue());
  EXPECT_EQ(http.calls, 2);
}

TEST_F(ConfigFetcherTest, AFailedReadKeepsTheLastGoodConfigAndRetriesSooner) {
  http.next = Answer(200, kConfig);
  fetcher.RefreshNow();
  const auto first_read = fetcher.Current().read_at;
  clock.Advance(60s);
  http.next = Answer(502, "<html>Bad Gateway</html>");
  EXPECT_TRUE(fetcher.RefreshIfDue());
  auto state = fetcher.Current();
  ASSERT_NE(state.facts, nullptr);  // survived
  EXPECT_EQ(state.read_at, first_read);
  EXPECT_EQ(state.error, "HTTP 502 from /api/config");
  clock.Advance(9s);
  EXPECT_FALSE(fetcher.RefreshIfDue());
  clock.Advance(1s);
  http.next = Answer(200, "{not json");
  EXPECT_TRUE(fetcher.RefreshIfDue());
  EXPECT_THAT(fetcher.Current().error, ::testing::HasSubstr("not valid JSON"));
  http.next = http::Response{};
  http.next.error = "connection refused";
  clock.Advance(10s);
  EXPECT_TRUE(fetcher.RefreshIfDue());
  EXPECT_EQ(fetcher.Current().error, "connection refused");
  http.next = Answer(200, kConfig);
  clock.Advance(10s);
  EXPECT_TRUE(fetcher.RefreshIfDue());
  EXPECT_EQ(fetcher.Current().error, "");
  EXPECT_NE(fetcher.Current().read_at, first_read);
}

TEST_F(ConfigFetcherTest, TheBackgroundReaderReadsAtStartAndStops) {
  http.next = Answer(200, kConfig);
  fetcher.Start();
  for (int i = 0; i < 2000 && fetcher.Current().facts == nullptr; ++i) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_NE(fetcher.Current().facts, nullptr);
  fetcher.Stop();
  EXPECT_EQ(http.calls, 1);  // the fake clock did not move: nothing else was due
}

}  // namespace
}  // namespace fhc::exporter
