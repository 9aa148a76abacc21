#include "exporter/logs/log_monitor.h"

#include "exporter/logs/line_time.h"
#include "exporter/logs/log_classifier.h"

namespace fhc::exporter {
namespace {
// Camera names come from log text; a bound keeps a garbage log from growing the series set.
constexpr std::size_t kMaxBacklogCameras = 256;
}  // namespace

LogMonitor::LogMonitor(const Clock& clock, LogMonitorOptions options,
                       std::unique_ptr<LogSource> source)
    : clock_(clock),
      options_(options),
      source_(std::move(source)),
      dedup_(options.dedup),
      window_(clock, options.window),
      hung_(options.hung_grace) {
  for (LogEventKind kind : AllLogEventKinds()) totals_[kind] = 0;
}

LogMonitor::~LogMonitor() { Stop(); }

void LogMonitor::Start() {
  if (!source_ || thread_.joinable()) return;
  stop_ = false;
  thread_ =
      std::thread([this] { source_->Run([this](std::string_view line) { OnLine(line); }, stop_); });
}

void LogMonitor::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void LogMonitor::OnLine(std::string_view line) {
  const std::optional<WallTime> time = ParseLineTime(line);
  std::lock_guard lock(mu_);
  ++lines_read_;
  const int64_t extra = repeats_.OnLine(line, time);
  if (ParseRepeatMarker(line)) {  // not an event itself; only its growth counts
    if (extra > 0 && last_event_) Count(*last_event_, extra);
    return;
  }
  const bool fresh = dedup_.Accept(line, time);
  // The event of this line, fresh or not, is what a following repeat marker refers to.
  std::optional<LogEvent> event = ClassifyLine(line);
  last_event_ = event;
  if (!fresh) {
    ++lines_duplicate_;
    return;
  }
  if (event) Count(*event, 1);
}

void LogMonitor::Count(const LogEvent& event, int64_t times) {
  totals_[event.kind] += static_cast<uint64_t>(times);
  if (IsRecordingBacklog(event.kind) && backlog_cameras_.size() < kMaxBacklogCameras) {
    backlog_cameras_.insert(event.subject);
  }
  // A new Frigate started: what the old one logged stays in the totals but no longer makes the
  // new one unhealthy, or a restart would look like it failed until the window had passed.
  if (event.kind == LogEventKind::kFrigateStarting) {
    window_.ForgetBefore(event.time.value_or(clock_.Now()));
  }
  window_.Add(event.kind, event.subject, event.time, static_cast<int>(times));
  hung_.OnEvent(event.kind, event.time.value_or(clock_.Now()));
}

LogSnapshot LogMonitor::Snapshot() const {
  LogSnapshot s;
  s.source_configured = source_ != nullptr;
  s.source_up = source_ && source_->up();
  std::lock_guard lock(mu_);
  window_.Prune();
  s.totals = totals_;
  s.stuck_in_window = window_.Count(LogEventKind::kDetectionStuck);
  for (const auto& camera : backlog_cameras_) s.backlog_in_window[camera] = 0;
  for (LogEventKind kind : AllLogEventKinds()) {
    if (!IsRecordingBacklog(kind)) continue;
    for (const auto& [camera, n] : window_.CountBySubject(kind)) {
      s.backlog_in_window[camera] += n;
      s.backlog_total_in_window += n;
    }
  }
  s.detector_hung = hung_.Hung(clock_.Now());
  s.edgetpu_missing_in_window = window_.Count(LogEventKind::kEdgeTpuMissing) > 0;
  s.lines_read = lines_read_;
  s.lines_duplicate = lines_duplicate_;
  s.newest_line_time = dedup_.watermark();
  return s;
}

}  // namespace fhc::exporter
