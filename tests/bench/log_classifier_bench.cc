// Classification throughput over a 100 MB synthetic Frigate log, next to `grep -c -F` with the
// same literals on the same file, so one run gives both figures and their ratio.
//
//   build/<dir>/tests/log_classifier_bench [--benchmark_min_time=2]
//   FHC_BENCH_LOG_MB=100 (size of the generated file; default 100)
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <string_view>

#include "exporter/logs/log_classifier.h"
#include "exporter/logs/log_event.h"

namespace {

using fhc::exporter::ClassifyLine;

// What a busy Frigate log is mostly made of: INFO chatter, ffmpeg noise, API access; plus a few
// percent of counted events (backlog, stuck detection, camera watchdog, ...).
const char* const kChatter[][2] = {
    {"frigate.app", "Camera processor started for front_door: 1234"},
    {"frigate.app", "Capture process started for driveway: 1240"},
    {"frigate.events", "Updating event 1700000000.123456-abcd12 for person on front_door"},
    {"frigate.mqtt", "Turning on recordings for back_yard via mqtt"},
    {"frigate.record.maintainer",
     "Copied /media/frigate/recordings/2024-01-01/12/front_door/00.00.mp4 in 0.12 seconds."},
    {"ffmpeg.front_door.detect", "[rtsp @ 0x55d5c1b1a0c0] RTP: missed 12 packets"},
    {"frigate.http", "GET /api/stats 200 0.004s"},
    {"watchdog.garage", "Waiting for ffmpeg to exit gracefully..."},
    {"frigate.object_processing",
     "Processing object 1700000000.22-xyz on camera porch with score 0.82"},
    {"peewee.sqliteq", "writer received shutdown request, exiting."},
    {"frigate.video",
     "driveway: ffmpeg sent a broken frame. memoryview assignment: lvalue and rvalue have "
     "different structures"},
    {"frigate.comms.dispatcher", "Received command birdseye/set with payload ON"},
};
const char* const kEvents[][2] = {
    {"frigate.watchdog", "Detection appears to be stuck. Restarting detection process..."},
    {"root", "Detection process didn't exit. Force killing..."},
    {"root", "Detection process has exited..."},
    {"detector.coral", "Starting detection process: 4242"},
    {"frigate.record.maintainer",
     "Unable to keep up with recording segments in cache for front_door. Keeping the 6 most recent "
     "segments out of 7 and discarding the rest..."},
    {"frigate.record.maintainer",
     "Too many unprocessed recording segments in cache for driveway. This likely indicates an "
     "issue with the detect stream, keeping the 6 most recent segments out of 9 and discarding the "
     "rest..."},
    {"watchdog.garage", "No frames received from garage in 20 seconds. Exiting ffmpeg..."},
    {"frigate.video", "garage: Unable to read frames from ffmpeg process."},
    {"watchdog.porch",
     "No new recording segments were created for porch in the last 120s. Restarting the ffmpeg "
     "record process..."},
    {"frigate.detectors.plugins.edgetpu_tfl", "TPU found"},
    // 0.16-0.18 wordings (issue 8): a suffix, a number before the suffix, a prefix + check.
    {"frigate.video", "porch: ffmpeg process is not running. exiting capture thread..."},
    {"watchdog.porch",
     "No new valid recording segments were created for porch in the last 150s. Restarting the "
     "ffmpeg record process..."},
    {"frigate.watchdog", "Process recording (PID 412) exited with code -9"},
};

std::string MakeLog(std::size_t bytes) {
  std::mt19937 rng(42);
  std::string out;
  out.reserve(bytes + 512);
  char buf[640];
  long t = 1'700'000'000;
  int ns = 0;
  while (out.size() < bytes) {
    const bool event = rng() % 100 < 3;  // 3 % counted lines
    const auto& entry =
        event ? kEvents[rng() % std::size(kEvents)] : kChatter[rng() % std::size(kChatter)];
    const char* level = event ? "WARNING" : "INFO";
    ns = (ns + 12'345'678) % 1'000'000'000;
    if (ns < 12'345'678) ++t;
    const std::time_t tt = t;
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
    int n;
    if (rng() % 3 != 0) {  // two thirds s6 layout (0.12+), one third plain (<= 0.11)
      n = std::snprintf(buf, sizeof buf, "%s.%09d  [%s] %-30s %-8s: %s\n", date, ns, date, entry[0],
                        level, entry[1]);
    } else {
      n = std::snprintf(buf, sizeof buf, "[%s] %-30s %-8s: %s\n", date, entry[0], level, entry[1]);
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

std::size_t ClassifyAll(std::string_view text) {
  std::size_t counted = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
    const char* line_end = nl ? nl : end;
    if (ClassifyLine(std::string_view(p, line_end - p))) ++counted;
    p = line_end + 1;
  }
  return counted;
}

// Reads the file in 1 MiB chunks, carrying a partial last line over, as the file source does.
std::size_t ClassifyFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return 0;
  constexpr std::size_t kChunk = 1 << 20;
  std::string buf(kChunk * 2, '\0');
  std::size_t carried = 0;
  std::size_t counted = 0;
  for (;;) {
    const ssize_t n = read(fd, buf.data() + carried, kChunk);
    if (n <= 0) break;
    const std::string_view data(buf.data(), carried + static_cast<std::size_t>(n));
    const std::size_t last_nl = data.rfind('\n');
    if (last_nl == std::string_view::npos) {
      carried = data.size();
      if (carried > kChunk) carried = 0;  // a line longer than a chunk is dropped
      continue;
    }
    counted += ClassifyAll(data.substr(0, last_nl));
    carried = data.size() - last_nl - 1;
    std::memmove(buf.data(), data.data() + last_nl + 1, carried);
  }
  if (carried > 0) counted += ClassifyAll(std::string_view(buf.data(), carried));
  close(fd);
  return counted;
}

struct Corpus {
  std::string path;
  std::string text;
};

Corpus& TheCorpus() {
  static Corpus corpus = [] {
    const char* mb_env = std::getenv("FHC_BENCH_LOG_MB");
    const std::size_t mb = mb_env ? std::strtoul(mb_env, nullptr, 10) : 100;
    Corpus c;
    c.text = MakeLog(mb * 1024 * 1024);
    char tmpl[] = "/tmp/fhc-log-bench-XXXXXX";
    const int fd = mkstemp(tmpl);
    if (fd < 0) std::abort();
    close(fd);
    c.path = tmpl;
    std::ofstream(c.path, std::ios::binary) << c.text;
    return c;
  }();
  return corpus;
}

void BM_ClassifyInMemory(benchmark::State& state) {
  const Corpus& c = TheCorpus();
  std::size_t counted = 0;
  for (auto _ : state) {
    counted = ClassifyAll(c.text);
    benchmark::DoNotOptimize(counted);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(c.text.size()));
  state.counters["counted_lines"] = static_cast<double>(counted);
}
BENCHMARK(BM_ClassifyInMemory)->Unit(benchmark::kMillisecond);

std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char ch : s) {
    if (ch == '\'') {
      out += "'\\''";
    } else {
      out += ch;
    }
  }
  return out + "'";
}

// CPU seconds (user + system) used so far by this process or by its waited-for children.
double CpuSeconds(int who) {
  rusage u{};
  getrusage(who, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// Best of a few runs, like the benchmark's own repetitions, so a cold page cache does not count.
void CompareWithGrep() {
  const Corpus& c = TheCorpus();
  std::string cmd = "grep -c -F";
  for (auto lit : fhc::exporter::ClassifierLiterals()) cmd += " -e " + ShellQuote(lit);
  cmd += " " + c.path;
  const double mb = static_cast<double>(c.text.size()) / (1024.0 * 1024.0);

  double best_grep = 1e9;
  long grep_count = -1;
  double best_ours = 1e9;
  double best_grep_cpu = 1e9;
  double best_ours_cpu = 1e9;
  std::size_t our_count = 0;
  for (int run = 0; run < 3; ++run) {
    const double grep_cpu0 = CpuSeconds(RUSAGE_CHILDREN);
    auto t0 = std::chrono::steady_clock::now();
    FILE* pipe = popen(cmd.c_str(), "r");
    if (pipe == nullptr) break;
    if (std::fscanf(pipe, "%ld", &grep_count) != 1) grep_count = -1;
    pclose(pipe);
    best_grep = std::min(best_grep, Seconds(std::chrono::steady_clock::now() - t0));
    best_grep_cpu = std::min(best_grep_cpu, CpuSeconds(RUSAGE_CHILDREN) - grep_cpu0);

    // Ours end to end too: read the file and classify it, as grep does.
    const double our_cpu0 = CpuSeconds(RUSAGE_SELF);
    t0 = std::chrono::steady_clock::now();
    our_count = ClassifyFile(c.path);
    best_ours = std::min(best_ours, Seconds(std::chrono::steady_clock::now() - t0));
    best_ours_cpu = std::min(best_ours_cpu, CpuSeconds(RUSAGE_SELF) - our_cpu0);
  }
  auto t0 = std::chrono::steady_clock::now();
  const std::size_t mem_count = ClassifyAll(c.text);
  const double mem = Seconds(std::chrono::steady_clock::now() - t0);

  std::printf("\nfile: %s (%.1f MiB, %zu literals)\n", c.path.c_str(), mb,
              fhc::exporter::ClassifierLiterals().size());
  std::printf("grep -c -F (same literals)      : %8.1f MiB/s  %.3f s  %ld lines\n", mb / best_grep,
              best_grep, grep_count);
  std::printf("ClassifyLine, read(2) 1 MiB chunks : %8.1f MiB/s  %.3f s  %zu lines\n",
              mb / best_ours, best_ours, our_count);
  std::printf("ClassifyLine, in memory         : %8.1f MiB/s  %.3f s  %zu lines\n", mb / mem, mem,
              mem_count);
  std::printf("ratio ours(file)/grep time      : %8.2f  (<= 2.0 required)\n",
              best_ours / best_grep);
  std::printf("ratio ours(memory)/grep time    : %8.2f\n", mem / best_grep);
  std::printf(
      "CPU seconds, grep / ours(file)  : %.3f / %.3f  (ratio %.2f; wall figures suffer "
      "when other jobs share the cores)\n",
      best_grep_cpu, best_ours_cpu, best_ours_cpu / best_grep_cpu);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  CompareWithGrep();
  std::remove(TheCorpus().path.c_str());
  return 0;
}
