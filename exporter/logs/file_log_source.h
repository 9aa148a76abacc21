#pragma once
// LOG_SOURCE=file: follows LOG_FILE (e.g. Frigate's /dev/shm/logs/frigate/current, shared into
// our container) like `tail -F`: appends, rotation (the path names a new inode) and truncation
// (the file got shorter than what we read) are all followed.
//
// On first open the existing content is read from the start, not skipped: the window must hold
// the events of the last LOG_WINDOW_MINUTES right after the exporter starts, and the lines' own
// timestamps put older events outside it. s6-log keeps the file under 10 MB, so this costs
// milliseconds (see the classifier benchmark). The de-duplicator makes re-reads harmless.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "exporter/logs/line_splitter.h"
#include "exporter/logs/log_source.h"

namespace fhc::exporter {

class FileLogSource final : public LogSource {
 public:
  struct Options {
    std::string path;
    std::chrono::milliseconds poll{500};  // how often appends are looked for
    std::chrono::milliseconds backoff_initial{500};
    std::chrono::milliseconds backoff_max{30'000};
  };
  explicit FileLogSource(Options options, Sleeper sleeper = RealSleeper());
  ~FileLogSource() override;

  void Run(const LineHandler& on_line, const std::atomic<bool>& stop) override;
  bool up() const override { return up_.load(); }

 private:
  bool Open();
  void Close();
  // Reads everything available now; false on a read error.
  bool Drain(const LineHandler& on_line);
  // True when the path now names another file than the open one (rotation).
  bool Rotated() const;

  Options options_;
  Sleeper sleeper_;
  std::atomic<bool> up_{false};
  int fd_ = -1;
  uint64_t inode_ = 0;
  uint64_t device_ = 0;
  int64_t offset_ = 0;
  LineSplitter splitter_;
};

}  // namespace fhc::exporter
