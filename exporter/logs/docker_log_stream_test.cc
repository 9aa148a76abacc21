#include "exporter/logs/docker_log_stream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fhc::exporter {
namespace {

std::string Frame(int stream, std::string_view payload) {
  std::string h(8, '\0');
  h[0] = static_cast<char>(stream);
  const auto n = static_cast<uint32_t>(payload.size());
  h[4] = static_cast<char>(n >> 24);
  h[5] = static_cast<char>(n >> 16);
  h[6] = static_cast<char>(n >> 8);
  h[7] = static_cast<char>(n);
  return h + std::string(payload);
}

struct Got {
  int stream;
  std::string time;  // SinceParameter() or "-"
  std::string text;
  bool operator==(const Got&) const = default;
};

std::vector<Got> Collect(DockerLogStream& s, const std::vector<std::string>& chunks,
                         bool flush = false, bool* ok = nullptr) {
  std::vector<Got> out;
  const auto h = [&](const DockerLogLine& l) {
    out.push_back({l.stream, l.time ? l.time->SinceParameter() : "-", std::string(l.text)});
  };
  bool all = true;
  for (const auto& c : chunks) all = s.Feed(c, h) && all;
  if (flush) s.Flush(h);
  if (ok != nullptr) *ok = all;
  return out;
}

constexpr const char* kT1 = "2024-05-01T10:00:00.000000001Z ";
constexpr const char* kT2 = "2024-05-01T10:00:00.000000002Z ";

TEST(DockerLogStream, DecodesFramesAndParsesTheDaemonsTimestamp) {
  DockerLogStream s;
  const std::string body = Frame(1, std::string(kT1) + "2024-05-01 10:00:00.000 INFO : a\n") +
                           Frame(2, std::string(kT2) + "err b\n");
  const auto got = Collect(s, {body});
  ASSERT_EQ(got.size(), 2U);
  EXPECT_EQ(got[0], (Got{1, "1714557600.000000001", "2024-05-01 10:00:00.000 INFO : a"}));
  EXPECT_EQ(got[1], (Got{2, "1714557600.000000002", "err b"}));
}

TEST(DockerLogStream, ChunkBoundariesAnywhereGiveTheSameLines) {
  const std::string body = Frame(1, std::string(kT1) + "one\n") +
                           Frame(2, std::string(kT2) + "two\n") +
                           Frame(1, std::string(kT2) + "three\n");
  DockerLogStream whole;
  const auto expected = Collect(whole, {body});
  ASSERT_EQ(expected.size(), 3U);
  for (std::size_t cut1 = 0; cut1 <= body.size(); ++cut1) {
    for (std::size_t cut2 = cut1; cut2 <= body.size(); cut2 += 7) {
      DockerLogStream s;
      EXPECT_EQ(
          Collect(s, {body.substr(0, cut1), body.substr(cut1, cut2 - cut1), body.substr(cut2)}),
          expected)
          << cut1 << " " << cut2;
    }
  }
}

TEST(DockerLogStream, StdoutAndStderrAreSplitApart) {
  // A partial stdout line, then a whole stderr line, then the rest of the stdout line.
  DockerLogStream s;
  const auto got =
      Collect(s, {Frame(1, std::string(kT1) + "par") + Frame(2, "whole\n") + Frame(1, "tial\n")});
  ASSERT_EQ(got.size(), 2U);
  EXPECT_EQ(got[0], (Got{2, "-", "whole"}));
  EXPECT_EQ(got[1], (Got{1, "1714557600.000000001", "partial"}));
}

TEST(DockerLogStream, TtyBodiesAreRawBytes) {
  DockerLogStream s(/*tty=*/true);
  const auto got = Collect(s, {std::string(kT1) + "tty li", "ne\n" + std::string(kT2) + "x"},
                           /*flush=*/true);
  ASSERT_EQ(got.size(), 2U);
  EXPECT_EQ(got[0], (Got{1, "1714557600.000000001", "tty line"}));
  EXPECT_EQ(got[1], (Got{1, "1714557600.000000002", "x"}));
}

TEST(DockerLogStream, MalformedHeaderFailsTheBody) {
  DockerLogStream s;
  bool ok = true;
  // A TTY body read as if multiplexed: "2024..." is not a frame header.
  Collect(s, {std::string(kT1) + "line\n"}, false, &ok);
  EXPECT_FALSE(ok);
  EXPECT_TRUE(s.failed());
  s.Reset(false);
  EXPECT_FALSE(s.failed());
  EXPECT_EQ(Collect(s, {Frame(1, "ok\n")}).size(), 1U);
}

TEST(DockerLogStream, SystemErrorFramesAreNotLogLines) {
  DockerLogStream s;
  const auto got =
      Collect(s, {Frame(3, "error from daemon in stream: log file missing\n") + Frame(1, "x\n")});
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(s.system_error(), "error from daemon in stream: log file missing\n");
}

TEST(DockerLogStream, ResetDropsAPartialFrameAndLine) {
  DockerLogStream s;
  Collect(s, {Frame(1, "partial line").substr(0, 10)});
  s.Reset(false);
  const auto got = Collect(s, {Frame(1, "fresh\n")});
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].text, "fresh");
}

}  // namespace
}  // namespace fhc::exporter
