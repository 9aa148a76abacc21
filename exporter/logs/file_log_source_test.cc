#include "exporter/logs/file_log_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

namespace fhc::exporter {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class FileLogSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fhc-file-source-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ / "current";
  }
  void TearDown() override {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    fs::remove_all(dir_);
  }
  void Append(const std::string& text) {
    std::ofstream(path_, std::ios::app) << text << std::flush;
  }
  void StartSource(FileLogSource::Options o = {}) {
    o.path = path_;
    o.poll = 5ms;
    o.backoff_initial = 5ms;
    o.backoff_max = 20ms;
    source_ = std::make_unique<FileLogSource>(o);
    thread_ = std::thread([this] {
      source_->Run(
          [this](std::string_view l) {
            std::lock_guard lock(mu_);
            lines_.emplace_back(l);
          },
          stop_);
    });
  }
  // Waits (up to 5 s) until `n` lines have arrived; returns them.
  std::vector<std::string> WaitFor(std::size_t n) {
    for (int i = 0; i < 5000; ++i) {
      {
        std::lock_guard lock(mu_);
        if (lines_.size() >= n) return lines_;
      }
      std::this_thread::sleep_for(1ms);
    }
    std::lock_guard lock(mu_);
    return lines_;
  }
  bool WaitUp(bool want) {
    for (int i = 0; i < 5000; ++i) {
      if (source_->up() == want) return true;
      std::this_thread::sleep_for(1ms);
    }
    return false;
  }

  fs::path dir_, path_;
  std::atomic<bool> stop_{false};
  std::unique_ptr<FileLogSource> source_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> lines_;
};

TEST_F(FileLogSourceTest, ReadsExistingContentThenFollowsAppendsWithPartialLines) {
  Append("old 1\nold 2\n");
  StartSource();
  EXPECT_EQ(WaitFor(2), (std::vector<std::string>{"old 1", "old 2"}));
  Append("new ");
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(WaitFor(2).size(), 2u) << "a partial line waits for its end";
  Append("3\n");
  EXPECT_EQ(WaitFor(3).back(), "new 3");
  EXPECT_TRUE(source_->up());
}

TEST_F(FileLogSourceTest, FollowsRotationToTheNewFileFromItsStart) {
  Append("a\nb\n");
  StartSource();
  WaitFor(2);
  Append("last of old");  // s6-log rotates after complete lines; be lenient anyway
  fs::rename(path_, dir_ / "@4000000065000000.s");
  Append("first of new\n");
  auto lines = WaitFor(4);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[2], "last of old");
  EXPECT_EQ(lines[3], "first of new");
}

TEST_F(FileLogSourceTest, TruncationRestartsAtTheBeginning) {
  Append("one line that is rather long\n");
  StartSource();
  WaitFor(1);
  { std::ofstream(path_, std::ios::trunc) << "short\n"; }
  EXPECT_EQ(WaitFor(2).back(), "short");
}

TEST_F(FileLogSourceTest, MissingFileIsDownUntilItAppears) {
  StartSource();
  std::this_thread::sleep_for(30ms);
  EXPECT_FALSE(source_->up());
  Append("hello\n");
  EXPECT_EQ(WaitFor(1).front(), "hello");
  EXPECT_TRUE(WaitUp(true));
}

TEST(FileLogSourceBackoff, RetriesWithCappedDoublingDelaysAndStops) {
  std::vector<std::chrono::milliseconds> delays;
  std::atomic<bool> stop{false};
  FileLogSource::Options o;
  o.path = "/nonexistent/dir/current";
  o.backoff_initial = 100ms;
  o.backoff_max = 400ms;
  FileLogSource source(o, [&](std::chrono::milliseconds d, const std::atomic<bool>&) {
    delays.push_back(d);
    if (delays.size() == 5) stop = true;
  });
  source.Run([](std::string_view) {}, stop);
  EXPECT_EQ(delays, (std::vector<std::chrono::milliseconds>{100ms, 200ms, 400ms, 400ms, 400ms}));
  EXPECT_FALSE(source.up());
}

}  // namespace
}  // namespace fhc::exporter
