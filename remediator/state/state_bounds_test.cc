#include "remediator/state/state_bounds.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "remediator/state/state_codec.h"

namespace fhc::remediator {
namespace {

using ::testing::Contains;
using ::testing::Key;
using ::testing::Le;

const WallTime kT0 = FromUnixSeconds(1'795'848'000.0);

TrackedAlert BigAlert(int i, std::size_t labels, std::size_t value_bytes,
                      std::size_t url_bytes = 3000) {
  TrackedAlert a;
  a.fingerprint = "fp" + std::to_string(i);
  a.alertname = "FrigateDetectorStuck";
  a.last_seen = kT0 + std::chrono::seconds(i);
  a.generator_url = "http://prometheus:9090/graph?g0.expr=" + std::string(url_bytes, 'q');
  a.labels = {{"alertname", a.alertname},
              {"namespace", "nvr"},
              {"deployment", "frigate"},
              {"reason", "detector_stuck"},
              {"remediate", "restart"}};
  for (std::size_t l = 0; l < labels; ++l) {
    a.labels["label_" + std::to_string(l)] = std::string(value_bytes, 'v');
    a.annotations["note_" + std::to_string(l)] = std::string(value_bytes, 'n');
  }
  return a;
}

// Every list and map at many times its limit, every text far too long.
State Everything(int targets) {
  State s;
  for (int t = 0; t < targets; ++t) {
    TargetState& ts = s.For(Target{"ns" + std::to_string(t), "frigate"});
    for (int i = 0; i < 35; ++i) {
      ts.firing.push_back(BigAlert(i, 34, 1100));
      ts.diagnostics.push_back(BigAlert(i, 34, 1100));
    }
    Incident inc;
    inc.id = ts.target.Key() + "@1";
    inc.open = t % 2 == 0;
    for (int i = 0; i < 35; ++i) {
      inc.alerts.push_back(BigAlert(i, 34, 1100));
      inc.reasons.push_back("reason_" + std::to_string(i) + std::string(500, 'r'));
    }
    ts.incident = inc;
    for (int i = 0; i < 250; ++i) {
      ts.restart_times.push_back(kT0 - std::chrono::seconds(i));
      ts.emails_sent.push_back(inc.id + ":restarted:" + std::to_string(i));
    }
    for (int i = 0; i < 60; ++i) {
      DecisionRecord d;
      d.id = "d" + std::to_string(i);
      d.at = kT0;
      d.detail = std::string(2000, 'd');
      for (int g = 0; g < 6; ++g) {
        d.verdicts.push_back({"gate", GateOutcome::kPass, std::string(1000, 'g')});
      }
      ts.decisions.push_back(d);
    }
  }
  for (int i = 0; i < 60; ++i) {
    OutboxMail m;
    m.id = "m" + std::to_string(i);
    m.subject = std::string(1000, 's');
    m.body = std::string(40'000, 'b');
    s.outbox.push_back(m);
  }
  for (int i = 0; i < 60; ++i) {
    s.ignored_alerts["foreign-" + std::to_string(i) + "/" + std::string(1000, 'x')] = 1;
  }
  return s;
}

TEST(StateBounds, FiftyForeignNamespacesOfA950KbWebhookShrinkToOneLump) {
  State s;
  for (int i = 0; i < 50; ++i) {
    s.ignored_alerts["ns-" + std::to_string(i) + "-" + std::string(19'000, 'x') + "/frigate"] = 1;
  }
  ASSERT_GT(EncodeState(s).size(), 900'000u);
  Dropped d = BoundState(s);
  EXPECT_EQ(d["ignored_targets"], 50u);
  ASSERT_EQ(s.ignored_alerts.size(), 1u);
  EXPECT_EQ(s.ignored_alerts["(other)"], 50);
  EXPECT_LT(EncodeState(s).size(), 1000u);
}

TEST(StateBounds, AnAlertKeepsWhatDecisionsReadWithinItsBudget) {
  TrackedAlert a = BigAlert(1, 200, 2000);
  Dropped d;
  BoundAlert(a, d);
  std::size_t bytes = 0;
  for (const auto& [k, v] : a.labels) bytes += k.size() + v.size();
  for (const auto& [k, v] : a.annotations) bytes += k.size() + v.size();
  EXPECT_LE(bytes, 8u * 1024u);
  for (const char* label : {"alertname", "namespace", "deployment", "reason", "remediate"}) {
    EXPECT_THAT(a.labels, Contains(Key(label)));
  }
  EXPECT_LE(a.generator_url.size(), 2048u + 3u);
  EXPECT_GT(d["alert_labels"], 0u);
  EXPECT_GT(d["texts"], 0u);
  // Bounding a bounded alert changes nothing (a re-sent alert compares equal to its copy).
  TrackedAlert again = a;
  Dropped none;
  BoundAlert(again, none);
  EXPECT_EQ(again, a);
  EXPECT_TRUE(none.empty());
}

TEST(StateBounds, EveryListAtManyTimesItsLimitFitsTheBudgetAndSaysWhatWentAway) {
  State s = Everything(64);
  Dropped d = BoundState(s);
  const std::size_t bounded = EncodeState(s).size();
  for (const auto& [what, n] : FitState(s, bounded)) d[what] += n;
  EXPECT_THAT(EncodeState(s).size(), Le(kStateBudgetBytes));
  for (const char* what : {"ignored_targets", "alerts", "alert_labels", "texts", "reasons",
                           "decisions", "emails_sent", "restart_times", "outbox"}) {
    EXPECT_GT(d[what], 0u) << what;
  }
  // Nothing in flight is dropped: open incidents and pending restarts keep their targets.
  for (int t = 0; t < 64; t += 2) {
    EXPECT_NE(s.Find(Target{"ns" + std::to_string(t), "frigate"}), nullptr) << t;
  }
  EXPECT_FALSE(DescribeDropped(d).empty());
}

TEST(StateBounds, MoreTargetsThanTheLimitDropTheIdleOnesFirst) {
  State s;
  for (int t = 0; t < 70; ++t) {
    TargetState& ts = s.For(Target{"ns" + std::to_string(t), "frigate"});
    ts.last_observation_at = kT0 + std::chrono::seconds(t);
  }
  s.For(Target{"ns0", "frigate"}).pending = RestartIntent{"i", kT0, "kubernetes", ""};
  Dropped d = BoundState(s);
  EXPECT_EQ(d["targets"], 6u);
  EXPECT_EQ(s.targets.size(), 64u);
  EXPECT_NE(s.Find(Target{"ns0", "frigate"}), nullptr) << "a pending restart is never dropped";
  EXPECT_EQ(s.Find(Target{"ns1", "frigate"}), nullptr) << "the least recently observed goes";
}

TEST(StateBounds, AStateWithinItsBoundsIsLeftAlone) {
  State s;
  TargetState& ts = s.For(Target{"nvr", "frigate"});
  ts.firing.push_back(BigAlert(1, 3, 20, 20));
  ts.restart_times = {kT0};
  const State before = s;
  EXPECT_TRUE(BoundState(s).empty());
  EXPECT_TRUE(FitState(s, EncodeState(s).size()).empty());
  EXPECT_EQ(s, before);
}

}  // namespace
}  // namespace fhc::remediator
