#pragma once
// Test helper: runs one of the Python test doubles (tests/doubles/*.py, Debian's /usr/bin/python3)
// as a child process on loopback and waits for the lines it prints on start (its port).
// Header-only; tests only.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace fhc::remediator::testing_util {

inline std::string DoubleScript(const std::string& name) {
  return std::string(FHC_SOURCE_DIR) + "/tests/doubles/" + name;
}

class DoubleProcess {
 public:
  // Starts the script and waits (up to 30 s) until, for each prefix, a stdout line starts with it.
  DoubleProcess(const std::string& script, std::vector<std::string> args,
                std::vector<std::string> wait_for) {
    // stdout goes to a file, not a pipe: a double that keeps printing can never block or die
    // of SIGPIPE once we stop reading.
    char path[] = "/tmp/fhc-double-out-XXXXXX";
    int out = ::mkstemp(path);
    if (out < 0) return;
    out_path_ = path;
    std::vector<std::string> argv = {"/usr/bin/python3", script};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out, STDOUT_FILENO);
      ::close(out);
      std::vector<char*> cargv;
      for (auto& a : argv) cargv.push_back(a.data());
      cargv.push_back(nullptr);
      ::execv(cargv[0], cargv.data());
      ::_exit(127);
    }
    ::close(out);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      ReadLines();
      if (!Missing(wait_for)) break;
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;  // died on start
        break;
      }
      ::usleep(20'000);
    }
  }
  DoubleProcess(const DoubleProcess&) = delete;
  DoubleProcess& operator=(const DoubleProcess&) = delete;
  ~DoubleProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    if (!out_path_.empty()) ::unlink(out_path_.c_str());
  }

  // The first line starting with prefix, or "".
  std::string Line(const std::string& prefix) const {
    for (const auto& l : lines_) {
      if (l.rfind(prefix, 0) == 0) return l;
    }
    return "";
  }
  // "http://127.0.0.1:PORT" taken from the first line starting with prefix, or "".
  std::string UrlIn(const std::string& prefix) const {
    std::string line = Line(prefix);
    auto start = line.find("http");
    if (start == std::string::npos) return "";
    auto end = line.find(' ', start);
    return line.substr(start, end == std::string::npos ? std::string::npos : end - start);
  }

 private:
  bool Missing(const std::vector<std::string>& prefixes) const {
    for (const auto& p : prefixes) {
      if (Line(p).empty()) return true;
    }
    return false;
  }
  // Complete lines only: a line still being written is picked up next time.
  void ReadLines() {
    std::ifstream in(out_path_, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> lines;
    for (std::size_t pos = 0, nl; (nl = text.find('\n', pos)) != std::string::npos; pos = nl + 1) {
      lines.push_back(text.substr(pos, nl - pos));
    }
    lines_ = std::move(lines);
  }
  pid_t pid_ = -1;
  std::string out_path_;
  std::vector<std::string> lines_;
};

}  // namespace fhc::remediator::testing_util
