#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "exporter/stats/frigate_stats.h"

namespace fhc::exporter {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Optional;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(FHC_SOURCE_DIR) + "/tests/fixtures/stats/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

FrigateStats ParseFixture(const std::string& name) {
  auto result = ParseStats(ReadFixture(name));
  EXPECT_TRUE(result.ok()) << name << ": " << result.error();
  return result.ok() ? *result : FrigateStats{};
}

template <typename T>
const T* Named(const std::vector<T>& items, const std::string& name) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& t) { return t.name == name; });
  return it == items.end() ? nullptr : &*it;
}

const StorageStats* Storage(const FrigateStats& stats, const std::string& path) {
  for (const auto& s : stats.storage) {
    if (s.path == path) return &s;
  }
  return nullptr;
}

const ProcessUsage* Usage(const FrigateStats& stats, const std::string& pid) {
  for (const auto& u : stats.cpu_usages) {
    if (u.pid == pid) return &u;
  }
  return nullptr;
}

std::vector<std::string> CameraNames(const FrigateStats& stats) {
  std::vector<std::string> names;
  for (const auto& c : stats.cameras) names.push_back(c.name);
  return names;
}

constexpr double kMiB = 1048576.0;

// One row per Frigate version: what its fixture must read as.
struct VersionCase {
  std::string fixture;
  std::string version;
  bool cameras_at_top_level;
  std::vector<std::string> cameras;
  std::vector<std::string> detectors;
  double recordings_total_bytes;  // the fixture's total, in the version's unit, as true bytes
  double shm_used_bytes;
  std::size_t cpu_usage_entries;  // after junk keys are dropped
};

const VersionCase kVersionCases[] = {
    {"frigate-0.12.json",
     "0.12.1-367d724",
     true,
     {"front_door", "garage", "driveway"},
     {"coral"},
     2000000.0 * 1e6,
     15.75 * 1e6,
     5},
    // 0.13.0-beta1/-beta2 say "0.13.0-..." but keep cameras at the top level (stats.py at
    // v0.13.0-beta1, v0.13.0-beta2), next to "processes" and psutil "cpu_usages".
    {"frigate-0.13.0-beta1.json",
     "0.13.0-9185753",
     true,
     {"front_door", "driveway"},
     {"coral"},
     2048.0 * kMiB,
     15.75 * kMiB,
     10},
    {"frigate-0.13.0-beta2.json",
     "0.13.0-0858859",
     true,
     {"front_door", "garage"},
     {"coral"},
     2048.0 * kMiB,
     15.75 * kMiB,
     8},
    {"frigate-0.13.json",
     "0.13.2-6476f8a",
     false,
     {"front_door", "backyard"},
     {"coral"},
     2048.0 * kMiB,
     15.75 * kMiB,
     8},
    {"frigate-0.14.json",
     "0.14.1-f4f3cfa",
     false,
     {"front_door", "garage", "driveway"},
     {"coral", "coral2"},
     2048.0 * kMiB,
     15.75 * kMiB,
     11},
    {"frigate-0.16.json",
     "0.16.0-9a8b7c6",
     false,
     {"front_door", "driveway", "back \"yard\""},
     {"ov_0", "ov_1"},
     2048.0 * kMiB,
     15.75 * kMiB,
     11},
    {"frigate-0.17.json",
     "0.17.2-2f1c3b4",
     false,
     {"front_door", "driveway"},
     {"onnx"},
     2048.0 * kMiB,
     15.75 * kMiB,
     8},
    {"frigate-0.18-beta.json",
     "0.18.0-beta1",
     false,
     {"front_door"},
     {"coral"},
     2048.0 * kMiB,
     0,
     3},
};

void PrintTo(const VersionCase& c, std::ostream* os) { *os << c.fixture; }

class StatsParserVersionTest : public ::testing::TestWithParam<VersionCase> {};

TEST_P(StatsParserVersionTest, ReadsLayoutCamerasDetectorsStorageAndProcesses) {
  const VersionCase& c = GetParam();
  const FrigateStats stats = ParseFixture(c.fixture);
  EXPECT_EQ(stats.version, c.version);
  EXPECT_EQ(stats.cameras_at_top_level, c.cameras_at_top_level);
  EXPECT_THAT(CameraNames(stats), ElementsAreArray(c.cameras));
  std::vector<std::string> detectors;
  for (const auto& d : stats.detectors) detectors.push_back(d.name);
  EXPECT_THAT(detectors, ElementsAreArray(c.detectors));
  const StorageStats* recordings = Storage(stats, "/media/frigate/recordings");
  ASSERT_NE(recordings, nullptr);
  // Exact: the fixtures use values that are exact in binary, so any unit slip shows.
  EXPECT_EQ(recordings->total_bytes, c.recordings_total_bytes);
  if (c.shm_used_bytes > 0) {
    const StorageStats* shm = Storage(stats, "/dev/shm");
    ASSERT_NE(shm, nullptr);
    EXPECT_EQ(shm->used_bytes, c.shm_used_bytes);
    EXPECT_EQ(shm->mount_type, "tmpfs");
  }
  EXPECT_EQ(stats.cpu_usages.size(), c.cpu_usage_entries);
}

INSTANTIATE_TEST_SUITE_P(AllVersions, StatsParserVersionTest, ::testing::ValuesIn(kVersionCases),
                         [](const auto& info) {
                           std::string name = info.param.fixture.substr(8);
                           std::replace_if(
                               name.begin(), name.end(), [](char ch) { return !std::isalnum(ch); },
                               '_');
                           return name;
                         });

TEST(StatsParser012, TopLevelCamerasWithIntegerDetectionEnabledAndNullPids) {
  const FrigateStats stats = ParseFixture("frigate-0.12.json");
  const CameraStats* front = Named(stats.cameras, "front_door");
  ASSERT_NE(front, nullptr);
  EXPECT_THAT(front->camera_fps, Optional(5.1));
  EXPECT_THAT(front->process_fps, Optional(5.1));
  EXPECT_THAT(front->detection_fps, Optional(1.2));
  EXPECT_THAT(front->detection_enabled, Optional(true));
  EXPECT_THAT(front->pid, Optional(298));
  EXPECT_THAT(front->capture_pid, Optional(301));
  EXPECT_THAT(front->ffmpeg_pid, Optional(310));
  EXPECT_FALSE(front->audio_dbfs.has_value());  // no audio before 0.13
  const CameraStats* garage = Named(stats.cameras, "garage");
  ASSERT_NE(garage, nullptr);
  EXPECT_THAT(garage->detection_enabled, Optional(false));
  EXPECT_FALSE(garage->pid.has_value());
  EXPECT_FALSE(garage->capture_pid.has_value());
  EXPECT_THAT(garage->camera_fps, Optional(0.0));
  EXPECT_THAT(stats.detection_fps_total, Optional(13.6));
  EXPECT_THAT(stats.uptime_seconds, Optional(3600.0));
  EXPECT_THAT(stats.last_updated, Optional(1680000000.0));
  EXPECT_EQ(stats.latest_version, "0.12.1");
  ASSERT_EQ(stats.temperatures.size(), 1u);
  EXPECT_EQ(stats.temperatures[0].device, "apex_0");
  EXPECT_EQ(stats.temperatures[0].celsius, 45.8);
}

TEST(StatsParser012, StorageInMegabytesBecomesExactBytes) {
  const FrigateStats stats = ParseFixture("frigate-0.12.json");
  const StorageStats* recordings = Storage(stats, "/media/frigate/recordings");
  ASSERT_NE(recordings, nullptr);
  EXPECT_THAT(recordings->free_bytes, Optional(1500000500000.0));
  EXPECT_THAT(recordings->used_bytes, Optional(499999500000.0));
  EXPECT_EQ(recordings->mount_type, "ext4");
}

TEST(StatsParser012, TopJunkKeysAreDroppedAndPidsNamed) {
  const FrigateStats stats = ParseFixture("frigate-0.12.json");
  std::vector<std::string> pids;
  for (const auto& u : stats.cpu_usages) pids.push_back(u.pid);
  EXPECT_THAT(pids, ElementsAre("1", "280", "298", "301", "310"));
  const ProcessUsage* detector = Usage(stats, "280");
  ASSERT_NE(detector, nullptr);
  EXPECT_EQ(detector->identity.name, "coral");
  EXPECT_EQ(detector->identity.process, "detect");
  EXPECT_EQ(detector->identity.type, "Detector");
  EXPECT_THAT(detector->cpu_percent, Optional(12.5));
  EXPECT_THAT(detector->mem_percent, Optional(2.0));
  const ProcessUsage* ffmpeg = Usage(stats, "310");
  ASSERT_NE(ffmpeg, nullptr);
  EXPECT_EQ(ffmpeg->identity.name, "front_door");
  EXPECT_EQ(ffmpeg->identity.process, "ffmpeg");
  EXPECT_EQ(ffmpeg->identity.type, "Camera");
  EXPECT_EQ(Usage(stats, "301")->identity.process, "capture");
  EXPECT_EQ(Usage(stats, "298")->identity.process, "detect");
  EXPECT_EQ(Usage(stats, "1")->identity.name, "");  // nobody claims pid 1
}

TEST(StatsParser012, GpuPercentWithSpaceAndPlaceholder) {
  const FrigateStats stats = ParseFixture("frigate-0.12.json");
  ASSERT_EQ(stats.gpus.size(), 1u);
  EXPECT_EQ(stats.gpus[0].name, "intel-vaapi");
  EXPECT_THAT(stats.gpus[0].gpu_percent, Optional(12.5));
  EXPECT_FALSE(stats.gpus[0].mem_percent.has_value());  // "- %"
}

TEST(StatsParser013, NestedCamerasAudioProcessesAndMebibytes) {
  const FrigateStats stats = ParseFixture("frigate-0.13.json");
  const CameraStats* front = Named(stats.cameras, "front_door");
  ASSERT_NE(front, nullptr);
  EXPECT_THAT(front->audio_dbfs, Optional(-45.5213));
  EXPECT_THAT(front->audio_rms, Optional(12.3456));
  EXPECT_THAT(front->detection_enabled, Optional(true));
  EXPECT_THAT(Named(stats.cameras, "backyard")->detection_enabled, Optional(false));
  EXPECT_THAT(Storage(stats, "/media/frigate/recordings")->free_bytes,
              Optional(1500.5 * 1048576.0));
  EXPECT_EQ(Storage(stats, "/media/frigate/recordings")->mount_type, "nfs4");
  EXPECT_EQ(Storage(stats, "/media/frigate/clips"), nullptr);  // {} for a missing path
  EXPECT_TRUE(stats.temperatures.empty());
  const ProcessUsage* logger = Usage(stats, "320");
  ASSERT_NE(logger, nullptr);
  EXPECT_EQ(logger->identity.name, "logger");
  EXPECT_EQ(logger->identity.process, "logger");
  EXPECT_EQ(logger->identity.type, "logger");    // a `processes` entry: type is its name
  EXPECT_EQ(logger->cmdline, "frigate.logger");  // Frigate pads it with spaces
  EXPECT_THAT(stats.detectors[0].detection_start, Optional(1700000099.5));
  EXPECT_THAT(stats.detectors[0].inference_speed_ms, Optional(9.25));
  EXPECT_THAT(stats.gpus[0].gpu_percent, Optional(3.0));
}

TEST(StatsParser014, BoolDetectionEnabledNullDetectorPidAndFullSystem) {
  const FrigateStats stats = ParseFixture("frigate-0.14.json");
  EXPECT_THAT(Named(stats.cameras, "front_door")->detection_enabled, Optional(true));
  EXPECT_THAT(Named(stats.cameras, "garage")->detection_enabled, Optional(false));
  const DetectorStats* coral2 = Named(stats.detectors, "coral2");
  ASSERT_NE(coral2, nullptr);
  EXPECT_FALSE(coral2->pid.has_value());
  EXPECT_THAT(coral2->inference_speed_ms, Optional(120.5));
  const ProcessUsage* system = Usage(stats, "frigate.full_system");
  ASSERT_NE(system, nullptr);
  EXPECT_EQ(system->identity.name, "full_system");
  EXPECT_EQ(system->identity.type, "System");
  EXPECT_THAT(system->cpu_percent, Optional(35.5));
  EXPECT_THAT(system->mem_percent, Optional(42.0));
  EXPECT_EQ(Usage(stats, "450")->identity.name, "review_segment");
  EXPECT_EQ(stats.latest_version, "unknown");
  ASSERT_EQ(stats.temperatures.size(), 2u);
}

TEST(StatsParser014, GpuPlaceholdersAreAbsentAndNvidiaReads) {
  const FrigateStats stats = ParseFixture("frigate-0.14.json");
  // intel-vaapi reports "" and "-": no usable value, so no entry at all.
  ASSERT_EQ(stats.gpus.size(), 1u);
  EXPECT_EQ(stats.gpus[0].name, "NVIDIA GeForce GTX 1650");
  EXPECT_THAT(stats.gpus[0].gpu_percent, Optional(17.0));
  EXPECT_THAT(stats.gpus[0].mem_percent, Optional(31.5));
}

TEST(StatsParser016, BandwidthNamedByFfmpegPidAndExtraSectionsIgnored) {
  const FrigateStats stats = ParseFixture("frigate-0.16.json");
  ASSERT_EQ(stats.bandwidth.size(), 2u);
  EXPECT_EQ(stats.bandwidth[0].pid, "610");
  EXPECT_EQ(stats.bandwidth[0].identity.name, "front_door");
  EXPECT_EQ(stats.bandwidth[0].identity.process, "ffmpeg");
  EXPECT_THAT(stats.bandwidth[0].kilobytes_per_second, Optional(512.5));
  // npu_usages and embeddings are not cameras, whatever the layout.
  EXPECT_EQ(stats.cameras.size(), 3u);
  EXPECT_EQ(Usage(stats, "670")->identity.name, "embeddings");
}

TEST(StatsParser017, TopLevelFpsTotalsAreNotCamerasAndShmExtrasTolerated) {
  const FrigateStats stats = ParseFixture("frigate-0.17.json");
  EXPECT_THAT(CameraNames(stats), ElementsAre("front_door", "driveway"));
  EXPECT_THAT(Storage(stats, "/dev/shm")->total_bytes, Optional(64.0 * kMiB));
  EXPECT_THAT(stats.detectors[0].detection_start, Optional(0.0));
}

TEST(StatsParser018, NewFieldsToleratedAndDetectorTemperatureRead) {
  const FrigateStats stats = ParseFixture("frigate-0.18-beta.json");
  ASSERT_EQ(stats.detectors.size(), 1u);
  EXPECT_THAT(stats.detectors[0].temperature_c, Optional(47.5));
  EXPECT_THAT(stats.cameras[0].camera_fps, Optional(5.0));
  EXPECT_THAT(stats.gpus[0].gpu_percent, Optional(9.5));
  EXPECT_EQ(Usage(stats, "798")->identity.name, "front_door");
}

// tests/fixtures/stats/SOURCES.md: gpu_usages as set_gpu_stats builds them at v0.18.0-beta1.
TEST(StatsParser018, GpuEncoderDecoderAndComputeRead) {
  const FrigateStats stats = ParseFixture("frigate-0.18-gpus.json");
  ASSERT_EQ(stats.gpus.size(), 2u);
  EXPECT_EQ(stats.gpus[0].name, "NVIDIA GeForce RTX 3060");
  EXPECT_THAT(stats.gpus[0].encoder_percent, Optional(12.0));
  EXPECT_THAT(stats.gpus[0].decoder_percent, Optional(27.0));
  EXPECT_FALSE(stats.gpus[0].compute_percent.has_value());
  EXPECT_EQ(stats.gpus[1].name, "Core i5-12500 iGPU");
  EXPECT_THAT(stats.gpus[1].gpu_percent, Optional(23.5));
  EXPECT_FALSE(stats.gpus[1].mem_percent.has_value());  // "-%"
  EXPECT_THAT(stats.gpus[1].compute_percent, Optional(8.25));
  EXPECT_THAT(stats.gpus[1].decoder_percent, Optional(15.25));
  EXPECT_FALSE(stats.gpus[1].encoder_percent.has_value());
}

// get_nvidia_gpu_stats (v0.18.0-beta1) reports -1 for a figure NVML does not give, which
// set_gpu_stats spells "-1.0%": no value, not a negative percentage.
TEST(StatsParser018, NvidiaFiguresNvmlDoesNotGiveAreAbsent) {
  const auto stats = ParseStats(
      R"({"service": {"version": "0.18.0-5f6043a"}, "detectors": {}, "gpu_usages": {"Tesla P4":
      {"vendor": "nvidia", "gpu": "0.0%", "mem": "-1.0%", "enc": "-1.0%", "dec": "3.0%",
      "temp": "None"}}})");
  ASSERT_TRUE(stats.ok()) << stats.error();
  ASSERT_EQ(stats->gpus.size(), 1u);
  EXPECT_THAT(stats->gpus[0].gpu_percent, Optional(0.0));
  EXPECT_FALSE(stats->gpus[0].mem_percent.has_value());
  EXPECT_FALSE(stats->gpus[0].encoder_percent.has_value());
  EXPECT_THAT(stats->gpus[0].decoder_percent, Optional(3.0));
}

// tests/fixtures/stats/SOURCES.md: get_cpu_stats at v0.16.4 lists every pid psutil sees.
TEST(StatsParser016, UnclaimedPidsAreNamedByTheirCommandLine) {
  const FrigateStats stats = ParseFixture("frigate-0.16-process-tree.json");
  const auto* main_process = Usage(stats, "402");
  ASSERT_NE(main_process, nullptr);
  EXPECT_EQ(main_process->identity.name, "python3 -u -m frigate");
  EXPECT_EQ(main_process->identity.process, "python3 -u -m frigate");
  EXPECT_EQ(main_process->identity.type, "Other");
  EXPECT_EQ(Usage(stats, "120")->identity.name, "nginx: master process nginx");
  EXPECT_EQ(Usage(stats, "630")->identity.type, "go2rtc");
  EXPECT_EQ(Usage(stats, "580")->identity.type, "Detector");
}

TEST(StatsParserVersionDecision, WithoutVersionTheLayoutDecidesTheStorageUnit) {
  const std::string old_layout = R"({"cam": {"camera_fps": 5},
      "service": {"storage": {"/a": {"total": 2.0}}}})";
  auto old_stats = ParseStats(old_layout);
  ASSERT_TRUE(old_stats.ok()) << old_stats.error();
  EXPECT_TRUE(old_stats->cameras_at_top_level);
  EXPECT_THAT(CameraNames(*old_stats), ElementsAre("cam"));
  EXPECT_THAT(old_stats->storage[0].total_bytes, Optional(2e6));

  const std::string new_layout = R"({"cameras": {"cam": {"camera_fps": 5}},
      "service": {"storage": {"/a": {"total": 2.0}}}})";
  auto new_stats = ParseStats(new_layout);
  ASSERT_TRUE(new_stats.ok()) << new_stats.error();
  EXPECT_FALSE(new_stats->cameras_at_top_level);
  EXPECT_THAT(CameraNames(*new_stats), ElementsAre("cam"));
  EXPECT_THAT(new_stats->storage[0].total_bytes, Optional(2.0 * kMiB));
}

TEST(StatsParserVersionDecision, ShapeDecidesForA012CameraNamedCameras) {
  // 0.12 with a camera literally named "cameras": its value is camera-shaped (a numeric
  // camera_fps), so it is a camera of the top-level layout, not the container.
  const std::string body = R"({"cameras": {"camera_fps": 1}, "porch": {"camera_fps": 2},
      "service": {"version": "0.12.0-abc", "storage": {"/a": {"total": 1.5}}}})";
  auto stats = ParseStats(body);
  ASSERT_TRUE(stats.ok()) << stats.error();
  EXPECT_TRUE(stats->cameras_at_top_level);
  EXPECT_THAT(CameraNames(*stats), ElementsAre("cameras", "porch"));
  EXPECT_THAT(stats->storage[0].total_bytes, Optional(1.5e6));
}

TEST(StatsParserRobustness, BadValuesAreAbsentNotFatal) {
  const std::string body = R"({"cameras": {"cam": {
        "camera_fps": NaN, "process_fps": -1, "skipped_fps": Infinity, "detection_fps": "5",
        "audio_dBFS": -20.5, "pid": -4, "capture_pid": 12.5, "ffmpeg_pid": "7",
        "detection_enabled": "yes"}},
      "detectors": {"d": {"inference_speed": -Infinity, "detection_start": null, "pid": 9}},
      "detection_fps": -3,
      "service": {"uptime": "long", "version": 14, "last_updated": 1e300}})";
  auto stats = ParseStats(body);
  ASSERT_TRUE(stats.ok()) << stats.error();
  const CameraStats& cam = stats->cameras.at(0);
  EXPECT_FALSE(cam.camera_fps.has_value());
  EXPECT_FALSE(cam.process_fps.has_value());
  EXPECT_FALSE(cam.skipped_fps.has_value());
  EXPECT_FALSE(cam.detection_fps.has_value());
  EXPECT_THAT(cam.audio_dbfs, Optional(-20.5));  // dBFS is negative by nature
  EXPECT_FALSE(cam.pid.has_value());
  EXPECT_FALSE(cam.capture_pid.has_value());
  EXPECT_FALSE(cam.ffmpeg_pid.has_value());
  EXPECT_FALSE(cam.detection_enabled.has_value());
  EXPECT_FALSE(stats->detectors.at(0).inference_speed_ms.has_value());
  EXPECT_FALSE(stats->detectors.at(0).detection_start.has_value());
  EXPECT_THAT(stats->detectors.at(0).pid, Optional(9));
  EXPECT_FALSE(stats->detection_fps_total.has_value());
  EXPECT_FALSE(stats->uptime_seconds.has_value());
  EXPECT_EQ(stats->version, "");
  EXPECT_THAT(stats->last_updated, Optional(1e300));
}

TEST(StatsParserRobustness, PercentSpellings) {
  const std::string body = R"({"detectors": {}, "cpu_usages": {
        "1": {"cpu": "4.5%", "mem": 3},
        "2": {"cpu": "12.5 %", "mem": "-%"},
        "3": {"cpu": "-", "mem": ""},
        "4": {"cpu": "abc", "mem": "1.5"},
        "5": {"cpu": "250.0", "mem": -1},
        "99999999999": {"cpu": "1", "mem": "1"},
        "12a": {"cpu": "1", "mem": "1"},
        "6": "not an object"}})";
  auto stats = ParseStats(body);
  ASSERT_TRUE(stats.ok()) << stats.error();
  std::vector<std::string> pids;
  for (const auto& u : stats->cpu_usages) pids.push_back(u.pid);
  // "3" has no usable value at all; over-long and non-numeric keys are junk.
  EXPECT_THAT(pids, ElementsAre("1", "2", "4", "5"));
  EXPECT_THAT(Usage(*stats, "1")->cpu_percent, Optional(4.5));
  EXPECT_THAT(Usage(*stats, "1")->mem_percent, Optional(3.0));
  EXPECT_THAT(Usage(*stats, "2")->cpu_percent, Optional(12.5));
  EXPECT_FALSE(Usage(*stats, "2")->mem_percent.has_value());
  EXPECT_FALSE(Usage(*stats, "4")->cpu_percent.has_value());
  EXPECT_THAT(Usage(*stats, "5")->cpu_percent, Optional(250.0));  // per core, can pass 100
  EXPECT_FALSE(Usage(*stats, "5")->mem_percent.has_value());
}

TEST(StatsParserRobustness, UnknownFieldsAndWrongTypedSectionsAreIgnored) {
  const std::string body = R"({"future_section": {"x": [1, 2, {"y": null}]},
      "cameras": {"cam": {"camera_fps": 5, "something_new": {"deep": [true]}},
                  "not_a_camera": 7},
      "detectors": [], "cpu_usages": "n/a", "gpu_usages": null, "processes": 3,
      "service": {"version": "0.16.0-x", "storage": [], "temperatures": {"apex_0": "hot"},
                  "new_field": 1}})";
  auto stats = ParseStats(body);
  ASSERT_TRUE(stats.ok()) << stats.error();
  EXPECT_THAT(CameraNames(*stats), ElementsAre("cam"));
  EXPECT_THAT(stats->cameras[0].camera_fps, Optional(5.0));
  EXPECT_TRUE(stats->detectors.empty());
  EXPECT_TRUE(stats->cpu_usages.empty());
  EXPECT_TRUE(stats->storage.empty());
  EXPECT_TRUE(stats->temperatures.empty());
}

TEST(StatsParserRobustness, RepeatedKeysCountOnce) {
  const std::string body = R"({"cameras": {"cam": {"camera_fps": 1}, "cam": {"camera_fps": 2}},
      "detectors": {"d": {}, "d": {}}})";
  auto stats = ParseStats(body);
  ASSERT_TRUE(stats.ok()) << stats.error();
  ASSERT_EQ(stats->cameras.size(), 1u);
  EXPECT_THAT(stats->cameras[0].camera_fps, Optional(1.0));
  EXPECT_EQ(stats->detectors.size(), 1u);
}

struct BadBody {
  std::string name;
  std::string body;
  std::string error_part;
};

void PrintTo(const BadBody& b, std::ostream* os) { *os << b.name; }

class StatsParserErrorTest : public ::testing::TestWithParam<BadBody> {};

TEST_P(StatsParserErrorTest, FailsWithAShortMessage) {
  auto result = ParseStats(GetParam().body);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error(), HasSubstr(GetParam().error_part));
  EXPECT_LT(result.error().size(), 120u);
  EXPECT_EQ(result.error().find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, StatsParserErrorTest,
    ::testing::Values(
        BadBody{"Empty", "", "not valid JSON"},
        BadBody{"Garbage", "<html>502 Bad Gateway</html>", "not valid JSON at offset 0"},
        BadBody{"Truncated", R"({"service": {"uptime": 12, "version": "0.14)", "not valid JSON"},
        BadBody{"TrailingJunk", R"({"service": {}} x)", "not valid JSON"},
        BadBody{"Array", "[1, 2]", "not a JSON object"},
        BadBody{"String", R"("stats")", "not a JSON object"},
        BadBody{"Null", "null", "not a JSON object"},
        BadBody{"NoKnownKeys", R"({"message": "Unauthorized"})", "neither"},
        BadBody{"DeepNesting", std::string(100000, '['), "not valid JSON"}),
    [](const auto& info) { return info.param.name; });

TEST(StatsParserErrorTest, DeepButValidNestingDoesNotOverflowTheStack) {
  std::string deep =
      R"({"service": {}, "x": )" + std::string(200000, '[') + std::string(200000, ']') + "}";
  auto result = ParseStats(deep);
  EXPECT_TRUE(result.ok()) << result.error();
}

TEST(StatsParser, LayoutComesFromTheShapeNotTheVersion) {
  // A 0.13-era version string with top-level cameras (0.13.0-beta1/-beta2).
  auto beta = ParseStats(R"({"front":{"camera_fps":5.0,"pid":1},"processes":{"go2rtc":{"pid":9}},
      "cpu_usages":{"9":{"cpu":"1.0","mem":"2.0","cmdline":"go2rtc"}},"detectors":{},
      "service":{"version":"0.13.0-9185753"}})");
  ASSERT_TRUE(beta.ok()) << beta.error();
  EXPECT_TRUE(beta->cameras_at_top_level);
  EXPECT_THAT(CameraNames(*beta), ElementsAre("front"));
  // A body without a version still nests when it has "cameras".
  auto nested = ParseStats(R"({"cameras":{"front":{"camera_fps":5.0}},"detectors":{},
      "service":{"version":""}})");
  ASSERT_TRUE(nested.ok()) << nested.error();
  EXPECT_FALSE(nested->cameras_at_top_level);
  EXPECT_THAT(CameraNames(*nested), ElementsAre("front"));
  // An old-layout camera may be named "cameras": it is a camera, not the container.
  auto named = ParseStats(R"({"cameras":{"camera_fps":5.0,"pid":3},"yard":{"camera_fps":4.0},
      "detectors":{},"service":{"version":"0.12.1-367d724"}})");
  ASSERT_TRUE(named.ok()) << named.error();
  EXPECT_TRUE(named->cameras_at_top_level);
  EXPECT_THAT(CameraNames(*named), ElementsAre("cameras", "yard"));
}

TEST(StatsParser, DisabledCameraOfBeta2HasNoProcesses) {
  const FrigateStats stats = ParseFixture("frigate-0.13.0-beta2.json");
  const CameraStats* garage = Named(stats.cameras, "garage");
  ASSERT_NE(garage, nullptr);
  EXPECT_EQ(garage->pid, std::nullopt);
  EXPECT_EQ(garage->capture_pid, std::nullopt);
  EXPECT_THAT(garage->camera_fps, Optional(0.0));
}

}  // namespace
}  // namespace fhc::exporter
