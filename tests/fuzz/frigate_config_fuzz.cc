// Fuzzes ParseFrigateConfig with arbitrary /api/config bodies; whatever parses is handed to the
// verdict with a snapshot whose camera and detector carry the config's first names, so the
// camera-off and detector-type paths see every odd value the parser lets through.
//
// Build and run (seed corpus = tests/fuzz/corpus/frigate_config):
//   cmake -S . -B build/fuzz -G Ninja -DFHC_FUZZ=ON -DFHC_TESTS=OFF -DFHC_BENCH=OFF
//     -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang   (one command)
//   ninja -C build/fuzz frigate_config_fuzz
//   build/fuzz/tests/frigate_config_fuzz -max_total_time=30 tests/fuzz/corpus/frigate_config
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/health/health_evaluator.h"
#include "exporter/health/health_report.h"
#include "exporter/stats/frigate_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = fhc::exporter::ParseFrigateConfig(body);
  if (!parsed.ok()) {
    // Errors must stay one short line whatever the input.
    if (parsed.error().empty() || parsed.error().size() > 200 ||
        parsed.error().find('\n') != std::string::npos) {
      __builtin_trap();
    }
    return 0;
  }
  fhc::exporter::FrigateStats stats;
  fhc::exporter::CameraStats camera;
  camera.name = parsed->cameras.empty() ? "cam" : parsed->cameras.begin()->first;
  camera.camera_fps = 5;
  stats.cameras = {camera};
  fhc::exporter::DetectorStats detector;
  detector.name = parsed->detectors.empty() ? "det" : parsed->detectors.begin()->first;
  detector.inference_speed_ms = 50;
  stats.detectors = {detector};
  fhc::exporter::HealthInput in;
  in.stats = &stats;
  in.config = &*parsed;
  in.now_unix = 1'700'000'000;
  const auto verdict = fhc::exporter::EvaluateHealth(in, {});
  fhc::exporter::HealthReport report;
  report.verdict = &verdict;
  if (fhc::exporter::HealthJson(report).empty()) __builtin_trap();
  return 0;
}
