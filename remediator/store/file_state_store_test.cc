#include "remediator/store/file_state_store.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/clock/fake_clock.h"
#include "gtest/gtest.h"

namespace fhc::remediator {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "fhc-store-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, ec);
    fs::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return (fs::path(path_) / name).string(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The document is a decimal counter; each update adds one.
Result<std::string> Increment(const StoredState& s) {
  long n = s.state_json.empty() ? 0 : std::stol(s.state_json);
  return std::to_string(n + 1);
}

Result<std::string> SetTo(const std::string& text, const StoredState&) { return text; }

TEST(FileStateStore, NothingStoredReadsEmpty) {
  TempDir dir;
  FileStateStore store(dir.File("state.json"));
  auto state = store.Read();
  ASSERT_TRUE(state.ok()) << state.error();
  EXPECT_EQ(state->state_json, "");
  EXPECT_TRUE(state->legacy.empty());
  EXPECT_TRUE(store.Check().ok());
}

TEST(FileStateStore, UpdateSeesPreviousContentAndStoresResult) {
  TempDir dir;
  FileStateStore store(dir.File("state.json"));
  ASSERT_TRUE(store.Update([](const StoredState& s) { return SetTo("{\"a\":1}", s); }).ok());
  std::string seen;
  auto stored = store.Update([&](const StoredState& s) -> Result<std::string> {
    seen = s.state_json;
    return std::string("{\"a\":2}");
  });
  ASSERT_TRUE(stored.ok()) << stored.error();
  EXPECT_EQ(seen, "{\"a\":1}");
  EXPECT_EQ(*stored, "{\"a\":2}");
  EXPECT_EQ(Slurp(dir.File("state.json")), "{\"a\":2}");
  EXPECT_EQ(store.Read()->state_json, "{\"a\":2}");
}

TEST(FileStateStore, FailedUpdateWritesNothing) {
  TempDir dir;
  FileStateStore store(dir.File("state.json"));
  ASSERT_TRUE(store.Update([](const StoredState& s) { return SetTo("old", s); }).ok());
  auto r = store.Update(
      [](const StoredState&) { return Result<std::string>::Error("cannot decode state"); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "cannot decode state");
  EXPECT_EQ(Slurp(dir.File("state.json")), "old");
  EXPECT_FALSE(fs::exists(dir.File("state.json.tmp")));
}

TEST(FileStateStore, TwoProcessesAndFourThreadsIncrementingLoseNothing) {
  TempDir dir;
  const std::string path = dir.File("state.json");
  constexpr int kPerWorker = 60;
  std::vector<pid_t> children;
  for (int c = 0; c < 2; ++c) {  // forked before any thread exists in this process
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      FileStateStore store(path);  // its own store object, as another process would have
      for (int i = 0; i < kPerWorker; ++i) {
        if (!store.Update(Increment).ok()) ::_exit(1);
      }
      ::_exit(0);
    }
    children.push_back(pid);
  }
  FileStateStore store(path);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerWorker; ++i) {
        if (!store.Update(Increment).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store.Read()->state_json, std::to_string(6 * kPerWorker));
}

TEST(FileStateStore, CrashBetweenTempWriteAndRenameLeavesOldContent) {
  TempDir dir;
  const std::string path = dir.File("state.json");
  FileStateStore store(path);
  ASSERT_TRUE(store.Update([](const StoredState& s) { return SetTo("old document", s); }).ok());

  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    FileStateStore::Options options;
    options.before_rename_for_test = [] { ::raise(SIGKILL); };  // dies holding the lock
    FileStateStore crashing(path, options);
    (void)crashing.Update([](const StoredState& s) { return SetTo("new document", s); });
    ::_exit(3);  // not reached
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  EXPECT_EQ(store.Read()->state_json, "old document");
  EXPECT_EQ(Slurp(dir.File("state.json.tmp")),
            "new document");  // the crash happened after the write
  // The lock died with the process and the stale temporary file does not get in the way.
  auto next = store.Update(
      [](const StoredState& s) -> Result<std::string> { return s.state_json + " + next"; });
  ASSERT_TRUE(next.ok()) << next.error();
  EXPECT_EQ(Slurp(path), "old document + next");
  EXPECT_FALSE(fs::exists(dir.File("state.json.tmp")));
}

TEST(FileStateStore, MissingDirectoryIsAnErrorNotACrash) {
  TempDir dir;
  FileStateStore store(dir.File("no/such/dir/state.json"));
  auto r = store.Update(Increment);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("No such file or directory"), std::string::npos) << r.error();
  Status check = store.Check();
  ASSERT_FALSE(check.ok());
  EXPECT_NE(check.error().find("no/such/dir"), std::string::npos) << check.error();
  EXPECT_TRUE(store.Read().ok());  // nothing there yet: an empty state, not an error
}

TEST(FileStateStore, PathUnderARegularFileIsAnError) {
  TempDir dir;
  std::ofstream(dir.File("plain")) << "x";
  FileStateStore store(dir.File("plain/state.json"));
  EXPECT_FALSE(store.Update(Increment).ok());
  EXPECT_FALSE(store.Check().ok());
}

TEST(FileStateStore, ReadOnlyDirectoryIsAPermissionError) {
  TempDir dir;
  const std::string sub = dir.File("ro");
  ASSERT_EQ(::mkdir(sub.c_str(), 0755), 0);
  {
    FileStateStore store(sub + "/state.json");
    ASSERT_TRUE(store.Update(Increment).ok());
  }
  ASSERT_EQ(::chmod(sub.c_str(), 0555), 0);
  ASSERT_EQ(::chmod((sub + "/state.json").c_str(), 0444), 0);
  // In a child that cannot bypass permissions (root drops to nobody), so the kernel really refuses.
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::getuid() == 0 && ::setuid(65534) != 0) ::_exit(10);
    FileStateStore store(sub + "/state.json");
    auto r = store.Update(Increment);
    if (r.ok() || r.error().find("Permission denied") == std::string::npos) ::_exit(11);
    Status check = store.Check();
    if (check.ok() || check.error().find("Permission denied") == std::string::npos) ::_exit(12);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(Slurp(sub + "/state.json"), "1");
}

TEST(FileStateStore, MoveAsideKeepsTheBadFileUnderATimestampedName) {
  TempDir dir;
  FakeClock clock(FromUnixSeconds(1'750'000'000));
  FileStateStore::Options options;
  options.clock = &clock;
  FileStateStore store(dir.File("state.json"), options);
  ASSERT_TRUE(store.Update([](const StoredState& s) { return SetTo("{garbage", s); }).ok());
  auto aside = store.MoveAside();
  ASSERT_TRUE(aside.ok()) << aside.error();
  EXPECT_EQ(*aside, dir.File("state.json.corrupt-1750000000"));
  EXPECT_EQ(Slurp(*aside), "{garbage");
  EXPECT_EQ(store.Read()->state_json, "");
  EXPECT_FALSE(store.MoveAside().ok());  // nothing left to move
}

TEST(FileStateStore, KeepUnreadableKeepsTheDocumentWritesFreshStateAndANoteUntilAPersonActs) {
  TempDir dir;
  FakeClock clock(FromUnixSeconds(1'750'000'000));
  FileStateStore::Options options;
  options.clock = &clock;
  FileStateStore store(dir.File("state.json"), options);
  ASSERT_TRUE(store.Update([](const StoredState& s) { return SetTo("{garbage", s); }).ok());
  auto kept = store.KeepUnreadable("{garbage", "{}",
                                   [](const std::string& where) { return "kept in " + where; });
  ASSERT_TRUE(kept.ok()) << kept.error();
  EXPECT_EQ(*kept, dir.File("state.json.corrupt-1750000000"));
  EXPECT_EQ(Slurp(*kept), "{garbage");
  auto now = store.Read();
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->state_json, "{}");
  EXPECT_EQ(now->unreadable_note, "kept in file " + *kept);
  // Updates keep the note and see it.
  std::string seen;
  ASSERT_TRUE(store
                  .Update([&](const StoredState& s) {
                    seen = s.unreadable_note;
                    return SetTo("{\"n\":1}", s);
                  })
                  .ok());
  EXPECT_EQ(seen, "kept in file " + *kept);
  EXPECT_EQ(store.HowToRelease(), "rm " + dir.File("state.json.unreadable"));
  // A person acts: the note is gone, and so is the hold.
  fs::remove(dir.File("state.json.unreadable"));
  EXPECT_EQ(store.Read()->unreadable_note, "");
  EXPECT_EQ(Slurp(*kept), "{garbage") << "the kept copy is the person's to delete";
}

TEST(FileStateStore, KeepUnreadableRefusesWhenTheDocumentChangedMeanwhile) {
  TempDir dir;
  FileStateStore store(dir.File("state.json"));
  ASSERT_TRUE(store.Update([](const StoredState& s) { return SetTo("{fixed}", s); }).ok());
  auto kept =
      store.KeepUnreadable("{garbage", "{}", [](const std::string&) { return std::string("n"); });
  EXPECT_FALSE(kept.ok());
  EXPECT_EQ(store.Read()->state_json, "{fixed}");
  EXPECT_EQ(store.Read()->unreadable_note, "");
}

TEST(FileStateStore, ReadingADirectoryIsAnError) {
  TempDir dir;
  FileStateStore store(dir.path());
  auto r = store.Read();
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace fhc::remediator
