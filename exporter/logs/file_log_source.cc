#include "exporter/logs/file_log_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace fhc::exporter {

FileLogSource::FileLogSource(Options options, Sleeper sleeper)
    : options_(std::move(options)), sleeper_(std::move(sleeper)) {}

FileLogSource::~FileLogSource() { Close(); }

bool FileLogSource::Open() {
  fd_ = ::open(options_.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return false;
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    Close();
    return false;
  }
  inode_ = st.st_ino;
  device_ = st.st_dev;
  offset_ = 0;
  splitter_.Reset();
  return true;
}

void FileLogSource::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool FileLogSource::Drain(const LineHandler& on_line) {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return false;
  if (st.st_size < offset_) {  // truncated in place: start over
    offset_ = 0;
    splitter_.Reset();
  }
  char buf[64 * 1024];
  for (;;) {
    const ssize_t n = ::pread(fd_, buf, sizeof buf, offset_);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) return true;
    offset_ += n;
    splitter_.Feed(std::string_view(buf, static_cast<std::size_t>(n)), on_line);
  }
}

bool FileLogSource::Rotated() const {
  struct stat st {};
  if (::stat(options_.path.c_str(), &st) != 0) return false;  // mid-rotation: keep the old one
  return static_cast<uint64_t>(st.st_ino) != inode_ || static_cast<uint64_t>(st.st_dev) != device_;
}

void FileLogSource::Run(const LineHandler& on_line, const std::atomic<bool>& stop) {
  Backoff backoff(options_.backoff_initial, options_.backoff_max);
  while (!stop.load()) {
    if (fd_ < 0 && !Open()) {
      up_ = false;
      sleeper_(backoff.Next(), stop);
      continue;
    }
    if (!Drain(on_line)) {
      up_ = false;
      Close();
      sleeper_(backoff.Next(), stop);
      continue;
    }
    up_ = true;
    backoff.Reset();
    if (Rotated()) {
      // The old file is complete (its writer moved on): its last line needs no '\n' to count.
      Drain(on_line);
      splitter_.Flush(on_line);
      Close();
      continue;  // open the new file right away, from its start
    }
    sleeper_(options_.poll, stop);
  }
}

}  // namespace fhc::exporter
