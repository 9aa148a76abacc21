#include "exporter/logs/line_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fhc::exporter {
namespace {

TEST(LineSplitter, LinesSplitAcrossChunksComeOutWhole) {
  LineSplitter s;
  std::vector<std::string> out;
  auto sink = [&](std::string_view l) { out.emplace_back(l); };
  s.Feed("first li", sink);
  s.Feed("ne\nsecond\nthi", sink);
  EXPECT_EQ(out, (std::vector<std::string>{"first line", "second"}));
  s.Feed("rd\r\n", sink);
  EXPECT_EQ(out.back(), "third\r");
  EXPECT_EQ(s.pending(), 0u);
}

TEST(LineSplitter, FlushDeliversTheUnterminatedTailAndResetDropsIt) {
  LineSplitter s;
  std::vector<std::string> out;
  auto sink = [&](std::string_view l) { out.emplace_back(l); };
  s.Feed("tail", sink);
  s.Flush(sink);
  EXPECT_EQ(out, (std::vector<std::string>{"tail"}));
  s.Feed("broken", sink);
  s.Reset();
  s.Feed("fresh\n", sink);
  EXPECT_EQ(out.back(), "fresh");
}

TEST(LineSplitter, EndlessLineIsCutAtTheBound) {
  LineSplitter s(8);
  std::vector<std::string> out;
  s.Feed(std::string(20, 'x'), [&](std::string_view l) { out.emplace_back(l); });
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(s.pending(), 4u);
}

}  // namespace
}  // namespace fhc::exporter
