#include "exporter/metrics/stats_collector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fhc::exporter {
namespace {

using ::testing::IsEmpty;
using ::testing::Not;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(FHC_SOURCE_DIR) + "/tests/fixtures/stats/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::shared_ptr<const FrigateStats> Load(const std::string& fixture) {
  auto parsed = ParseStats(ReadFixture(fixture));
  EXPECT_TRUE(parsed.ok()) << fixture << ": " << parsed.error();
  return std::make_shared<const FrigateStats>(parsed.ok() ? *parsed : FrigateStats{});
}

std::string Serialize(const std::vector<prometheus::MetricFamily>& families) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

std::string Exposition(const std::string& fixture, StatsCollectorOptions options = {}) {
  StatsCollector collector(options);
  collector.Update(Load(fixture));
  return Serialize(collector.Collect());
}

std::set<std::string> Lines(const std::string& text) {
  std::set<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.insert(line);
  return lines;
}

const std::vector<std::string> kFixtures = {
    "frigate-0.12.json",
    "frigate-0.13.json",
    "frigate-0.14.json",
    "frigate-0.16.json",
    "frigate-0.17.json",
    "frigate-0.18-beta.json",
    // tests/fixtures/stats/SOURCES.md says what these two are built from.
    "frigate-0.16-process-tree.json",
    "frigate-0.18-gpus.json",
};

// Exact exposition lines each fixture must produce. Values are worked out from the fixture by
// hand: storage MB x 1e6 up to 0.12 and MiB x 2^20 after, inference ms x 0.001, nethogs KB x 1024.
struct ExpectedLines {
  std::string fixture;
  std::vector<std::string> lines;
};

void PrintTo(const ExpectedLines& e, std::ostream* os) { *os << e.fixture; }

const ExpectedLines kExpected[] = {
    {"frigate-0.12.json",
     {
         "# HELP frigate_camera_fps Frames per second Frigate reads from the camera's detect "
         "stream; 0 means the camera is offline.",
         "# TYPE frigate_camera_fps gauge",
         R"(frigate_camera_fps{camera_name="front_door"} 5.1)",
         R"(frigate_camera_fps{camera_name="garage"} 0)",
         R"(frigate_skipped_fps{camera_name="driveway"} 2.5)",
         R"(frigate_detection_fps{camera_name="driveway"} 12.4)",
         R"(frigate_detection_enabled{camera_name="front_door"} 1)",
         R"(frigate_detection_enabled{camera_name="garage"} 0)",
         "frigate_detection_total_fps 13.6",
         R"(frigate_detector_inference_speed_seconds{name="coral"} 0.00852)",
         R"(frigate_detection_start{name="coral"} 0)",
         R"(frigate_cpu_usage_percent{pid="280",name="coral",process="detect",type="Detector"} 12.5)",
         R"(frigate_cpu_usage_percent{pid="310",name="front_door",process="ffmpeg",type="Camera"} 8)",
         R"(frigate_mem_usage_percent{pid="301",name="front_door",process="capture",type="Camera"} 0.5)",
         R"(frigate_gpu_usage_percent{gpu_name="intel-vaapi"} 12.5)",
         "frigate_service_uptime_seconds 3600",
         "frigate_service_last_updated_timestamp 1680000000",
         R"(frigate_service_info{version="0.12.1-367d724",latest_version="0.12.1"} 1)",
         R"(frigate_device_temperature{device="apex_0"} 45.8)",
         R"(frigate_storage_total_bytes{storage="/media/frigate/recordings"} 2000000000000)",
         R"(frigate_storage_free_bytes{storage="/media/frigate/recordings"} 1500000500000)",
         R"(frigate_storage_used_bytes{storage="/dev/shm"} 15750000)",
         R"(frigate_storage_mount_type_info{storage="/dev/shm",mount_type="tmpfs"} 1)",
     }},
    {"frigate-0.13.json",
     {
         R"(frigate_audio_dbfs{camera_name="front_door"} -45.5213)",
         R"(frigate_audio_rms{camera_name="front_door"} 12.3456)",
         R"(frigate_detection_enabled{camera_name="backyard"} 0)",
         R"(frigate_detector_inference_speed_seconds{name="coral"} 0.00925)",
         R"(frigate_detection_start{name="coral"} 1700000099.5)",
         R"(frigate_cpu_usage_percent{pid="320",name="logger",process="logger",type="logger"} 0.3)",
         R"(frigate_cpu_usage_percent{pid="330",name="go2rtc",process="go2rtc",type="go2rtc"} 3)",
         R"(frigate_storage_total_bytes{storage="/media/frigate/recordings"} 2147483648)",
         R"(frigate_storage_free_bytes{storage="/media/frigate/recordings"} 1573388288)",
         R"(frigate_storage_mount_type_info{storage="/media/frigate/recordings",mount_type="nfs4"} 1)",
     }},
    {"frigate-0.14.json",
     {
         R"(frigate_detection_enabled{camera_name="front_door"} 1)",
         R"(frigate_detection_enabled{camera_name="garage"} 0)",
         R"(frigate_detector_inference_speed_seconds{name="coral2"} 0.1205)",
         R"(frigate_detection_start{name="coral2"} 1720000040)",
         R"(frigate_cpu_usage_percent{pid="frigate.full_system",name="full_system",process="system",type="System"} 35.5)",
         R"(frigate_mem_usage_percent{pid="frigate.full_system",name="full_system",process="system",type="System"} 42)",
         R"(frigate_cpu_usage_percent{pid="450",name="review_segment",process="review_segment",type="review_segment"} 0.5)",
         R"(frigate_gpu_usage_percent{gpu_name="NVIDIA GeForce GTX 1650"} 17)",
         R"(frigate_gpu_mem_usage_percent{gpu_name="NVIDIA GeForce GTX 1650"} 31.5)",
         R"(frigate_service_info{version="0.14.1-f4f3cfa",latest_version="unknown"} 1)",
         R"(frigate_device_temperature{device="apex_1"} 49.5)",
         R"(frigate_storage_used_bytes{storage="/dev/shm"} 16515072)",
     }},
    {"frigate-0.16.json",
     {
         R"(frigate_camera_fps{camera_name="back \"yard\""} 5)",
         R"(frigate_detection_enabled{camera_name="back \"yard\""} 0)",
         R"(frigate_detector_inference_speed_seconds{name="ov_1"} 0.01525)",
         R"(frigate_cpu_usage_percent{pid="670",name="embeddings",process="embeddings",type="embeddings"} 2)",
         R"(frigate_bandwidth_usage_bytes_per_second{pid="610",name="front_door",process="ffmpeg",type="Camera"} 524800)",
         R"(frigate_bandwidth_usage_bytes_per_second{pid="614",name="driveway",process="ffmpeg",type="Camera"} 1048576)",
         "frigate_service_uptime_seconds 123456",
         R"(frigate_storage_total_bytes{storage="/tmp/cache"} 1048576000)",
     }},
    {"frigate-0.17.json",
     {
         R"(frigate_camera_fps{camera_name="driveway"} 15)",
         R"(frigate_skipped_fps{camera_name="driveway"} 1)",
         "frigate_detection_total_fps 8.5",
         R"(frigate_detector_inference_speed_seconds{name="onnx"} 0.0225)",
         R"(frigate_gpu_mem_usage_percent{gpu_name="NVIDIA GeForce RTX 3060"} 40.5)",
         R"(frigate_storage_total_bytes{storage="/dev/shm"} 67108864)",
         "frigate_service_last_updated_timestamp 1760000135",
     }},
    {"frigate-0.18-beta.json",
     {
         R"(frigate_device_temperature{device="coral"} 47.5)",
         R"(frigate_gpu_usage_percent{gpu_name="intel-gpu"} 9.5)",
         R"(frigate_cpu_usage_percent{pid="780",name="coral",process="detect",type="Detector"} 12)",
         R"(frigate_service_info{version="0.18.0-beta1",latest_version="0.17.2"} 1)",
     }},
    // Every pid becomes a series as in Frigate 0.16.4's /api/metrics (frigate/stats/prometheus.py):
    // the main process, nginx and s6 as type="Other" named by their command line, a detector
    // also as type="detectors", `processes` entries as type=<their name>.
    {"frigate-0.16-process-tree.json",
     {
         R"(frigate_cpu_usage_percent{pid="402",name="python3 -u -m frigate",process="python3 -u -m frigate",type="Other"} 4.5)",
         R"(frigate_mem_usage_percent{pid="120",name="nginx: master process nginx",process="nginx: master process nginx",type="Other"} 0.1)",
         R"(frigate_cpu_usage_percent{pid="131",name="nginx: worker process",process="nginx: worker process",type="Other"} 0.5)",
         R"(frigate_cpu_usage_percent{pid="18",name="s6-supervise nginx",process="s6-supervise nginx",type="Other"} 0)",
         R"(frigate_cpu_usage_percent{pid="1",name="/package/admin/s6/command/s6-svscan -d4 -- /run/service",process="/package/admin/s6/command/s6-svscan -d4 -- /run/service",type="Other"} 0)",
         R"(frigate_cpu_usage_percent{pid="580",name="ov_0",process="detect",type="Detector"} 45)",
         R"(frigate_cpu_usage_percent{pid="580",name="ov_0",process="ov_0",type="detectors"} 45)",
         R"(frigate_mem_usage_percent{pid="580",name="ov_0",process="ov_0",type="detectors"} 3.5)",
         R"(frigate_cpu_usage_percent{pid="630",name="go2rtc",process="go2rtc",type="go2rtc"} 5)",
         R"(frigate_mem_usage_percent{pid="660",name="recording",process="recording",type="recording"} 1)",
         R"(frigate_cpu_usage_percent{pid="610",name="front_door",process="ffmpeg",type="Camera"} 8.5)",
         R"(frigate_cpu_usage_percent{pid="frigate.full_system",name="full_system",process="system",type="System"} 48.5)",
     }},
    // Frigate 0.18.0-beta1's GPU families (frigate/stats/prometheus.py): NVIDIA's enc/dec, Intel's
    // compute/dec; "-%" (no memory figure) gives no series.
    {"frigate-0.18-gpus.json",
     {
         R"(frigate_gpu_usage_percent{gpu_name="NVIDIA GeForce RTX 3060"} 34)",
         R"(frigate_gpu_mem_usage_percent{gpu_name="NVIDIA GeForce RTX 3060"} 41.27)",
         R"(frigate_gpu_encoder_usage_percent{gpu_name="NVIDIA GeForce RTX 3060"} 12)",
         R"(frigate_gpu_decoder_usage_percent{gpu_name="NVIDIA GeForce RTX 3060"} 27)",
         R"(frigate_gpu_usage_percent{gpu_name="Core i5-12500 iGPU"} 23.5)",
         R"(frigate_gpu_compute_usage_percent{gpu_name="Core i5-12500 iGPU"} 8.25)",
         R"(frigate_gpu_decoder_usage_percent{gpu_name="Core i5-12500 iGPU"} 15.25)",
     }},
};

class StatsCollectorFixtureTest : public ::testing::TestWithParam<ExpectedLines> {};

TEST_P(StatsCollectorFixtureTest, ProducesTheExactLines) {
  const std::set<std::string> lines = Lines(Exposition(GetParam().fixture));
  for (const auto& expected : GetParam().lines) {
    EXPECT_TRUE(lines.count(expected)) << "missing line: " << expected;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, StatsCollectorFixtureTest, ::testing::ValuesIn(kExpected));

TEST(StatsCollector, NoStatsMeansNoFamilies) {
  StatsCollector collector;
  EXPECT_THAT(collector.Collect(), IsEmpty());
  collector.Update(Load("frigate-0.16.json"));
  EXPECT_THAT(collector.Collect(), Not(IsEmpty()));
  collector.Update(nullptr);
  EXPECT_THAT(collector.Collect(), IsEmpty());
}

TEST(StatsCollector, FamiliesWithoutSeriesAreLeftOut) {
  StatsCollector collector;
  collector.Update(std::make_shared<const FrigateStats>());
  EXPECT_THAT(collector.Collect(), IsEmpty());
}

TEST(StatsCollector, EveryPidIsASeriesButJunkKeysAreNot) {
  // pid 1 (s6-svscan, or /init in 0.13) is in every cpu_usages table and no Frigate table claims
  // it: it is a series like any other pid. 0.12's "PID"/"MiB" keys never get that far, and there
  // is no cmdline label unless asked.
  for (const auto& fixture : kFixtures) {
    const std::string text = Exposition(fixture);
    if (fixture != "frigate-0.17.json" && fixture.find("0.18") == std::string::npos) {
      EXPECT_NE(text.find(R"(frigate_cpu_usage_percent{pid="1",)"), std::string::npos) << fixture;
    }
    EXPECT_EQ(text.find(R"(pid="PID")"), std::string::npos) << fixture;
    EXPECT_EQ(text.find("cmdline"), std::string::npos) << fixture;
  }
  // 0.12's `top` rows have no command line: the unclaimed pid keeps empty name and process.
  EXPECT_TRUE(
      Lines(Exposition("frigate-0.12.json"))
          .count(R"(frigate_mem_usage_percent{pid="1",name="",process="",type="Other"} 0.1)"));
}

TEST(StatsCollector, CmdlineLabelOnlyWhenAsked) {
  const std::set<std::string> lines =
      Lines(Exposition("frigate-0.13.json", StatsCollectorOptions{.include_cmdline = true}));
  EXPECT_TRUE(lines.count(
      R"(frigate_cpu_usage_percent{pid="320",name="logger",process="logger",type="logger",cmdline="frigate.logger"} 0.3)"));
  EXPECT_TRUE(lines.count(
      R"(frigate_mem_usage_percent{pid="298",name="front_door",process="detect",type="Camera",cmdline="frigate.process:front_door"} 1.4)"));
}

TEST(StatsCollector, CmdlineLabelOnEveryProcessSeriesWhenAsked) {
  const std::set<std::string> lines = Lines(
      Exposition("frigate-0.16-process-tree.json", StatsCollectorOptions{.include_cmdline = true}));
  EXPECT_TRUE(lines.count(
      R"(frigate_cpu_usage_percent{pid="580",name="ov_0",process="ov_0",type="detectors",cmdline="frigate.detector.ov_0"} 45)"));
  // Frigate masks the stream's credentials before they reach the stats.
  EXPECT_TRUE(lines.count(
      R"(frigate_cpu_usage_percent{pid="612",name="ffmpeg -hide_banner -loglevel warning -threads 2 -user_agent FFmpeg Frigate/0.16.4-3a9c1e2 -avoid_negative_ts make_zero -fflags +genpts+discardcorrupt -rtsp_transport tcp -timeout 10000000 -use_wallclock_as_timestamps 1 -i rtsp://*:*@192.168.1.20:554/h264Preview_01_main -f segment -segment_time 10 -segment_format mp4 -reset_timestamps 1 -strftime 1 -c copy -an /tmp/cache/front_door@%Y%m%d%H%M%S%z.mp4",process="ffmpeg -hide_banner -loglevel warning -threads 2 -user_agent FFmpeg Frigate/0.16.4-3a9c1e2 -avoid_negative_ts make_zero -fflags +genpts+discardcorrupt -rtsp_transport tcp -timeout 10000000 -use_wallclock_as_timestamps 1 -i rtsp://*:*@192.168.1.20:554/h264Preview_01_main -f segment -segment_time 10 -segment_format mp4 -reset_timestamps 1 -strftime 1 -c copy -an /tmp/cache/front_door@%Y%m%d%H%M%S%z.mp4",type="Other",cmdline="ffmpeg -hide_banner -loglevel warning -threads 2 -user_agent FFmpeg Frigate/0.16.4-3a9c1e2 -avoid_negative_ts make_zero -fflags +genpts+discardcorrupt -rtsp_transport tcp -timeout 10000000 -use_wallclock_as_timestamps 1 -i rtsp://*:*@192.168.1.20:554/h264Preview_01_main -f segment -segment_time 10 -segment_format mp4 -reset_timestamps 1 -strftime 1 -c copy -an /tmp/cache/front_door@%Y%m%d%H%M%S%z.mp4"} 2.5)"));
  const std::set<std::string> bandwidth =
      Lines(Exposition("frigate-0.16.json", StatsCollectorOptions{.include_cmdline = true}));
  EXPECT_TRUE(bandwidth.count(
      R"(frigate_bandwidth_usage_bytes_per_second{pid="610",name="front_door",process="ffmpeg",type="Camera",cmdline="ffmpeg -hide_banner -loglevel warning -i rtsp://127.0.0.1:8554/front_door"} 524800)"));
}

TEST(StatsCollector, CmdlineQuotesAreEscaped) {
  const std::set<std::string> lines =
      Lines(Exposition("frigate-0.14.json", StatsCollectorOptions{.include_cmdline = true}));
  EXPECT_TRUE(lines.count(
      R"(frigate_cpu_usage_percent{pid="410",name="front_door",process="ffmpeg",type="Camera",cmdline="ffmpeg -hide_banner -loglevel warning -i rtsp://127.0.0.1:8554/front_door \"detect\""} 9.5)"));
}

TEST(StatsCollector, AbsentValuesGiveNoSeriesRatherThanZero) {
  FrigateStats stats;
  CameraStats a;
  a.name = "a";
  a.camera_fps = 5.0;
  CameraStats b;
  b.name = "b";
  b.detection_enabled = true;
  stats.cameras = {a, b};
  StatsCollector collector;
  collector.Update(std::make_shared<const FrigateStats>(stats));
  const std::string text = Serialize(collector.Collect());
  const std::set<std::string> lines = Lines(text);
  EXPECT_TRUE(lines.count(R"(frigate_camera_fps{camera_name="a"} 5)"));
  EXPECT_TRUE(lines.count(R"(frigate_detection_enabled{camera_name="b"} 1)"));
  EXPECT_EQ(text.find(R"(frigate_camera_fps{camera_name="b"})"), std::string::npos);
  EXPECT_EQ(text.find("frigate_service_info"), std::string::npos);  // no version known
}

TEST(StatsCollector, EverySeriesOfAFamilyHasTheSameLabelNamesAndTheFamilyIsAGauge) {
  for (const bool cmdline : {false, true}) {
    for (const auto& fixture : kFixtures) {
      StatsCollector collector(StatsCollectorOptions{.include_cmdline = cmdline});
      collector.Update(Load(fixture));
      std::set<std::string> names;
      for (const auto& family : collector.Collect()) {
        EXPECT_TRUE(names.insert(family.name).second) << "family twice: " << family.name;
        EXPECT_EQ(family.type, prometheus::MetricType::Gauge) << family.name;
        EXPECT_FALSE(family.help.empty()) << family.name;
        ASSERT_FALSE(family.metric.empty()) << family.name;
        std::set<std::set<std::string>> label_sets;
        std::set<std::vector<std::string>> series;
        for (const auto& metric : family.metric) {
          std::set<std::string> label_names;
          std::vector<std::string> values;
          for (const auto& label : metric.label) {
            label_names.insert(label.name);
            values.push_back(label.value);
          }
          label_sets.insert(label_names);
          EXPECT_TRUE(series.insert(values).second) << "repeated series in " << family.name;
        }
        EXPECT_EQ(label_sets.size(), 1u) << fixture << " " << family.name;
      }
    }
  }
}

// The real linter Prometheus users run; installed by scripts/install-deps.sh.
constexpr const char* kPromtool = "/usr/bin/promtool";

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult PromtoolCheckMetrics(const std::string& exposition) {
  char path[] = "/tmp/stats_collector_test_XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return {};
  const ssize_t written = write(fd, exposition.data(), exposition.size());
  close(fd);
  CommandResult result;
  if (written == static_cast<ssize_t>(exposition.size())) {
    const std::string command = std::string(kPromtool) + " check metrics < " + path + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe != nullptr) {
      char buffer[4096];
      for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) {
        result.output.append(buffer, n);
      }
      const int status = pclose(pipe);
      result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
  }
  unlink(path);
  return result;
}

TEST(StatsCollectorPromtool, EveryFixturePassesCheckMetricsWithNoFinding) {
  if (access(kPromtool, X_OK) != 0) GTEST_SKIP() << kPromtool << " is not installed";
  for (const bool cmdline : {false, true}) {
    for (const auto& fixture : kFixtures) {
      const std::string text =
          Exposition(fixture, StatsCollectorOptions{.include_cmdline = cmdline});
      ASSERT_FALSE(text.empty());
      const CommandResult result = PromtoolCheckMetrics(text);
      EXPECT_EQ(result.exit_code, 0) << fixture << ": " << result.output;
      EXPECT_EQ(result.output, "") << fixture;
    }
  }
}

TEST(StatsCollectorPromtool, ItCatchesABadName) {
  // Guards the test above: Frigate's native spelling must be reported by the same call.
  if (access(kPromtool, X_OK) != 0) GTEST_SKIP() << kPromtool << " is not installed";
  const CommandResult result = PromtoolCheckMetrics(
      "# HELP frigate_audio_dBFS x\n# TYPE frigate_audio_dBFS gauge\nfrigate_audio_dBFS 1\n");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.output, ::testing::HasSubstr("camelCase"));
}

}  // namespace
}  // namespace fhc::exporter
