// Fuzzes ParseStats with arbitrary bodies; whatever parses is also turned into metric families
// and serialized, so the collector sees every odd value the parser lets through.
//
// Build and run (seed corpus = the version fixtures):
//   cmake -S . -B build/fuzz -G Ninja -DFHC_FUZZ=ON -DFHC_TESTS=OFF -DFHC_BENCH=OFF \
//     -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang
//   ninja -C build/fuzz stats_parser_fuzz
//   mkdir -p /tmp/stats_corpus && cp tests/fixtures/stats/*.json /tmp/stats_corpus/
//   build/fuzz/tests/stats_parser_fuzz -max_total_time=30 -max_len=65536 /tmp/stats_corpus
#include <prometheus/text_serializer.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string_view>

#include "exporter/metrics/stats_collector.h"
#include "exporter/stats/frigate_stats.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = fhc::exporter::ParseStats(body);
  if (!parsed.ok()) {
    // Errors must stay one short line whatever the input.
    if (parsed.error().empty() || parsed.error().size() > 200 ||
        parsed.error().find('\n') != std::string::npos) {
      __builtin_trap();
    }
    return 0;
  }
  for (const bool cmdline : {false, true}) {
    fhc::exporter::StatsCollector collector(
        fhc::exporter::StatsCollectorOptions{.include_cmdline = cmdline});
    collector.Update(std::make_shared<const fhc::exporter::FrigateStats>(*parsed));
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, collector.Collect());
  }
  return 0;
}
