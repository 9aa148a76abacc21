#include "exporter/metrics/log_events_collector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <string>

#include "exporter/logs/log_classifier.h"

namespace fhc::exporter {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Text(const LogSnapshot& s) {
  LogEventsCollector collector([s] { return s; });
  return prometheus::TextSerializer().Serialize(collector.Collect());
}

TEST(LogEventsCollector, EveryEventKindIsExposedFromZeroSoRateWorks) {
  const std::string text = Text(LogSnapshot{});
  EXPECT_THAT(text, HasSubstr("# TYPE frigate_log_events_total counter"));
  EXPECT_THAT(text, HasSubstr("# HELP frigate_log_events_total "));
  for (LogEventKind kind : AllLogEventKinds()) {
    EXPECT_THAT(text, HasSubstr("frigate_log_events_total{event=\"" + std::string(EventName(kind)) +
                                "\"} 0\n"));
  }
  EXPECT_THAT(text, HasSubstr("frigate_stuck_detection_events 0\n"));
  EXPECT_THAT(text, HasSubstr("frigate_log_source_up 0\n"));
  EXPECT_THAT(text, Not(HasSubstr("frigate_recording_backlog_events{")))
      << "no camera seen yet: no series rather than one with an empty label";
}

TEST(LogEventsCollector, EveryCameraOfTheStatsHasABacklogSeriesFromTheStart) {
  LogSnapshot s;
  s.backlog_in_window = {{"front", 2}};
  LogEventsCollector collector([s] { return s; });
  collector.UpdateCameras({"front", "garage"});
  collector.UpdateCameras({});  // a failed stats fetch keeps the cameras known before
  const std::string text = prometheus::TextSerializer().Serialize(collector.Collect());
  EXPECT_THAT(text, HasSubstr("frigate_recording_backlog_events{camera=\"front\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("frigate_recording_backlog_events{camera=\"garage\"} 0\n"));
}

TEST(LogEventsCollector, SnapshotValuesAppearWithTheirLabels) {
  LogSnapshot s;
  s.source_up = true;
  s.totals[LogEventKind::kDetectionStuck] = 7;
  s.stuck_in_window = 3;
  s.backlog_in_window = {{"front", 2}, {"back", 0}};
  const std::string text = Text(s);
  EXPECT_THAT(text, HasSubstr("frigate_log_events_total{event=\"detection_stuck\"} 7\n"));
  EXPECT_THAT(text, HasSubstr("frigate_stuck_detection_events 3\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE frigate_recording_backlog_events gauge"));
  EXPECT_THAT(text, HasSubstr("frigate_recording_backlog_events{camera=\"front\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("frigate_recording_backlog_events{camera=\"back\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("frigate_log_source_up 1\n"));
}

TEST(LogEventsCollector, TakesAFreshSnapshotAtEachScrape) {
  int calls = 0;
  LogEventsCollector collector([&] {
    LogSnapshot s;
    s.stuck_in_window = ++calls;
    return s;
  });
  collector.Collect();
  const auto text = prometheus::TextSerializer().Serialize(collector.Collect());
  EXPECT_THAT(text, HasSubstr("frigate_stuck_detection_events 2\n"));
}

}  // namespace
}  // namespace fhc::exporter
