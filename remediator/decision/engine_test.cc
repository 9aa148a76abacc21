#include "remediator/decision/engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "remediator/state/state_codec.h"
#include "remediator/webhook/webhook_parser.h"

namespace fhc::remediator {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Target kFrigate{"nvr", "frigate"};
const WallTime kT0 = FromUnixSeconds(1'795'848'000.0);

Alert MakeAlert(const std::string& name, const std::string& reason, AlertStatus status,
                bool remediable, const Target& target = kFrigate) {
  Alert a;
  a.status = status;
  a.labels = {{"alertname", name},
              {"namespace", target.namespace_},
              {"deployment", target.deployment},
              {"reason", reason}};
  if (remediable) a.labels["remediate"] = "restart";
  a.annotations = {{"summary", name + " on " + target.Key()}};
  a.starts_at = kT0 - minutes(5);
  a.fingerprint = name + "-" + target.Key();
  a.generator_url = "http://prom/graph";
  return a;
}

Notification Notify(std::vector<Alert> alerts) {
  Notification n;
  n.version = "4";
  n.external_url = "http://am:9093";
  n.status = AlertStatus::kResolved;
  for (const auto& a : alerts) {
    if (a.status == AlertStatus::kFiring) n.status = AlertStatus::kFiring;
  }
  n.alerts = std::move(alerts);
  return n;
}

Notification Firing() {
  return Notify({MakeAlert("FrigateDetectorStuck", "detector_stuck", AlertStatus::kFiring, true)});
}
Notification Resolved() {
  return Notify(
      {MakeAlert("FrigateDetectorStuck", "detector_stuck", AlertStatus::kResolved, true)});
}

TargetFacts HealthyFacts(WallTime now) {
  TargetFacts f;
  f.kubernetes = true;
  f.frigate_started_at = now - std::chrono::hours(2);
  f.frigate_started_at_source = "container frigate";
  f.pod_name = "frigate-7d9-abc";
  f.container_name = "frigate";
  f.container_state = "running";
  f.container_ready = true;
  f.node_name = "n1";
  f.node_ready = "True";
  f.deployment_paused = false;
  f.rollout_in_progress = false;
  return f;
}

DecisionSettings Settings() {
  DecisionSettings s;
  s.default_target = kFrigate;
  s.gates.consecutive_failures_required = 2;
  s.gates.max_restarts_per_hour = 2;
  s.gates.startup_grace = seconds(600);
  return s;
}

// Drives the engine like the program does: observe, gather facts when needed, decide.
struct Harness {
  Engine engine{Settings()};
  State state;
  TargetFacts facts = HealthyFacts(kT0);
  int facts_gathered = 0;

  std::vector<Decision> Deliver(const Notification& n, WallTime now) {
    const ObservationResult r = engine.Observe(state, n, now);
    last_observation = r;
    std::vector<Decision> out;
    for (const Target& t : r.need_decision) {
      const bool need = engine.NeedsFacts(state, t, now);
      if (need) ++facts_gathered;
      out.push_back(engine.Decide(state, t, need ? &facts : nullptr, now));
    }
    return out;
  }
  TargetState& Frigate() { return state.For(kFrigate); }
  ObservationResult last_observation;
};

TEST(Engine, FirstFiringNotificationCountsOneAndWaits) {
  Harness h;
  auto ds = h.Deliver(Firing(), kT0);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].outcome, DecisionOutcome::kWaiting);
  EXPECT_EQ(ds[0].gate, "consecutive_failures");
  EXPECT_EQ(h.Frigate().consecutive_failures, 1);
  EXPECT_EQ(h.facts_gathered, 0) << "no API calls while the count is below the threshold";
  ASSERT_TRUE(h.Frigate().incident.has_value());
  EXPECT_TRUE(h.Frigate().incident->open);
  EXPECT_THAT(h.Frigate().incident->reasons, ElementsAre("detector_stuck"));
  EXPECT_TRUE(ds[0].mails.empty()) << "waiting is not worth a mail";
}

TEST(Engine, SecondFiringNotificationWithin30SecondsCountsOnce) {
  Harness h;
  h.Deliver(Firing(), kT0);
  auto ds = h.Deliver(Firing(), kT0 + seconds(29));
  EXPECT_TRUE(ds.empty());
  EXPECT_EQ(h.Frigate().consecutive_failures, 1);
  EXPECT_TRUE(h.last_observation.counted.empty());
  EXPECT_THAT(h.last_observation.touched, ElementsAre(kFrigate));
}

TEST(Engine, HaPairsDoubleDeliveryCountsOnce) {
  Harness h;
  h.Deliver(Firing(), kT0);
  h.Deliver(Firing(), kT0 + std::chrono::milliseconds(40));  // the second Alertmanager replica
  EXPECT_EQ(h.Frigate().consecutive_failures, 1);
  h.Deliver(Firing(), kT0 + seconds(60));
  h.Deliver(Firing(), kT0 + seconds(60) + std::chrono::milliseconds(40));
  EXPECT_EQ(h.Frigate().consecutive_failures, 2);
}

TEST(Engine, DuplicatesWithinTheIntervalLeaveTheStateUnchangedSoNothingIsWritten) {
  Harness h;
  Notification n = Firing();
  n.alerts.push_back(MakeAlert("FrigateCameraSlow", "camera_slow", AlertStatus::kFiring, false));
  h.Deliver(n, kT0);
  const State after_first = h.state;
  h.Deliver(n, kT0 + seconds(10));
  h.Deliver(n, kT0 + seconds(29));
  EXPECT_EQ(h.state, after_first) << "a duplicate must not force a state write";
  // A changed annotation is news even within the interval.
  n.alerts[0].annotations["summary"] = "worse now";
  h.Deliver(n, kT0 + seconds(29));
  EXPECT_EQ(h.Frigate().firing.at(0).annotations.at("summary"), "worse now");
  EXPECT_EQ(h.Frigate().firing.at(0).last_seen, kT0 + seconds(29));
  // last_seen lags by less than one interval: a copy an interval later records it.
  h.Deliver(n, kT0 + seconds(40));
  EXPECT_EQ(h.Frigate().firing.at(0).last_seen, kT0 + seconds(29));
  EXPECT_EQ(h.Frigate().diagnostics.at(0).last_seen, kT0 + seconds(40));
  EXPECT_EQ(h.Frigate().consecutive_failures, 2);
  h.Deliver(n, kT0 + seconds(59));
  EXPECT_EQ(h.Frigate().firing.at(0).last_seen, kT0 + seconds(59));
}

TEST(Engine, TwoConsecutiveObservations30SecondsApartRestart) {
  Harness h;
  h.Deliver(Firing(), kT0);
  auto ds = h.Deliver(Firing(), kT0 + seconds(30));
  ASSERT_EQ(ds.size(), 1u);
  const Decision& d = ds[0];
  EXPECT_TRUE(d.restart());
  EXPECT_EQ(h.facts_gathered, 1);
  ASSERT_EQ(d.verdicts.size(), 7u);
  for (const auto& v : d.verdicts) EXPECT_EQ(v.outcome, GateOutcome::kPass) << v.gate;
  ASSERT_TRUE(d.intent.has_value());
  ASSERT_TRUE(h.Frigate().pending.has_value()) << "write-ahead: intent stored before the action";
  EXPECT_EQ(*h.Frigate().pending, *d.intent);
  EXPECT_EQ(d.intent->action, "kubernetes");
  EXPECT_EQ(h.Frigate().decisions.back().outcome, "restart");

  auto done = h.engine.CompleteRestart(h.state, kFrigate, d.intent->id,
                                       RestartResult{true, "rollout complete"}, kT0 + seconds(90));
  EXPECT_TRUE(done.matched);
  EXPECT_FALSE(h.Frigate().pending.has_value());
  EXPECT_THAT(h.Frigate().restart_times, ElementsAre(kT0 + seconds(30)));
  EXPECT_EQ(h.Frigate().consecutive_failures, 0) << "reset after a restart";
  ASSERT_EQ(done.mails.size(), 1u);
  EXPECT_EQ(done.mails[0].kind, MailKind::kRestarted);
  EXPECT_EQ(done.mails[0].detail, "rollout complete");
  EXPECT_EQ(h.Frigate().decisions.back().outcome, "restarted");
  EXPECT_EQ(h.Frigate().decisions.back().verdicts.size(), 7u) << "the verdicts that allowed it";
}

TEST(Engine, NoSecondDecisionWhileARestartIsPending) {
  Harness h;
  h.Deliver(Firing(), kT0);
  h.Deliver(Firing(), kT0 + seconds(30));
  ASSERT_TRUE(h.Frigate().pending.has_value());
  auto ds = h.Deliver(Firing(), kT0 + seconds(60));
  EXPECT_TRUE(ds.empty());
  auto d = h.engine.Decide(h.state, kFrigate, &h.facts, kT0 + seconds(61));
  EXPECT_EQ(d.outcome, DecisionOutcome::kNone);
}

TEST(Engine, ResolvedResetsTheCount) {
  Harness h;
  h.Deliver(Firing(), kT0);
  EXPECT_EQ(h.Frigate().consecutive_failures, 1);
  h.Deliver(Resolved(), kT0 + seconds(30));
  EXPECT_EQ(h.Frigate().consecutive_failures, 0);
  EXPECT_TRUE(h.Frigate().firing.empty());
  EXPECT_FALSE(h.Frigate().incident->open);
  EXPECT_THAT(h.last_observation.recovered, ElementsAre(kFrigate));
  EXPECT_TRUE(h.last_observation.mails.empty()) << "nobody was told, so no recovered mail";
  auto ds = h.Deliver(Firing(), kT0 + seconds(40));
  ASSERT_EQ(ds.size(), 1u) << "a new episode counts at once";
  EXPECT_EQ(ds[0].outcome, DecisionOutcome::kWaiting);
  EXPECT_EQ(h.Frigate().consecutive_failures, 1);
}

TEST(Engine, ANewEpisodeAfterALostResolvedNotificationCountsAfresh) {
  Harness h;
  h.Deliver(Firing(), kT0);
  EXPECT_EQ(h.Frigate().consecutive_failures, 1);
  const std::string first_incident = h.Frigate().incident->id;
  // The "resolved" delivery was lost; hours later the same alert fires again (new startsAt).
  Notification again = Firing();
  again.alerts[0].starts_at = kT0 + std::chrono::hours(3);
  auto ds = h.Deliver(again, kT0 + std::chrono::hours(3) + seconds(30));
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].outcome, DecisionOutcome::kWaiting) << "must not restart on one observation";
  EXPECT_EQ(h.Frigate().consecutive_failures, 1);
  EXPECT_NE(h.Frigate().incident->id, first_incident) << "a new incident";
  EXPECT_THAT(h.last_observation.recovered, ElementsAre(kFrigate));
}

TEST(Engine, RepeatsOfTheSameEpisodeKeepCounting) {
  Harness h;
  h.Deliver(Firing(), kT0);
  h.Deliver(Firing(), kT0 + seconds(60));
  EXPECT_EQ(h.Frigate().consecutive_failures, 2);
}

TEST(Engine, ResolvingOneOfTwoRemediableAlertsKeepsTheCount) {
  Harness h;
  Alert second = MakeAlert("FrigateApiDown", "api_unresponsive", AlertStatus::kFiring, true);
  h.Deliver(Notify({MakeAlert("FrigateDetectorStuck", "detector_stuck", AlertStatus::kFiring, true),
                    second}),
            kT0);
  h.Deliver(Resolved(), kT0 + seconds(10));
  EXPECT_EQ(h.Frigate().consecutive_failures, 1);
  EXPECT_TRUE(h.Frigate().incident->open);
  EXPECT_EQ(h.Frigate().firing.size(), 1u);
}

TEST(Engine, CircuitOpensAtTheLimitAndRestartsResumeAfterTheHour) {
  Harness h;
  WallTime now = kT0;
  auto restart_once = [&]() -> bool {
    for (int i = 0; i < 2; ++i) {
      now += seconds(60);
      for (const Decision& d : h.Deliver(Firing(), now)) {
        if (d.restart()) {
          h.engine.CompleteRestart(h.state, kFrigate, d.intent->id, RestartResult{true, ""},
                                   now + seconds(5));
          return true;
        }
      }
    }
    return false;
  };
  EXPECT_TRUE(restart_once());
  EXPECT_TRUE(restart_once());
  EXPECT_TRUE(h.engine.CircuitOpen(h.state, kFrigate, now));
  // The third restart within the hour: once the count is reached again, the breaker blocks,
  // and says so in one mail.
  now += seconds(60);
  auto ds = h.Deliver(Firing(), now);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].outcome, DecisionOutcome::kWaiting) << "the count restarted after a restart";
  now += seconds(60);
  ds = h.Deliver(Firing(), now);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].outcome, DecisionOutcome::kBlocked);
  EXPECT_EQ(ds[0].gate, "circuit_breaker");
  ASSERT_EQ(ds[0].mails.size(), 1u);
  EXPECT_EQ(ds[0].mails[0].kind, MailKind::kBlocked);
  EXPECT_EQ(ds[0].mails[0].gate, "circuit_breaker");
  EXPECT_EQ(h.facts_gathered, 2) << "an open circuit needs no API calls";
  now += seconds(60);
  ds = h.Deliver(Firing(), now);
  EXPECT_EQ(ds[0].outcome, DecisionOutcome::kBlocked);
  EXPECT_TRUE(ds[0].mails.empty()) << "one mail per incident and outcome";
  // An hour after the first restart the breaker lets one through again.
  now = h.Frigate().restart_times.front() + std::chrono::hours(1) + seconds(1);
  EXPECT_FALSE(h.engine.CircuitOpen(h.state, kFrigate, now));
  ds = h.Deliver(Firing(), now);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_TRUE(ds[0].restart()) << ds[0].detail;
  EXPECT_TRUE(h.engine.CircuitOpen(h.state, kFrigate, now)) << "the pending intent counts";
}

TEST(Engine, NodeNotReadyBlocksAndTheMailSaysSo) {
  Harness h;
  h.facts.node_ready = "False";
  h.facts.node_ready_reason = "KubeletNotReady";
  h.Deliver(Firing(), kT0);
  auto ds = h.Deliver(Firing(), kT0 + seconds(30));
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].outcome, DecisionOutcome::kBlocked);
  EXPECT_EQ(ds[0].gate, "node_ready");
  EXPECT_FALSE(h.Frigate().pending.has_value());
  ASSERT_EQ(ds[0].mails.size(), 1u);
  EXPECT_EQ(ds[0].mails[0].gate, "node_ready");
  EXPECT_THAT(ds[0].mails[0].detail, HasSubstr("Ready=False (KubeletNotReady)"));
  EXPECT_EQ(ds[0].mails[0].key, h.Frigate().incident->id + ":blocked:node_ready");
  EXPECT_EQ(h.Frigate().decisions.back().gate, "node_ready");
}

TEST(Engine, StartupGraceBlocks) {
  Harness h;
  h.facts.frigate_started_at = kT0 - seconds(100);
  h.Deliver(Firing(), kT0);
  auto ds = h.Deliver(Firing(), kT0 + seconds(30));
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].outcome, DecisionOutcome::kBlocked);
  EXPECT_EQ(ds[0].gate, "startup_grace");
  EXPECT_THAT(ds[0].detail, HasSubstr("470 s left"));
}

TEST(Engine, TargetOutsideAllowlistIgnored) {
  Harness h;
  const Target other{"lab", "frigate-test"};
  auto ds = h.Deliver(Notify({MakeAlert("FrigateDetectorStuck", "detector_stuck",
                                        AlertStatus::kFiring, true, other)}),
                      kT0);
  EXPECT_TRUE(ds.empty());
  EXPECT_THAT(h.last_observation.ignored, ElementsAre(other));
  EXPECT_EQ(h.last_observation.ignored_alerts, 1);
  EXPECT_EQ(h.state.ignored_alerts.at("lab/frigate-test"), 1);
  EXPECT_EQ(h.state.Find(other), nullptr) << "no state kept for a target never acted on";
}

TEST(Engine, IgnoredTargetsAreTalliedWithinABound) {
  Harness h;
  for (int i = 0; i < 80; ++i) {
    h.Deliver(Notify({MakeAlert("X", "x", AlertStatus::kFiring, true,
                                Target{"ns" + std::to_string(i), "frigate"})}),
              kT0);
  }
  EXPECT_LE(h.state.ignored_alerts.size(), 51u);
  EXPECT_EQ(h.state.ignored_alerts.at("(other)"), 30) << "50 named, the other 30 lumped";
}

TEST(Engine, AllowlistWithSeveralTargetsKeepsThemApart) {
  const Target other{"lab", "frigate"};
  DecisionSettings s = Settings();
  s.allowed_targets = {kFrigate, other};
  Engine engine(s);
  State state;
  engine.Observe(state, Firing(), kT0);
  auto r = engine.Observe(state,
                          Notify({MakeAlert("FrigateDetectorStuck", "detector_stuck",
                                            AlertStatus::kFiring, true, other)}),
                          kT0 + seconds(1));
  EXPECT_THAT(r.counted, ElementsAre(other));
  EXPECT_EQ(state.For(kFrigate).consecutive_failures, 1);
  EXPECT_EQ(state.For(other).consecutive_failures, 1);
}

TEST(Engine, AlertsWithoutTargetLabelsBelongToTheDefaultTarget) {
  Harness h;
  Alert a = MakeAlert("FrigateDown", "api_unresponsive", AlertStatus::kFiring, true);
  a.labels.erase("namespace");
  a.labels.erase("deployment");
  h.Deliver(Notify({a}), kT0);
  EXPECT_EQ(h.Frigate().consecutive_failures, 1);
}

TEST(Engine, TheExportersTargetLabelsWinOverTheScrapesNamespace) {
  // Chart in "monitoring", Frigate in "nvr": the scrape's namespace names the exporter's
  // namespace, frigate_namespace/frigate_deployment (TARGET_LABELS) name Frigate.
  Harness h;
  Alert a = MakeAlert("FrigateDetectorStuck", "detector_stuck", AlertStatus::kFiring, true);
  a.labels["namespace"] = "monitoring";
  a.labels["deployment"] = "ignored";
  a.labels["frigate_namespace"] = kFrigate.namespace_;
  a.labels["frigate_deployment"] = kFrigate.deployment;
  h.Deliver(Notify({a}), kT0);
  EXPECT_EQ(h.Frigate().consecutive_failures, 1);
}

TEST(Engine, EachTargetPartFallsBackToTheOlderLabelOnItsOwn) {
  Harness h;
  Alert a = MakeAlert("FrigateDetectorStuck", "detector_stuck", AlertStatus::kFiring, true);
  a.labels["namespace"] = "monitoring";
  a.labels["frigate_namespace"] = kFrigate.namespace_;
  h.Deliver(Notify({a}), kT0);
  EXPECT_EQ(h.Frigate().consecutive_failures, 1);
}

TEST(Engine, DecisionLabelSetsNameEveryOutcomeAndGate) {
  const Engine engine{DecisionSettings{}};
  const auto sets = engine.DecisionLabelSets();
  using P = std::pair<std::string, std::string>;
  EXPECT_THAT(sets, ::testing::IsSupersetOf(
                        {P{"none", ""}, P{"restart", ""}, P{"waiting", "consecutive_failures"},
                         P{"blocked", "startup_grace"}, P{"blocked", "circuit_breaker"},
                         P{"blocked", "node_ready"}, P{"blocked", "rollout_sanity"}}));
  EXPECT_EQ(sets.size(), 2 + DefaultGates().size());
}

TEST(Engine, NotifyOnlyAlertNeverRestartsButIsKeptAsDiagnostics) {
  Harness h;
  const Notification n =
      Notify({MakeAlert("FrigateEdgeTpuMissing", "edgetpu_missing", AlertStatus::kFiring, false)});
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(h.Deliver(n, kT0 + seconds(60 * i)).empty());
  }
  EXPECT_EQ(h.Frigate().consecutive_failures, 0);
  EXPECT_FALSE(h.Frigate().incident.has_value());
  ASSERT_EQ(h.Frigate().diagnostics.size(), 1u);
  EXPECT_EQ(h.Frigate().diagnostics[0].alertname, "FrigateEdgeTpuMissing");
  h.Deliver(Notify({MakeAlert("FrigateEdgeTpuMissing", "edgetpu_missing", AlertStatus::kResolved,
                              false)}),
            kT0 + minutes(20));
  EXPECT_TRUE(h.Frigate().diagnostics.empty());
}

TEST(Engine, RecoveredMailFollowsAMailedIncidentOnce) {
  Harness h;
  h.facts.node_ready = "Unknown";
  h.Deliver(Firing(), kT0);
  h.Deliver(Firing(), kT0 + seconds(30));  // blocked -> mailed
  h.Deliver(Resolved(), kT0 + seconds(60));
  ASSERT_EQ(h.last_observation.mails.size(), 1u);
  EXPECT_EQ(h.last_observation.mails[0].kind, MailKind::kRecovered);
  h.Deliver(Resolved(), kT0 + seconds(61));
  EXPECT_TRUE(h.last_observation.mails.empty());
}

TEST(Engine, IncidentThatClosedDuringTheRestartIsMailedRestartedThenRecovered) {
  Harness h;
  h.Deliver(Firing(), kT0);
  auto ds = h.Deliver(Firing(), kT0 + seconds(30));
  ASSERT_TRUE(ds[0].restart());
  // Frigate's downtime ends the alerts before the action has seen it come back.
  h.Deliver(Resolved(), kT0 + seconds(40));
  EXPECT_TRUE(h.last_observation.mails.empty()) << "nobody was mailed yet";
  ASSERT_TRUE(h.Frigate().incident.has_value());
  EXPECT_FALSE(h.Frigate().incident->open);
  auto done = h.engine.CompleteRestart(h.state, kFrigate, ds[0].intent->id,
                                       RestartResult{true, "back"}, kT0 + seconds(45));
  ASSERT_EQ(done.mails.size(), 2u);
  EXPECT_EQ(done.mails[0].kind, MailKind::kRestarted);
  EXPECT_EQ(done.mails[1].kind, MailKind::kRecovered);
  h.Deliver(Resolved(), kT0 + seconds(50));
  EXPECT_TRUE(h.last_observation.mails.empty()) << "recovered is mailed once";
}

TEST(Engine, FailedRestartCountsTowardTheBreakerAndIsMailed) {
  Harness h;
  h.Deliver(Firing(), kT0);
  auto ds = h.Deliver(Firing(), kT0 + seconds(30));
  ASSERT_TRUE(ds[0].restart());
  auto done =
      h.engine.CompleteRestart(h.state, kFrigate, ds[0].intent->id,
                               RestartResult{false, "PATCH: 403 Forbidden"}, kT0 + seconds(31));
  ASSERT_EQ(done.mails.size(), 1u);
  EXPECT_EQ(done.mails[0].kind, MailKind::kRestartFailed);
  EXPECT_EQ(h.Frigate().restart_times.size(), 1u);
  EXPECT_EQ(h.Frigate().decisions.back().outcome, "restart_failed");
}

TEST(Engine, CompletingAnUnknownIntentChangesNothing) {
  Harness h;
  h.Deliver(Firing(), kT0);
  const State before = h.state;
  auto done = h.engine.CompleteRestart(h.state, kFrigate, "nope", RestartResult{true, ""}, kT0);
  EXPECT_FALSE(done.matched);
  EXPECT_EQ(h.state, before);
}

// A crash between storing the intent and finishing the action: the state on disk has the intent.
State CrashedDuringRestart(Harness& h) {
  h.Deliver(Firing(), kT0);
  h.Deliver(Firing(), kT0 + seconds(30));
  auto stored = DecodeState(EncodeState(h.state));
  EXPECT_TRUE(stored.ok());
  return *stored;
}

TEST(Engine, RecoveryRecordsARestartThatHappenedOnceAndNeverRestartsTwice) {
  Harness h;
  State state = CrashedDuringRestart(h);
  auto r = h.engine.Recover(state, kFrigate, RestartEvidence::kHappened, kT0 + seconds(120));
  EXPECT_TRUE(r.matched);
  ASSERT_EQ(r.mails.size(), 1u);
  EXPECT_EQ(r.mails[0].kind, MailKind::kRestarted);
  EXPECT_EQ(state.For(kFrigate).restart_times.size(), 1u);
  EXPECT_FALSE(state.For(kFrigate).pending.has_value());
  // Recovering again (a second crash before the state was stored) is harmless.
  auto again = h.engine.Recover(state, kFrigate, RestartEvidence::kHappened, kT0 + seconds(121));
  EXPECT_FALSE(again.matched);
  EXPECT_EQ(state.For(kFrigate).restart_times.size(), 1u);
  // The alert keeps firing right after: grace protects the fresh Frigate, no second restart.
  h.state = state;
  h.facts.frigate_started_at = kT0 + seconds(35);
  for (int i = 1; i <= 3; ++i) {
    for (const Decision& d : h.Deliver(Firing(), kT0 + seconds(120 + 30 * i))) {
      EXPECT_FALSE(d.restart());
    }
  }
}

TEST(Engine, RecoveryWithUnknownEvidenceAssumesTheRestartHappened) {
  Harness h;
  State state = CrashedDuringRestart(h);
  auto r = h.engine.Recover(state, kFrigate, RestartEvidence::kUnknown, kT0 + seconds(120));
  ASSERT_EQ(r.mails.size(), 1u);
  EXPECT_THAT(r.mails[0].detail, HasSubstr("could not confirm"));
  EXPECT_EQ(state.For(kFrigate).restart_times.size(), 1u) << "no lost restart time";
}

TEST(Engine, RecoveryOfARestartThatDidNotHappenLetsTheNextObservationDecide) {
  Harness h;
  h.state = CrashedDuringRestart(h);
  auto r = h.engine.Recover(h.state, kFrigate, RestartEvidence::kDidNotHappen, kT0 + seconds(40));
  EXPECT_TRUE(r.matched);
  EXPECT_TRUE(r.mails.empty());
  EXPECT_TRUE(h.Frigate().restart_times.empty());
  EXPECT_EQ(h.Frigate().decisions.back().outcome, "restart_not_performed");
  auto ds = h.Deliver(Firing(), kT0 + seconds(60));
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_TRUE(ds[0].restart());
}

TEST(Engine, TheRealAlertmanagerBodyIsAnObservationOnlyWithRemediateRestart) {
  const std::string body =
      R"({"receiver":"hook","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"CamDownFor2s","camera":"front","deployment":"frigate","instance":"127.0.0.1:19100","job":"hello","namespace":"nvr","severity":"critical"},"annotations":{"summary":"camera front fps 0"},"startsAt":"2026-11-28T06:40:44.425Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://vm:19090/graph?g0.expr=frigate_camera_fps+%3C+1&g0.tab=1","fingerprint":"864f93fb887d6ba5"}],"groupLabels":{"alertname":"CamDownFor2s"},"commonLabels":{"alertname":"CamDownFor2s"},"commonAnnotations":{"summary":"camera front fps 0"},"externalURL":"http://vm:19093","version":"4","groupKey":"{}:{alertname=\"CamDownFor2s\"}","truncatedAlerts":0})";
  auto n = ParseWebhook(body);
  ASSERT_TRUE(n.ok()) << n.error();
  Harness h;
  h.Deliver(*n, kT0);
  EXPECT_EQ(h.Frigate().consecutive_failures, 0) << "no remediate label: diagnostics only";
  EXPECT_EQ(h.Frigate().diagnostics.size(), 1u);
  EXPECT_EQ(h.Frigate().alertmanager_url, "http://vm:19093");
  n->alerts[0].labels["remediate"] = "restart";
  h.Deliver(*n, kT0 + seconds(60));
  EXPECT_EQ(h.Frigate().consecutive_failures, 1);
  EXPECT_TRUE(h.Frigate().diagnostics.empty()) << "moved to the remediable list";
  EXPECT_THAT(h.Frigate().incident->reasons, ElementsAre("CamDownFor2s"))
      << "no reason label: the alert name stands for the reason";
}

TEST(Engine, ActionWithoutKubernetesMarksKubernetesGatesNotApplicable) {
  Harness h;
  h.facts = TargetFacts{};
  h.facts.kubernetes = false;
  h.facts.frigate_started_at_error = "Frigate API unreachable";
  h.Deliver(Firing(), kT0);
  auto ds = h.Deliver(Firing(), kT0 + seconds(30));
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_TRUE(ds[0].restart()) << "api_unresponsive must not be blocked by an unknown start";
  EXPECT_EQ(ds[0].verdicts[2].outcome, GateOutcome::kNotApplicable);  // crash_loop
  EXPECT_EQ(ds[0].verdicts[5].outcome, GateOutcome::kNotApplicable);  // node_ready
  EXPECT_EQ(ds[0].verdicts[6].outcome, GateOutcome::kNotApplicable);  // rollout_sanity
}

TEST(Engine, LongAnnotationsAreCutToKeepTheStateSmall) {
  Harness h;
  Notification n = Firing();
  n.alerts[0].annotations["description"] = std::string(1020, 'x') + "\u00e9\u00e9\u00e9\u00e9";
  h.Deliver(n, kT0);
  const std::string& kept = h.Frigate().firing[0].annotations.at("description");
  EXPECT_LE(kept.size(), 1024u + 3u);
  EXPECT_EQ(kept.substr(0, 1024), std::string(1020, 'x') + "\u00e9\u00e9");
  EXPECT_TRUE(kept.ends_with("\u2026"));
}

TEST(Engine, DecisionHistoryStaysBounded) {
  Harness h;
  h.facts.node_ready = "False";
  for (int i = 0; i < 200; ++i) h.Deliver(Firing(), kT0 + seconds(30 * i));
  EXPECT_EQ(h.Frigate().decisions.size(), kMaxDecisions);
}

TEST(Engine, AnUnreadableStateKeptForAPersonHoldsTheBreakerUntilTheNoteIsGone) {
  Harness h;
  h.state.unreadable_hold = "state unreadable; kept in configmap nvr/x-unreadable-1";
  h.Deliver(Firing(), kT0);
  auto ds = h.Deliver(Firing(), kT0 + seconds(30));
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].outcome, DecisionOutcome::kBlocked);
  EXPECT_EQ(ds[0].gate, "circuit_breaker");
  EXPECT_THAT(ds[0].detail, HasSubstr("kept in configmap nvr/x-unreadable-1"));
  EXPECT_TRUE(h.engine.CircuitOpen(h.state, kFrigate, kT0 + seconds(30)));
  EXPECT_TRUE(h.engine.CircuitOpen(h.state, Target{"other", "frigate"}, kT0))
      << "every target: the lost history may have been anyone's";
  ASSERT_EQ(ds[0].mails.size(), 1u) << "a person is told once";
  // The person removed the note: restarts go on as usual.
  h.state.unreadable_hold.clear();
  EXPECT_FALSE(h.engine.CircuitOpen(h.state, kFrigate, kT0 + seconds(60)));
  ds = h.Deliver(Firing(), kT0 + seconds(60));
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].outcome, DecisionOutcome::kRestart);
}

// Restarts and completes one restart at `at`; returns the completion's mails.
std::vector<MailRequest> RestartAt(Harness& h, WallTime at) {
  auto ds = h.Deliver(Firing(), at);
  EXPECT_EQ(ds.size(), 1u);
  if (ds.empty() || ds[0].outcome != DecisionOutcome::kRestart) {
    ADD_FAILURE() << "no restart at +" << ToUnixSeconds(at) - ToUnixSeconds(kT0)
                  << " s: " << (ds.empty() ? "no decision" : ds[0].gate + ": " + ds[0].detail);
    return {};
  }
  return h.engine
      .CompleteRestart(h.state, kFrigate, ds[0].intent->id, RestartResult{true, "ok"},
                       at + seconds(20))
      .mails;
}

TEST(Engine, RestartsThatDoNotClearAnIncidentEscalateAndStopForThatIncident) {
  Harness h;  // 2 observations, 2 restarts an hour, escalation after 3, reopen within 900 s
  ASSERT_EQ(h.engine.settings().escalate_after_restarts, 3);
  h.Deliver(Firing(), kT0);
  auto mails = RestartAt(h, kT0 + seconds(30));
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].key, h.Frigate().incident->id + ":restarted");
  const std::string incident = h.Frigate().incident->id;
  // The restart interrupts the alert (it resolves), and 3 minutes later it fires again: the
  // rollout finishing was not recovery, the incident goes on.
  h.Deliver(Resolved(), kT0 + seconds(90));
  EXPECT_FALSE(h.Frigate().incident->open);
  h.Deliver(Firing(), kT0 + seconds(270));
  EXPECT_TRUE(h.Frigate().incident->open);
  EXPECT_EQ(h.Frigate().incident->id, incident);
  mails = RestartAt(h, kT0 + seconds(300));
  ASSERT_FALSE(mails.empty());
  EXPECT_EQ(mails[0].key, incident + ":restarted:2") << "every restart is mailed";
  // Still firing: the hourly limit blocks, then, after the hour, a third restart.
  h.Deliver(Firing(), kT0 + seconds(330));
  auto ds = h.Deliver(Firing(), kT0 + seconds(360));
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].gate, "circuit_breaker");
  EXPECT_THAT(ds[0].detail, ::testing::Not(HasSubstr("escalated")));
  mails = RestartAt(h, kT0 + seconds(3700));  // the count is past the threshold already
  ASSERT_FALSE(mails.empty());
  EXPECT_EQ(mails[0].key, incident + ":restarted:3");
  EXPECT_EQ(h.Frigate().incident->restarts, 3);
  // Three restarts and the alert still fires: escalate, once, and stop.
  h.Deliver(Firing(), kT0 + seconds(3790));
  ds = h.Deliver(Firing(), kT0 + seconds(3820));
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].outcome, DecisionOutcome::kBlocked);
  EXPECT_EQ(ds[0].gate, "circuit_breaker");
  EXPECT_THAT(ds[0].detail, HasSubstr("escalated: 3 restart(s) in this incident"));
  ASSERT_EQ(ds[0].mails.size(), 1u);
  EXPECT_EQ(ds[0].mails[0].kind, MailKind::kEscalated);
  EXPECT_TRUE(h.engine.CircuitOpen(h.state, kFrigate, kT0 + seconds(3820)));
  // Hours later, still the same incident, still firing: no restart, no second mail.
  for (int i = 0; i < 10; ++i) {
    ds = h.Deliver(Firing(), kT0 + seconds(3820 + 3600 + 30 * i));
    for (const auto& d : ds) {
      EXPECT_EQ(d.outcome, DecisionOutcome::kBlocked);
      EXPECT_TRUE(d.mails.empty());
    }
  }
  // The fault goes away for good (resolved longer than the reopen window): the next firing is a
  // new incident and may be restarted again.
  h.Deliver(Resolved(), kT0 + seconds(8000));
  EXPECT_FALSE(h.engine.CircuitOpen(h.state, kFrigate, kT0 + seconds(8000)));
  h.Deliver(Firing(), kT0 + seconds(9000));
  EXPECT_NE(h.Frigate().incident->id, incident);
  EXPECT_EQ(h.Frigate().incident->restarts, 0);
  RestartAt(h, kT0 + seconds(9030));
}

TEST(Engine, AFaultThatReturnsAfterTheReopenWindowIsANewIncident) {
  Harness h;
  h.Deliver(Firing(), kT0);
  RestartAt(h, kT0 + seconds(30));
  const std::string first = h.Frigate().incident->id;
  h.Deliver(Resolved(), kT0 + seconds(90));
  h.Deliver(Firing(), kT0 + seconds(90 + 901));
  EXPECT_NE(h.Frigate().incident->id, first);
}

TEST(Engine, EscalationAfterZeroRestartsIsOff) {
  DecisionSettings s = Settings();
  s.escalate_after_restarts = 0;
  s.gates.max_restarts_per_hour = 100;
  Harness h;
  h.engine = Engine(s);
  for (int i = 1; i <= 6; ++i) {
    h.Deliver(Firing(), kT0 + seconds(100 * i));
    RestartAt(h, kT0 + seconds(100 * i + 30));
  }
  EXPECT_EQ(h.Frigate().incident->restarts, 6);
}

}  // namespace
}  // namespace fhc::remediator

namespace fhc::remediator {
namespace {

// Issue 9 item 3: FrigateEdgeTpuMissing (remediate="manual") firing beside FrigateDetectorHung
// blocks the restart with its own gate, before any fact is gathered; once it resolves the
// restart goes ahead by itself.
TEST(Engine, AManualAlertOfTheTargetBlocksRestartsUntilItResolves) {
  Harness h;
  Alert manual = MakeAlert("FrigateEdgeTpuMissing", "edgetpu_missing", AlertStatus::kFiring, false);
  manual.labels["remediate"] = "manual";
  const Alert hung = MakeAlert("FrigateDetectorHung", "detector_hung", AlertStatus::kFiring, true);
  h.Deliver(Notify({hung, manual}), kT0);
  auto ds = h.Deliver(Notify({hung, manual}), kT0 + seconds(30));
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].outcome, DecisionOutcome::kBlocked);
  EXPECT_EQ(ds[0].gate, "manual_action_required");
  EXPECT_THAT(ds[0].detail, HasSubstr("FrigateEdgeTpuMissing (edgetpu_missing)"));
  EXPECT_EQ(h.facts_gathered, 0);
  ASSERT_EQ(ds[0].mails.size(), 1u);
  EXPECT_EQ(ds[0].mails[0].kind, MailKind::kBlocked);
  EXPECT_EQ(ds[0].mails[0].gate, "manual_action_required");
  // Resolved: the next observation restarts; a manual alert of another target does not count.
  manual.status = AlertStatus::kResolved;
  Alert elsewhere = MakeAlert("FrigateEdgeTpuMissing", "edgetpu_missing", AlertStatus::kFiring,
                              false, Target{"nvr", "garage"});
  elsewhere.labels["remediate"] = "manual";
  ds = h.Deliver(Notify({hung, manual, elsewhere}), kT0 + seconds(60));
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_TRUE(ds[0].restart()) << ds[0].gate << ": " << ds[0].detail;
}

}  // namespace
}  // namespace fhc::remediator
