#include "remediator/app/crash_point.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <cstring>

namespace fhc::remediator {

void CrashPoint(const char* point) {
  const char* want = std::getenv("FHC_TEST_CRASH_AT");
  if (want != nullptr && std::strcmp(want, point) == 0) {
    spdlog::default_logger()->flush();
    std::raise(SIGKILL);
  }
}

}  // namespace fhc::remediator
