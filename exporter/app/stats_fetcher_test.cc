#include "exporter/app/stats_fetcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "common/clock/fake_clock.h"

namespace fhc::exporter {
namespace {

using namespace std::chrono_literals;

constexpr const char* kBody =
    R"({"cameras":{"front":{"camera_fps":5.0,"process_fps":5.0,"skipped_fps":0.0,
    "detection_fps":1.0,"detection_enabled":true,"pid":10,"capture_pid":11,"ffmpeg_pid":12}},
    "detectors":{"coral":{"inference_speed":8.5,"detection_start":0.0,"pid":20}},
    "detection_fps":1.0,"service":{"uptime":100,"version":"0.14.1-f4f3cfa",
    "latest_version":"0.14.1","storage":{},"last_updated":1700000000}})";

// Answers every request with a scripted response; can hold requests until released.
class ScriptedClient : public http::Client {
 public:
  http::Response next;
  std::atomic<int> calls{0};
  std::atomic<bool> hold{false};
  http::Request last_request;
  http::Response Send(const http::Request& r) override {
    ++calls;
    last_request = r;
    while (hold) std::this_thread::sleep_for(1ms);
    return next;
  }
  http::Response Stream(const http::Request&, const http::ChunkHandler&, const std::atomic<bool>*,
                        std::chrono::milliseconds) override {
    return {};
  }
};

http::Response Ok(std::string body) {
  http::Response r;
  r.status = 200;
  r.body = std::move(body);
  return r;
}

http::Response TransportError(std::string e) {
  http::Response r;
  r.error = std::move(e);
  return r;
}

struct Fixture : ::testing::Test {
  ScriptedClient http;
  FakeClock clock;
  StatsFetcher fetcher{http, clock, {.frigate_url = "http://frigate:5000", .token = "t0k"}};
};

TEST_F(Fixture, AskForAFreshUncachedBodyWithTheToken) {
  http.next = Ok(kBody);
  auto f = fetcher.Get();
  ASSERT_TRUE(f->stats) << f->error;
  EXPECT_EQ(http.last_request.url, "http://frigate:5000/api/stats");
  EXPECT_EQ(http.last_request.bearer_token, "t0k");
  EXPECT_THAT(http.last_request.headers,
              ::testing::Contains(std::pair<std::string, std::string>("X-Cache-Bypass", "1")));
  EXPECT_EQ(http.last_request.timeout, 10s);
}

TEST_F(Fixture, ScrapesWithinMaxAgeReuseOneFetch) {
  http.next = Ok(kBody);
  auto first = fetcher.Get();
  clock.Advance(900ms);
  EXPECT_EQ(fetcher.Get(), first);
  EXPECT_EQ(http.calls, 1);
  clock.Advance(200ms);
  EXPECT_NE(fetcher.Get(), first);
  EXPECT_EQ(http.calls, 2);
}

TEST_F(Fixture, ConcurrentScrapesShareTheFetchInFlight) {
  http.next = Ok(kBody);
  http.hold = true;
  std::vector<std::thread> scrapes;
  std::vector<std::shared_ptr<const StatsFetch>> got(8);
  for (int i = 0; i < 8; ++i) scrapes.emplace_back([&, i] { got[i] = fetcher.Get(); });
  while (http.calls == 0) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(20ms);  // let the other seven queue up behind it
  http.hold = false;
  for (auto& t : scrapes) t.join();
  EXPECT_EQ(http.calls, 1);
  for (const auto& g : got) EXPECT_EQ(g, got[0]);
}

struct CauseCase {
  http::Response response;
  std::string cause;
};

class Causes : public Fixture, public ::testing::WithParamInterface<CauseCase> {};

TEST_P(Causes, UnusableStatsAreCountedByCause) {
  http.next = GetParam().response;
  auto f = fetcher.Get();
  EXPECT_FALSE(f->stats);
  EXPECT_EQ(f->cause, GetParam().cause);
  EXPECT_FALSE(f->error.empty());
  EXPECT_EQ(fetcher.ErrorCounts().at(GetParam().cause), 1u);
}

http::Response Status(int code, std::string body) {
  auto r = Ok(std::move(body));
  r.status = code;
  return r;
}

INSTANTIATE_TEST_SUITE_P(
    StatsFetcher, Causes,
    ::testing::Values(CauseCase{TransportError("connection refused"), "connection"},
                      CauseCase{TransportError("timeout after 10000 ms"), "timeout"},
                      CauseCase{TransportError("response larger than 8388608 bytes"), "too_large"},
                      CauseCase{Status(500, "Internal Server Error"), "http_status"},
                      CauseCase{Status(502, "<html>Bad Gateway</html>"), "http_status"},
                      CauseCase{Ok("<html><body>login</body></html>"), "invalid_body"},
                      CauseCase{Ok(std::string(kBody).substr(0, 120)), "invalid_body"}));

TEST_F(Fixture, EveryCauseStartsAtZero) {
  auto counts = fetcher.ErrorCounts();
  for (const auto& c : StatsFetcher::Causes()) EXPECT_EQ(counts.at(c), 0u) << c;
}

}  // namespace
}  // namespace fhc::exporter
