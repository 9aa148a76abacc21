// Cost of turning one /api/stats body into metrics: parse, StatsCollector::Update, Collect and
// text serialization, for a Frigate 0.16 body with 10 and with 100 cameras. Targets (issue):
// parse + update <= 50 us for 10 cameras, <= 500 us for 100.
//   ninja -C build/<dir> stats_bench && build/<dir>/tests/stats_bench
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <prometheus/text_serializer.h>

#include <memory>
#include <sstream>
#include <string>

#include "exporter/metrics/stats_collector.h"
#include "exporter/stats/frigate_stats.h"

namespace {

using fhc::exporter::FrigateStats;
using fhc::exporter::ParseStats;
using fhc::exporter::StatsCollector;

// A 0.16 body like the fixture, with `cameras` cameras, 2 detectors, their processes in
// cpu_usages and bandwidth_usages, and the usual service section.
std::string Body(int cameras) {
  std::string cams, cpu, bandwidth;
  for (int i = 0; i < cameras; ++i) {
    const int pid = 1000 + i * 3;
    const std::string name = "camera_" + std::to_string(i);
    const std::string sep = i == 0 ? "" : ",";
    cams += sep + "\"" + name + "\": {\"audio_dBFS\": -42.5, \"audio_rms\": 15.25, " +
            "\"camera_fps\": 5.0, \"capture_pid\": " + std::to_string(pid + 1) +
            ", \"detection_enabled\": true, \"detection_fps\": 3.5, \"ffmpeg_pid\": " +
            std::to_string(pid + 2) + ", \"pid\": " + std::to_string(pid) +
            ", \"process_fps\": 5.0, \"skipped_fps\": 0.0}";
    for (int k = 0; k < 3; ++k) {
      // fmt::format, not `"\"" + std::to_string(...)`: GCC 12 -O3 -Wrestrict false positive.
      cpu += fmt::format(
          "\"{}\": {{\"cmdline\": \"frigate.process:{}\", \"cpu\": \"6.5\", "
          "\"cpu_average\": \"6.0\", \"mem\": \"1.5\"}},",
          pid + k, name);
    }
    bandwidth += sep + "\"" + std::to_string(pid + 2) + "\": {\"bandwidth\": 512.5}";
  }
  return "{\"bandwidth_usages\": {" + bandwidth + "}, \"cameras\": {" + cams +
         "}, \"cpu_usages\": {" + cpu +
         "\"580\": {\"cmdline\": \"frigate.detector.ov_0\", \"cpu\": \"45.0\", \"cpu_average\": "
         "\"44.0\", \"mem\": \"3.5\"}, \"581\": {\"cmdline\": \"frigate.detector.ov_1\", \"cpu\": "
         "\"41.5\", \"cpu_average\": \"40.0\", \"mem\": \"3.5\"}, \"630\": {\"cmdline\": "
         "\"go2rtc\", \"cpu\": \"5.0\", \"cpu_average\": \"4.5\", \"mem\": \"1.2\"}, "
         "\"frigate.full_system\": {\"cpu\": \"48.5\", \"mem\": \"55.0\"}}, "
         "\"detection_fps\": 35.0, \"detectors\": {\"ov_0\": {\"detection_start\": 0.0, "
         "\"inference_speed\": 14.5, \"pid\": 580}, \"ov_1\": {\"detection_start\": "
         "1750000119.75, \"inference_speed\": 15.25, \"pid\": 581}}, \"embeddings\": {}, "
         "\"gpu_usages\": {\"intel-vaapi\": {\"gpu\": \"21.5%\", \"mem\": \"-%\"}}, "
         "\"npu_usages\": {}, \"processes\": {\"go2rtc\": {\"pid\": 630}, \"recording\": "
         "{\"pid\": 660}}, \"service\": {\"last_updated\": 1750000120, \"latest_version\": "
         "\"0.16.1\", \"storage\": {\"/dev/shm\": {\"free\": 48.25, \"mount_type\": \"tmpfs\", "
         "\"total\": 64.0, \"used\": 15.75}, \"/media/frigate/recordings\": {\"free\": 1500.5, "
         "\"mount_type\": \"ext4\", \"total\": 2048.0, \"used\": 547.5}, \"/tmp/cache\": "
         "{\"free\": 960.0, \"mount_type\": \"tmpfs\", \"total\": 1000.0, \"used\": 40.0}}, "
         "\"temperatures\": {}, \"uptime\": 123456, \"version\": \"0.16.0-9a8b7c6\"}}";
}

std::shared_ptr<const FrigateStats> MustParse(const std::string& body, benchmark::State& state) {
  auto parsed = ParseStats(body);
  if (!parsed.ok()) {
    state.SkipWithError(parsed.error().c_str());
    return nullptr;
  }
  return std::make_shared<const FrigateStats>(std::move(*parsed));
}

void SetCounters(benchmark::State& state, const std::string& body) {
  state.counters["body_bytes"] = static_cast<double>(body.size());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}

void BM_Parse(benchmark::State& state) {
  const std::string body = Body(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto parsed = ParseStats(body);
    benchmark::DoNotOptimize(parsed);
  }
  SetCounters(state, body);
}

// What happens on each scrape before the registry is collected: the "parse + update".
void BM_ParseUpdate(benchmark::State& state) {
  const std::string body = Body(static_cast<int>(state.range(0)));
  StatsCollector collector;
  for (auto _ : state) {
    auto stats = MustParse(body, state);
    if (!stats) break;
    collector.Update(std::move(stats));
  }
  SetCounters(state, body);
}

void BM_ParseUpdateCollect(benchmark::State& state) {
  const std::string body = Body(static_cast<int>(state.range(0)));
  StatsCollector collector;
  for (auto _ : state) {
    auto stats = MustParse(body, state);
    if (!stats) break;
    collector.Update(std::move(stats));
    auto families = collector.Collect();
    benchmark::DoNotOptimize(families);
  }
  SetCounters(state, body);
}

// The whole scrape path for these families: parse, update, collect, text exposition.
void BM_ParseUpdateCollectSerialize(benchmark::State& state) {
  const std::string body = Body(static_cast<int>(state.range(0)));
  StatsCollector collector;
  std::size_t exposition_bytes = 0;
  for (auto _ : state) {
    auto stats = MustParse(body, state);
    if (!stats) break;
    collector.Update(std::move(stats));
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, collector.Collect());
    exposition_bytes = out.str().size();
    benchmark::DoNotOptimize(exposition_bytes);
  }
  SetCounters(state, body);
  state.counters["exposition_bytes"] = static_cast<double>(exposition_bytes);
}

BENCHMARK(BM_Parse)->Arg(10)->Arg(100)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ParseUpdate)->Arg(10)->Arg(100)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ParseUpdateCollect)->Arg(10)->Arg(100)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ParseUpdateCollectSerialize)->Arg(10)->Arg(100)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
