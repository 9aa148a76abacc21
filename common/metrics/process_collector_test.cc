#include "common/metrics/process_collector.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "common/metrics/family.h"

namespace fhc::metrics {
namespace {

using ::testing::HasSubstr;

TEST(ProcessCollector, ReportsTheStandardFamiliesOfThisProcess) {
  std::vector<char> ballast(8 * 1024 * 1024, 1);  // touched memory shows up in RSS
  auto families = ProcessCollector().Collect();
  std::vector<std::string> names;
  double rss = 0;
  for (const auto& f : families) {
    names.push_back(f.name);
    if (f.name == "process_resident_memory_bytes") rss = f.metric.at(0).gauge.value;
  }
  EXPECT_THAT(names, ::testing::UnorderedElementsAre(
                         "process_cpu_seconds_total", "process_resident_memory_bytes",
                         "process_virtual_memory_bytes", "process_start_time_seconds",
                         "process_open_fds", "process_max_fds"));
  EXPECT_GT(rss, 8.0 * 1024 * 1024);
  EXPECT_EQ(ballast[4096], 1);
}

TEST(ProcessCollector, ParsesACommandWithSpacesAndParentheses) {
  auto dir = std::filesystem::temp_directory_path() / "fhc-proc-test";
  std::filesystem::create_directories(dir / "self" / "fd");
  std::ofstream(dir / "self" / "stat")
      << "42 (a (b) c) S 1 42 42 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 1 0 1000 123456 789 "
         "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
  std::ofstream(dir / "stat") << "cpu  1 2 3\nbtime 1700000000\n";
  std::ofstream(dir / "self" / "limits")
      << "Max open files            1024                 4096    files\n";
  auto text = Serialize(ProcessCollector((dir / "self").string(), dir.string()).Collect());
  long ticks = sysconf(_SC_CLK_TCK);
  EXPECT_THAT(text, HasSubstr("process_virtual_memory_bytes 123456"));
  EXPECT_THAT(text, HasSubstr("process_max_fds 1024"));
  EXPECT_THAT(text, HasSubstr("process_open_fds 0"));
  EXPECT_THAT(text, HasSubstr(fmt::format("process_cpu_seconds_total {}", 400.0 / ticks)));
  std::filesystem::remove_all(dir);
}

TEST(Family, ConstantLabelsGoOnlyOnFamiliesWithThePrefix) {
  std::vector<prometheus::MetricFamily> fams;
  fams.push_back(Family("frigate_up", "Up.", prometheus::MetricType::Gauge));
  AddSample(fams.back(), 1);
  fams.push_back(Family("process_open_fds", "Fds.", prometheus::MetricType::Gauge));
  AddSample(fams.back(), 3);
  AddConstantLabels(fams, {{"namespace", "nvr"}, {"deployment", "frigate"}}, "frigate_");
  auto text = Serialize(fams);
  EXPECT_THAT(text, HasSubstr("frigate_up{namespace=\"nvr\",deployment=\"frigate\"} 1"));
  EXPECT_THAT(text, HasSubstr("process_open_fds 3"));
}

}  // namespace
}  // namespace fhc::metrics
