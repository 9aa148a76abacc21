#include "exporter/logs/docker_log_source.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "common/clock/fake_clock.h"

namespace fhc::exporter {
namespace {

using namespace std::chrono_literals;

std::string Frame(int stream, std::string_view payload) {
  std::string h(8, '\0');
  h[0] = static_cast<char>(stream);
  const auto n = static_cast<uint32_t>(payload.size());
  h[6] = static_cast<char>(n >> 8);
  h[7] = static_cast<char>(n);
  return h + std::string(payload);
}

// "2024-05-01T10:00:0<s>.00000000<n>Z <text>\n" framed on stdout.
std::string Line(int s, int n, const std::string& text) {
  return Frame(1, "2024-05-01T10:00:0" + std::to_string(s) + ".00000000" + std::to_string(n) +
                      "Z " + text + "\n");
}

docker::ContainerInfo Container(const std::string& id, bool tty = false) {
  docker::ContainerInfo c;
  c.id = id;
  c.name = "frigate";
  c.status = "running";
  c.running = true;
  c.tty = tty;
  return c;
}

struct Follow {
  std::string id;
  std::string since;  // SinceParameter() or "whole"
};

class FakeApi : public ContainerLogApi {
 public:
  std::deque<Result<docker::ContainerInfo>> inspects;
  std::deque<std::pair<std::vector<std::string>, int>> bodies;  // chunks, final status (0 broke)
  std::vector<Follow> follows;

  Result<docker::ContainerInfo> Inspect(const std::string& name) override {
    EXPECT_EQ(name, "nvr-frigate");
    if (inspects.empty()) return Result<docker::ContainerInfo>::Error("404 No such container");
    auto r = inspects.front();
    inspects.pop_front();
    return r;
  }
  http::Response FollowLogs(const std::string& id, const std::optional<docker::DockerTime>& since,
                            const http::ChunkHandler& on_chunk, const std::atomic<bool>*) override {
    follows.push_back({id, since ? since->SinceParameter() : "whole"});
    http::Response r;
    if (bodies.empty()) {
      r.error = "no socket at /var/run/docker.sock";
      return r;
    }
    auto [chunks, status] = bodies.front();
    bodies.pop_front();
    on_chunk("");
    for (const auto& c : chunks) {
      if (!on_chunk(c)) break;
    }
    r.status = status;
    if (status == 0) r.error = "connection reset";
    return r;
  }
};

struct Harness {
  FakeClock clock{FromUnixSeconds(1714557600.0)};
  FakeApi api;
  std::atomic<bool> stop{false};
  std::vector<std::string> lines;
  std::vector<std::chrono::milliseconds> sleeps;
  std::size_t rounds = 1;  // stop after this many sleeps
  std::unique_ptr<DockerLogSource> source;
  Harness() {
    DockerLogSource::Options o;
    o.container = "nvr-frigate";
    o.initial_since = 360s;
    o.backoff_initial = 1s;
    o.backoff_max = 8s;
    source = std::make_unique<DockerLogSource>(
        o, api, clock, [this](std::chrono::milliseconds d, const std::atomic<bool>&) {
          sleeps.push_back(d);
          if (sleeps.size() >= rounds) stop = true;
        });
  }
  void Run() {
    source->Run([this](std::string_view l) { lines.emplace_back(l); }, stop);
  }
};

TEST(DockerLogSource, FirstConnectAsksForTheWindowThenReconnectsAtTheCursorWithoutRepeats) {
  Harness h;
  h.rounds = 2;
  h.api.inspects = {Container("c1"), Container("c1")};
  // The first body ends (container restarted) after line b; the second repeats b (since is
  // inclusive) and brings c, and a second line at b's exact time that is new.
  h.api.bodies = {{{Line(1, 1, "a") + Line(2, 2, "b")}, 200},
                  {{Line(2, 2, "b") + Line(2, 2, "b2") + Line(3, 3, "c")}, 200}};
  h.Run();
  EXPECT_EQ(h.lines, (std::vector<std::string>{"a", "b", "b2", "c"}));
  ASSERT_EQ(h.api.follows.size(), 2U);
  EXPECT_EQ(h.api.follows[0].since, "1714557240.000000000");  // now - 360 s
  EXPECT_EQ(h.api.follows[1].since, "1714557602.000000002");  // b's time, exactly
  EXPECT_EQ(h.source->overlap_dropped(), 1U);
  EXPECT_TRUE(h.source->up());
}

TEST(DockerLogSource, OlderLinesThanTheCursorAreDropped) {
  Harness h;
  h.rounds = 2;
  h.api.inspects = {Container("c1"), Container("c1")};
  h.api.bodies = {{{Line(5, 5, "late")}, 200}, {{Line(1, 1, "early") + Line(6, 6, "next")}, 200}};
  h.Run();
  EXPECT_EQ(h.lines, (std::vector<std::string>{"late", "next"}));
}

TEST(DockerLogSource, ANewContainerIsReadFromItsStart) {
  Harness h;
  h.rounds = 2;
  h.api.inspects = {Container("c1"), Container("c2")};
  h.api.bodies = {{{Line(5, 5, "old container")}, 200}, {{Line(1, 1, "new container")}, 200}};
  h.Run();
  EXPECT_EQ(h.lines, (std::vector<std::string>{"old container", "new container"}));
  EXPECT_EQ(h.api.follows[1].since, "whole");
}

TEST(DockerLogSource, TtyContainersAreReadRaw) {
  Harness h;
  h.api.inspects = {Container("c1", /*tty=*/true)};
  h.api.bodies = {
      {{"2024-05-01T10:00:01.000000001Z raw one\n2024-05-01T10:00:01.0000000", "02Z two"}, 200}};
  h.Run();
  EXPECT_EQ(h.lines, (std::vector<std::string>{"raw one", "two"}));  // the last one flushed
}

TEST(DockerLogSource, APartialLineOfABrokenStreamIsDroppedAndItsRestComesAgain) {
  Harness h;
  h.rounds = 2;
  h.api.inspects = {Container("c1"), Container("c1")};
  const std::string full = Line(1, 1, "complete") + Line(2, 2, "cut here");
  h.api.bodies = {{{full.substr(0, full.size() - 4)}, 0}, {{Line(2, 2, "cut here")}, 200}};
  h.Run();
  EXPECT_EQ(h.lines, (std::vector<std::string>{"complete", "cut here"}));
  EXPECT_EQ(h.api.follows[1].since, "1714557601.000000001");
}

TEST(DockerLogSource, MalformedFramingIsCountedAndTheStreamDropped) {
  Harness h;
  h.api.inspects = {Container("c1", /*tty=*/false)};
  h.api.bodies = {{{"2024-05-01T10:00:01.000000001Z not framed\n"}, 200}};
  h.Run();
  EXPECT_TRUE(h.lines.empty());
  EXPECT_EQ(h.source->malformed_bodies(), 1U);
  EXPECT_FALSE(h.source->up());
}

TEST(DockerLogSource, MissingContainerOrDaemonBacksOffAndIsDown) {
  Harness h;
  h.rounds = 3;
  h.Run();
  EXPECT_EQ(h.sleeps, (std::vector<std::chrono::milliseconds>{1s, 2s, 4s}));
  EXPECT_FALSE(h.source->up());
  EXPECT_TRUE(h.api.follows.empty());
}

}  // namespace
}  // namespace fhc::exporter
