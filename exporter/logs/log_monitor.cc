#include "exporter/logs/log_monitor.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "exporter/logs/line_time.h"
#include "exporter/logs/log_classifier.h"

namespace fhc::exporter {
namespace {
// Camera names come from log text; a bound keeps a garbage log from growing the series set.
constexpr std::size_t kMaxBacklogCameras = 256;
// Repeats of one marker are spread over at most this many points in time (bounds memory for a
// marker of a billion repeats; the window needs no finer grain than a few seconds).
constexpr int64_t kMaxRepeatPoints = 60;

// a + b without overflow (window counts of a hostile log can be huge).
void AddSaturating(int& total, int n) {
  total = static_cast<int>(std::min<int64_t>(int64_t{total} + n, std::numeric_limits<int>::max()));
}
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
  const WallTime now = clock_.Now();
  const RepeatGrowth growth = repeats_.OnLine(line, time, now);
  if (ParseRepeatMarker(line)) {  // not an event itself; only its growth counts
    PlacePendingRepeats(std::nullopt);
    if (growth.count > 0 && last_event_) {
      Record(*last_event_, growth.count);
      pending_ = PendingRepeats{last_event_->kind, last_event_->subject, growth.count,
                                growth.not_before, now};
    }
    return;
  }
  const bool fresh = dedup_.Accept(line, time);
  // A new line after a marker ended the run it counts: the repeats came before this line.
  PlacePendingRepeats(fresh ? time : std::nullopt);
  // The event of this line, fresh or not, is what a following repeat marker refers to.
  std::optional<LogEvent> event = ClassifyLine(line);
  last_event_ = event;
  if (!fresh) {
    ++lines_duplicate_;
    return;
  }
  if (!event) return;
  Record(*event, 1);
  window_.Add(event->kind, event->subject, event->time, 1);
}

void LogMonitor::Record(const LogEvent& event, int64_t times) {
  totals_[event.kind] += static_cast<uint64_t>(times);
  if (IsRecordingBacklog(event.kind) && backlog_cameras_.size() < kMaxBacklogCameras) {
    backlog_cameras_.insert(event.subject);
  }
  // A new Frigate started: what the old one logged stays in the totals but no longer makes the
  // new one unhealthy, or a restart would look like it failed until the window had passed.
  if (event.kind == LogEventKind::kFrigateStarting) {
    window_.ForgetBefore(event.time.value_or(clock_.Now()));
  }
  hung_.OnEvent(event.kind, event.time.value_or(clock_.Now()));
}

void LogMonitor::PlacePendingRepeats(std::optional<WallTime> next_line) const {
  if (!pending_) return;
  const PendingRepeats p = *pending_;
  pending_.reset();
  WallTime end = p.read_at;
  if (next_line && *next_line > p.not_before && *next_line < end) end = *next_line;
  const auto span = end > p.not_before ? end - p.not_before : WallTime::duration::zero();
  const int64_t points = std::min(p.count, kMaxRepeatPoints);
  for (int64_t j = 1; j <= points; ++j) {
    const int64_t n = p.count * j / points - p.count * (j - 1) / points;
    window_.Add(p.kind, p.subject, p.not_before + span / points * j, static_cast<int>(n));
  }
}

LogSnapshot LogMonitor::Snapshot() const {
  LogSnapshot s;
  s.source_configured = source_ != nullptr;
  s.source_up = source_ && source_->up();
  std::lock_guard lock(mu_);
  PlacePendingRepeats(std::nullopt);  // the marker was the newest line read: the run may go on
  window_.Prune();
  s.totals = totals_;
  s.stuck_in_window = window_.Count(LogEventKind::kDetectionStuck);
  for (const auto& camera : backlog_cameras_) s.backlog_in_window[camera] = 0;
  for (LogEventKind kind : AllLogEventKinds()) {
    if (!IsRecordingBacklog(kind)) continue;
    for (const auto& [camera, n] : window_.CountBySubject(kind)) {
      AddSaturating(s.backlog_in_window[camera], n);
      AddSaturating(s.backlog_total_in_window, n);
    }
  }
  s.detector_hung = hung_.Hung(clock_.Now());
  s.backlog_keep_up_in_window = window_.Count(LogEventKind::kRecordingBacklog);
  s.backlog_unprocessed_in_window = window_.Count(LogEventKind::kRecordingBacklogUnprocessed);
  s.edgetpu_missing_in_window = window_.Count(LogEventKind::kEdgeTpuMissing) > 0;
  s.edgetpu_wrong_model_in_window = window_.Count(LogEventKind::kEdgeTpuWrongModel) > 0;
  s.lines_read = lines_read_;
  s.lines_duplicate = lines_duplicate_;
  s.newest_line_time = dedup_.watermark();
  return s;
}

}  // namespace fhc::exporter
