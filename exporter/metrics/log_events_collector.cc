#include "exporter/metrics/log_events_collector.h"

#include <string>

#include "common/metrics/family.h"
#include "exporter/logs/log_classifier.h"

namespace fhc::exporter {

std::vector<prometheus::MetricFamily> LogEventFamilies(const LogSnapshot& snapshot,
                                                       const std::vector<std::string>& cameras) {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;

  auto events = metrics::Family(
      "frigate_log_events_total",
      "Known Frigate log lines read since the exporter started, by event (each line counted once "
      "across reconnects and re-reads).",
      MetricType::Counter);
  for (LogEventKind kind : AllLogEventKinds()) {
    auto it = snapshot.totals.find(kind);
    const double value = it == snapshot.totals.end() ? 0.0 : static_cast<double>(it->second);
    metrics::AddSample(events, value, {{"event", std::string(EventName(kind))}});
  }
  out.push_back(std::move(events));

  auto stuck = metrics::Family(
      "frigate_stuck_detection_events",
      "\"Detection appears to be stuck\" log lines within the log window (LOG_WINDOW_MINUTES).",
      MetricType::Gauge);
  metrics::AddSample(stuck, snapshot.stuck_in_window);
  out.push_back(std::move(stuck));

  auto backlog = metrics::Family(
      "frigate_recording_backlog_events",
      "Recording backlog log lines (\"Unable to keep up\", \"Too many unprocessed\", 0.11 \"Too "
      "many recording segments\") within the log window, by camera.",
      MetricType::Gauge);
  for (const auto& [camera, n] : snapshot.backlog_in_window) {
    metrics::AddSample(backlog, n, {{"camera", camera}});
  }
  for (const std::string& camera : cameras) {
    if (snapshot.backlog_in_window.count(camera) == 0) {
      metrics::AddSample(backlog, 0, {{"camera", camera}});
    }
  }
  if (!backlog.metric.empty()) out.push_back(std::move(backlog));

  auto up = metrics::Family("frigate_log_source_up",
                            "1 while the configured log source (LOG_SOURCE) is read successfully, "
                            "else 0 (also 0 with LOG_SOURCE=none).",
                            MetricType::Gauge);
  metrics::AddSample(up, snapshot.source_up ? 1.0 : 0.0);
  out.push_back(std::move(up));
  return out;
}

}  // namespace fhc::exporter
