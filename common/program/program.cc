#include "common/program/program.h"

#include <malloc.h>
#include <pthread.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "common/log/log.h"

namespace fhc::program {
namespace {

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

void BlockStopSignals() {
  sigset_t set = StopSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A client that hangs up mid-response must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
}

void LimitMallocArenas() {
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
}

int WaitForStopSignal() {
  sigset_t set = StopSignals();
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

std::optional<settings::ParseResult> Start(const settings::ProgramInfo& info,
                                           const std::vector<settings::Spec>& specs, int argc,
                                           char** argv, int& exit_code) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = settings::Parse(info, specs, args, settings::ProcessEnvironment());
  using Kind = settings::ParseResult::Kind;
  switch (parsed.kind) {
    case Kind::kHelp:
    case Kind::kVersion:
      std::cout << parsed.message;
      if (!parsed.message.empty() && parsed.message.back() != '\n') std::cout << '\n';
      exit_code = 0;
      return std::nullopt;
    case Kind::kError:
      std::cerr << info.name << ": " << parsed.message << "\n";
      exit_code = 2;
      return std::nullopt;
    case Kind::kRun:
      break;
  }
  auto logging = log::Init(parsed.settings.Get("LOG_LEVEL"), parsed.settings.Get("LOG_FORMAT"));
  if (!logging) {
    std::cerr << info.name << ": " << logging.error() << "\n";
    exit_code = 2;
    return std::nullopt;
  }
  return parsed;
}

}  // namespace fhc::program
