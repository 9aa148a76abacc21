#pragma once
// StateStore on a local file (STATE_STORE=file). Writes are atomic: the new text goes to a
// temporary file in the same directory, is fsynced, renamed over the old one and the directory
// fsynced, so a crash leaves either the old or the new document, never half of one.
// Read-update-write holds an exclusive flock on "<path>.lock", which serialises threads of this
// process and other processes (a second remediator pointed at the same file by mistake).
#include <functional>
#include <mutex>
#include <string>

#include "common/clock/clock.h"
#include "remediator/store/state_store.h"

namespace fhc::remediator {

class FileStateStore final : public StateStore {
 public:
  struct Options {
    const Clock* clock = &SystemClock::Instance();  // names the file MoveAside() makes
    // Runs after the temporary file is complete and before the rename (tests simulate a crash
    // there).
    std::function<void()> before_rename_for_test;
  };

  explicit FileStateStore(std::string path);
  FileStateStore(std::string path, Options options);

  Result<std::string> Update(const StateUpdate& update) override;
  Result<StoredState> Read() override;
  Status Check() override;
  std::string Describe() const override { return "file " + path_; }

  // Renames the state file to "<path>.corrupt-<unix seconds>" (for a document the caller cannot
  // decode, so it is kept for a human and the remediator starts afresh). Returns the new name.
  Result<std::string> MoveAside();

  // MoveAside, then the note into "<path>.unreadable" and `fresh` into the state file.
  Result<std::string> KeepUnreadable(const std::string& unreadable, const std::string& fresh,
                                     const UnreadableNote& note) override;
  // Deleting "<path>.unreadable".
  std::string HowToRelease() const override;

  const std::string& path() const { return path_; }

 private:
  Result<std::string> MoveAsideLocked();
  // Atomically replaces `path` with `text` (temporary file, fsync, rename, directory fsync).
  Status WriteAtomically(const std::string& path, const std::string& text);

  std::string path_;
  std::string lock_path_;
  std::string note_path_;
  std::string temp_path_;
  std::string dir_;
  Options options_;
  std::mutex mu_;  // flock already serialises; this keeps one process's threads off the kernel lock
};

}  // namespace fhc::remediator
