#include "common/metrics/process_collector.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "common/metrics/family.h"

namespace fhc::metrics {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

ProcessCollector::ProcessCollector(std::string proc_dir, std::string proc_root)
    : proc_dir_(std::move(proc_dir)), proc_root_(std::move(proc_root)) {}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));

  // /proc/self/stat: the command may contain spaces and parentheses, so fields are counted from
  // the last ')'. Field numbers below are those of proc(5).
  std::string stat = ReadFile(proc_dir_ + "/stat");
  auto close = stat.rfind(')');
  if (close != std::string::npos) {
    std::istringstream fields(stat.substr(close + 2));
    std::vector<std::string> f{std::istream_iterator<std::string>(fields), {}};
    // f[0] is field 3 (state); field N is f[N - 3].
    if (f.size() > 21) {
      double utime = std::stod(f[14 - 3]), stime = std::stod(f[15 - 3]);
      double start_ticks = std::stod(f[22 - 3]);
      double vsize = std::stod(f[23 - 3]), rss_pages = std::stod(f[24 - 3]);
      auto cpu = Family("process_cpu_seconds_total",
                        "Total user and system CPU time spent in seconds.", MetricType::Counter);
      AddSample(cpu, (utime + stime) / ticks);
      out.push_back(std::move(cpu));
      auto rss = Family("process_resident_memory_bytes", "Resident memory size in bytes.",
                        MetricType::Gauge);
      AddSample(rss, rss_pages * page);
      out.push_back(std::move(rss));
      auto vms = Family("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                        MetricType::Gauge);
      AddSample(vms, vsize);
      out.push_back(std::move(vms));
      // Boot time from /proc/stat's btime line.
      std::istringstream sys(ReadFile(proc_root_ + "/stat"));
      std::string line;
      while (std::getline(sys, line)) {
        if (line.rfind("btime ", 0) == 0) {
          auto start =
              Family("process_start_time_seconds",
                     "Start time of the process since unix epoch in seconds.", MetricType::Gauge);
          AddSample(start, std::stod(line.substr(6)) + start_ticks / ticks);
          out.push_back(std::move(start));
          break;
        }
      }
    }
  }

  std::error_code ec;
  double open_fds = 0;
  for (auto it = std::filesystem::directory_iterator(proc_dir_ + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++open_fds;
  }
  if (!ec) {
    auto fds = Family("process_open_fds", "Number of open file descriptors.", MetricType::Gauge);
    AddSample(fds, open_fds);
    out.push_back(std::move(fds));
  }
  std::istringstream limits(ReadFile(proc_dir_ + "/limits"));
  std::string line;
  while (std::getline(limits, line)) {
    if (line.rfind("Max open files", 0) == 0) {
      std::istringstream words(line.substr(14));
      std::string soft;
      words >> soft;
      if (!soft.empty() && soft != "unlimited") {
        auto max = Family("process_max_fds", "Maximum number of open file descriptors.",
                          MetricType::Gauge);
        AddSample(max, std::stod(soft));
        out.push_back(std::move(max));
      }
      break;
    }
  }
  return out;
}

}  // namespace fhc::metrics
