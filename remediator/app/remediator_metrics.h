#pragma once
// The frigate_remediator_* families, rendered from the counters and the last known state.
#include <string>

#include "common/clock/clock.h"
#include "common/metrics/process_collector.h"
#include "remediator/app/remediator_config.h"
#include "remediator/decision/engine.h"
#include "remediator/state/state.h"

namespace fhc::remediator {

struct RemediatorCounters;

std::string RenderMetrics(const State& state, const RemediatorCounters& counters,
                          const Engine& engine, const RemediatorConfig& config, WallTime now,
                          const metrics::ProcessCollector& process);

}  // namespace fhc::remediator
