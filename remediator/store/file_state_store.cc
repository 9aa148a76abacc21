#include "remediator/store/file_state_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

namespace fhc::remediator {
namespace {

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// Owns a file descriptor; closing it also drops any flock taken through it.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Closes now, reporting the error close() may carry (delayed write errors on some filesystems).
  bool Close() {
    int fd = std::exchange(fd_, -1);
    return fd < 0 || ::close(fd) == 0;
  }

 private:
  int fd_;
};

Result<Fd> LockExclusive(const std::string& lock_path) {
  Fd fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd.valid()) return Result<Fd>::Error(Errno("cannot open lock file", lock_path));
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return Result<Fd>::Error(Errno("cannot lock", lock_path));
  }
  return Result<Fd>(std::move(fd));
}

// The whole file, or nullopt-like empty with found=false when it does not exist.
struct FileText {
  bool found = false;
  std::string text;
};

Result<FileText> ReadFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return FileText{};
    return Result<FileText>::Error(Errno("cannot read", path));
  }
  FileText out{true, {}};
  // On the heap: this runs on civetweb's worker threads, whose stacks are small.
  std::vector<char> buf(64 * 1024);
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Result<FileText>::Error(Errno("cannot read", path));
    }
    if (n == 0) break;
    out.text.append(buf.data(), static_cast<size_t>(n));
  }
  return out;
}

Status WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Error(std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  return OkStatus();
}

Status FsyncDir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid() || ::fsync(fd.get()) != 0) return Status::Error(Errno("cannot sync", dir));
  return OkStatus();
}

}  // namespace

FileStateStore::FileStateStore(std::string path) : FileStateStore(std::move(path), Options{}) {}

FileStateStore::FileStateStore(std::string path, Options options)
    : path_(std::move(path)), options_(std::move(options)) {
  lock_path_ = path_ + ".lock";
  note_path_ = path_ + ".unreadable";
  temp_path_ = path_ + ".tmp";
  std::string dir = std::filesystem::path(path_).parent_path().string();
  dir_ = dir.empty() ? "." : dir;
}

Result<StoredState> FileStateStore::Read() {
  // No lock needed: the file is only ever replaced by rename, so a reader sees a whole version.
  auto file = ReadFile(path_);
  if (!file.ok()) return Result<StoredState>::Error(file.error());
  auto note = ReadFile(note_path_);
  if (!note.ok()) return Result<StoredState>::Error(note.error());
  StoredState out{std::move(file->text), {}, {}};
  if (note->found) out.unreadable_note = note->text.empty() ? "(empty note)" : note->text;
  return out;
}

Result<std::string> FileStateStore::Update(const StateUpdate& update) {
  std::lock_guard guard(mu_);
  auto lock = LockExclusive(lock_path_);
  if (!lock.ok()) return Result<std::string>::Error(lock.error());

  auto file = ReadFile(path_);
  if (!file.ok()) return Result<std::string>::Error(file.error());
  auto note = ReadFile(note_path_);
  if (!note.ok()) return Result<std::string>::Error(note.error());
  StoredState current{std::move(file->text), {}, {}};
  if (note->found) current.unreadable_note = note->text.empty() ? "(empty note)" : note->text;
  Result<std::string> next = update(current);
  if (!next.ok()) return next;
  if (file->found && *next == current.state_json) return next;  // nothing changed: no write
  Status written = WriteAtomically(path_, *next);
  if (!written.ok()) return Result<std::string>::Error(written.error());
  return next;
}

Status FileStateStore::WriteAtomically(const std::string& path, const std::string& text) {
  // O_TRUNC: a temporary file left by a crash is simply overwritten (we hold the lock).
  Fd tmp(::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!tmp.valid()) return Status::Error(Errno("cannot write", temp_path_));
  Status written = WriteAll(tmp.get(), text);
  if (written.ok() && ::fsync(tmp.get()) != 0) written = Status::Error(std::strerror(errno));
  if (written.ok() && !tmp.Close()) written = Status::Error(std::strerror(errno));
  if (!written.ok()) {
    ::unlink(temp_path_.c_str());
    return Status::Error("cannot write " + temp_path_ + ": " + written.error());
  }
  if (options_.before_rename_for_test) options_.before_rename_for_test();
  if (::rename(temp_path_.c_str(), path.c_str()) != 0) {
    std::string error = Errno("cannot replace", path);
    ::unlink(temp_path_.c_str());
    return Status::Error(error);
  }
  // The rename is durable only once the directory entry is on disk.
  return FsyncDir(dir_);
}

Status FileStateStore::Check() {
  struct stat st {};
  if (::stat(dir_.c_str(), &st) != 0) return Status::Error(Errno("state directory", dir_));
  if (!S_ISDIR(st.st_mode)) return Status::Error("state directory " + dir_ + " is not a directory");
  if (::access(dir_.c_str(), W_OK | X_OK) != 0) {
    return Status::Error(Errno("state directory", dir_));
  }
  if (::access(path_.c_str(), F_OK) == 0 && ::access(path_.c_str(), R_OK | W_OK) != 0) {
    return Status::Error(Errno("state file", path_));
  }
  return OkStatus();
}

Result<std::string> FileStateStore::MoveAside() {
  std::lock_guard guard(mu_);
  auto lock = LockExclusive(lock_path_);
  if (!lock.ok()) return Result<std::string>::Error(lock.error());
  return MoveAsideLocked();
}

Result<std::string> FileStateStore::MoveAsideLocked() {
  auto seconds = static_cast<long long>(ToUnixSeconds(options_.clock->Now()));
  std::string aside = path_ + ".corrupt-" + std::to_string(seconds);
  if (::rename(path_.c_str(), aside.c_str()) != 0) {
    return Result<std::string>::Error(Errno("cannot move aside", path_));
  }
  Status synced = FsyncDir(dir_);
  if (!synced.ok()) return Result<std::string>::Error(synced.error());
  return aside;
}

Result<std::string> FileStateStore::KeepUnreadable(const std::string& unreadable,
                                                   const std::string& fresh,
                                                   const UnreadableNote& note) {
  using R = Result<std::string>;
  std::lock_guard guard(mu_);
  auto lock = LockExclusive(lock_path_);
  if (!lock.ok()) return R::Error(lock.error());
  auto file = ReadFile(path_);
  if (!file.ok()) return R::Error(file.error());
  if (!file->found || file->text != unreadable) return R::Error(path_ + " changed meanwhile");
  auto aside = MoveAsideLocked();
  if (!aside.ok()) return aside;
  Status noted = WriteAtomically(note_path_, note("file " + *aside));
  if (!noted.ok()) return R::Error("moved aside to " + *aside + " but " + noted.error());
  Status written = WriteAtomically(path_, fresh);
  if (!written.ok()) return R::Error("moved aside to " + *aside + " but " + written.error());
  return *aside;
}

std::string FileStateStore::HowToRelease() const { return "rm " + note_path_; }

}  // namespace fhc::remediator
