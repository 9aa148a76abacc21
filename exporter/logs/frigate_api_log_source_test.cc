#include "exporter/logs/frigate_api_log_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "common/clock/fake_clock.h"
#include "exporter/logs/log_monitor.h"

namespace fhc::exporter {
namespace {

using namespace std::chrono_literals;

// Answers each request from a script and records the URLs asked for.
class FakeHttp : public http::Client {
 public:
  std::function<http::Response(const http::Request&)> handler;
  std::vector<std::string> urls;
  std::vector<std::string> tokens;
  http::Response Send(const http::Request& r) override {
    urls.push_back(r.url);
    tokens.push_back(r.bearer_token);
    return handler(r);
  }
  http::Response Stream(const http::Request&, const http::ChunkHandler&, const std::atomic<bool>*,
                        std::chrono::milliseconds) override {
    return {};
  }
};

http::Response Ok(std::string body, std::string type) {
  http::Response r;
  r.status = 200;
  r.body = std::move(body);
  r.headers["content-type"] = std::move(type);
  return r;
}

std::string Line(int second, const std::string& msg) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "2024-05-01 10:00:%02d.000000000  ", second);
  return buf + msg;
}

// Simulates Frigate 0.14+: JSON, honours ?start=-N as a Python slice.
struct Frigate014 {
  std::vector<std::string> file;
  http::Response operator()(const http::Request& r) const {
    std::size_t start = 0;
    auto pos = r.url.find("?start=-");
    if (pos != std::string::npos) {
      const std::size_t n = std::stoul(r.url.substr(pos + 8));
      start = n >= file.size() ? 0 : file.size() - n;
    }
    std::string body = "{\"totalLines\": " + std::to_string(file.size()) + ", \"lines\": [";
    for (std::size_t i = start; i < file.size(); ++i) {
      body += (i > start ? ",\"" : "\"") + file[i] + "\"";
    }
    return Ok(body + "]}", "application/json");
  }
};

struct Harness {
  FakeHttp http;
  std::atomic<bool> stop{false};
  std::vector<std::string> lines;
  std::vector<std::chrono::milliseconds> sleeps;
  int polls_before_stop = 1;
  std::function<void(int)> between_polls = [](int) {};
  std::unique_ptr<FrigateApiLogSource> Make(FrigateApiLogSource::Options o = {}) {
    o.tail_lines = 3;
    o.bearer_token = "tok";
    return std::make_unique<FrigateApiLogSource>(
        o, http, [this](std::chrono::milliseconds d, const std::atomic<bool>&) {
          sleeps.push_back(d);
          if (static_cast<int>(sleeps.size()) >= polls_before_stop) stop = true;
          between_polls(static_cast<int>(sleeps.size()));
        });
  }
  void Run(LogSource& s) {
    s.Run([this](std::string_view l) { lines.emplace_back(l); }, stop);
  }
};

TEST(FrigateApiLogSource, Version012RawTextIsReadWhole) {
  Harness h;
  h.http.handler = [](const http::Request&) {
    return Ok(Line(1, "a") + "\n" + Line(2, "b") + "\n", "text/html; charset=utf-8");
  };
  auto s = h.Make();
  h.Run(*s);
  EXPECT_EQ(h.lines, (std::vector<std::string>{Line(1, "a"), Line(2, "b")}));
  EXPECT_TRUE(s->up());
  EXPECT_EQ(h.http.urls.front(), "http://127.0.0.1:5000/api/logs/frigate");
  EXPECT_EQ(h.http.tokens.front(), "tok");
}

TEST(FrigateApiLogSource, Version014FirstReadsAllThenOnlyTheTail) {
  Harness h;
  Frigate014 frigate{{Line(1, "a"), Line(2, "b"), Line(3, "c"), Line(4, "d")}};
  h.http.handler = [&](const http::Request& r) { return frigate(r); };
  h.polls_before_stop = 2;
  h.between_polls = [&](int) { frigate.file.push_back(Line(5, "e")); };
  auto s = h.Make();
  h.Run(*s);
  ASSERT_EQ(h.http.urls.size(), 2u);
  EXPECT_EQ(h.http.urls[0], "http://127.0.0.1:5000/api/logs/frigate");
  EXPECT_EQ(h.http.urls[1], "http://127.0.0.1:5000/api/logs/frigate?start=-3");
  // The tail repeats c and d: the source passes them on, the de-duplicator drops them.
  EXPECT_EQ(h.lines.size(), 4u + 3u);
  EXPECT_EQ(h.lines.back(), Line(5, "e"));
}

TEST(FrigateApiLogSource, TailThatMissesLinesTriggersAFullRead) {
  Harness h;
  Frigate014 frigate{{Line(1, "a")}};
  h.http.handler = [&](const http::Request& r) { return frigate(r); };
  h.polls_before_stop = 2;
  h.between_polls = [&](int) {
    for (int s = 2; s <= 9; ++s) frigate.file.push_back(Line(s, "burst"));
  };
  auto s = h.Make();
  h.Run(*s);
  ASSERT_EQ(h.http.urls.size(), 3u);
  EXPECT_EQ(h.http.urls[2], "http://127.0.0.1:5000/api/logs/frigate") << "gap closed";
  EXPECT_EQ(h.lines.front(), Line(1, "a"));
  EXPECT_NE(std::find(h.lines.begin(), h.lines.end(), Line(2, "burst")), h.lines.end());
}

TEST(FrigateApiLogSource, RotationRestartsTheLogWithoutAFullRead) {
  Harness h;
  Frigate014 frigate{{Line(1, "a"), Line(2, "b"), Line(3, "c"), Line(4, "d")}};
  h.http.handler = [&](const http::Request& r) { return frigate(r); };
  h.polls_before_stop = 2;
  h.between_polls = [&](int) { frigate.file = {Line(10, "after rotation")}; };
  auto s = h.Make();
  h.Run(*s);
  EXPECT_EQ(h.http.urls.size(), 2u) << "the short new file is wholly inside the tail";
  EXPECT_EQ(h.lines.back(), Line(10, "after rotation"));
}

TEST(FrigateApiLogSource, FailuresAreDownWithCappedBackoffThenUpAgain) {
  Harness h;
  int calls = 0;
  h.http.handler = [&](const http::Request&) {
    ++calls;
    http::Response r;
    if (calls == 1) r.error = "connection refused";
    if (calls == 2)
      r.status = 500, r.body = R"({"success":false,"message":"Could not find log file"})";
    if (calls == 3) r = Ok("{\"lines\": 5}", "application/json");
    if (calls == 4) r.status = 503;
    if (calls >= 5) r = Ok(Line(1, "a") + "\n", "text/plain");
    return r;
  };
  FrigateApiLogSource::Options o;
  o.backoff_initial = 1s;
  o.backoff_max = 4s;
  o.interval = 10s;
  h.polls_before_stop = 5;
  std::vector<bool> up_during;
  auto s = h.Make(o);
  h.between_polls = [&](int) { up_during.push_back(s->up()); };
  h.Run(*s);
  EXPECT_EQ(h.sleeps, (std::vector<std::chrono::milliseconds>{1s, 2s, 4s, 4s, 10s}));
  EXPECT_EQ(up_during, (std::vector<bool>{false, false, false, false, true}));
  EXPECT_TRUE(s->last_error().empty());
}

TEST(FrigateApiLogSource, Version016RepeatMarkersCountEveryOccurrenceOnceAcrossPolls) {
  std::ifstream in(std::string(FHC_SOURCE_DIR) + "/tests/fixtures/logs/api-0.16.json");
  std::stringstream buf;
  buf << in.rdbuf();
  std::string body = buf.str();
  Harness h;
  h.polls_before_stop = 2;
  // Between polls, two more repeats collapse into the same marker.
  h.between_polls = [&](int poll) {
    if (poll != 1) return;
    const std::string from = "repeated 2 times", to = "repeated 4 times";
    body.replace(body.find(from), from.size(), to);
  };
  h.http.handler = [&](const http::Request&) { return Ok(body, "application/json"); };
  FakeClock clock(FromUnixSeconds(1'748'772'060));  // 2025-06-01 10:01:00 UTC
  LogMonitor monitor(clock, {}, nullptr);
  auto s = h.Make();
  s->Run([&](std::string_view l) { monitor.OnLine(l); }, h.stop);
  const LogSnapshot snap = monitor.Snapshot();
  EXPECT_EQ(snap.totals.at(LogEventKind::kRecordingBacklogUnprocessed), 5u) << "1 + 4 repeats";
  EXPECT_EQ(snap.backlog_in_window, (std::map<std::string, int>{{"gate", 5}}));
  EXPECT_EQ(snap.stuck_in_window, 1) << "joined entry split, counted once over two polls";
}

}  // namespace
}  // namespace fhc::exporter
