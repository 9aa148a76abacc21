#include "remediator/mail/composer.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "remediator/mail/next_steps.h"

namespace fhc::remediator {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

const Target kFrigate{"nvr", "frigate"};
const WallTime kT0 = FromUnixSeconds(1'795'848'000.0);

Alert MakeAlert(const std::string& name, const std::string& reason, AlertStatus status,
                bool remediable) {
  Alert a;
  a.status = status;
  a.labels = {{"alertname", name}, {"namespace", "nvr"}, {"deployment", "frigate"}};
  if (!reason.empty()) a.labels["reason"] = reason;
  if (remediable) a.labels["remediate"] = "restart";
  a.annotations = {{"summary", name + " summary"}, {"value", "12.5"}};
  a.starts_at = kT0 - seconds(300);
  a.fingerprint = name;
  a.generator_url = "http://prom:9090/graph?g0.expr=" + name;
  return a;
}

Notification Notify(std::vector<Alert> alerts) {
  Notification n;
  n.version = "4";
  n.external_url = "http://am:9093";
  n.alerts = std::move(alerts);
  return n;
}

TargetFacts Facts() {
  TargetFacts f;
  f.kubernetes = true;
  f.frigate_started_at = kT0 - std::chrono::hours(3);
  f.pod_name = "frigate-7d9-abc";
  f.container_name = "frigate";
  f.container_state = "running";
  f.container_ready = true;
  f.pod_ready = true;
  f.pod_selector = "app.kubernetes.io/instance=frigate,app.kubernetes.io/name=frigate";
  f.frigate_started_at_source = "container frigate";
  f.rollout_message = "deployment \"frigate\" successfully rolled out";
  f.node_name = "n1";
  f.node_ready = "True";
  f.deployment_paused = false;
  f.rollout_in_progress = false;
  return f;
}

EmailSettings Mail() {
  EmailSettings s;
  s.to = "ops@example.org";
  s.from = "remediator@example.org";
  s.grafana_url = "http://grafana/d/frigate";
  s.frigate_public_url = "https://frigate.example.org";
  return s;
}

struct World {
  Engine engine{[] {
    DecisionSettings s;
    s.default_target = kFrigate;
    return s;
  }()};
  State state;
  TargetFacts facts = Facts();
  std::vector<MailRequest> mails;

  void Deliver(const Notification& n, WallTime now) {
    auto r = engine.Observe(state, n, now);
    mails.insert(mails.end(), r.mails.begin(), r.mails.end());
    for (const Target& t : r.need_decision) {
      auto d = engine.Decide(state, t, &facts, now);
      mails.insert(mails.end(), d.mails.begin(), d.mails.end());
      if (d.restart()) {
        auto c = engine.CompleteRestart(state, t, d.intent->id,
                                        RestartResult{true,
                                                      "rollout "
                                                      "complete"},
                                        now + seconds(20));
        mails.insert(mails.end(), c.mails.begin(), c.mails.end());
      }
    }
  }
  Email Compose(std::size_t i, WallTime now) {
    return ComposeEmail(mails.at(i), state.For(kFrigate), &facts, Mail(), now);
  }
};

Notification Stuck(AlertStatus s = AlertStatus::kFiring) {
  return Notify({MakeAlert("FrigateDetectorStuck", "detector_stuck", s, true),
                 MakeAlert("FrigateInferenceSlow", "inference_slow", AlertStatus::kFiring, false)});
}

TEST(Composer, RestartedMailHasEverySection) {
  World w;
  w.Deliver(Stuck(), kT0);
  w.Deliver(Stuck(), kT0 + seconds(30));
  ASSERT_EQ(w.mails.size(), 1u);
  const Email e = w.Compose(0, kT0 + seconds(60));
  EXPECT_EQ(e.to, "ops@example.org");
  EXPECT_EQ(e.from, "remediator@example.org");
  EXPECT_EQ(e.subject, "[frigate-remediator] nvr/frigate restarted (detector_stuck)");
  EXPECT_EQ(e.headers.at("X-Frigate-Remediator-Outcome"), "restarted");
  EXPECT_EQ(e.headers.at("Auto-Submitted"), "auto-generated");
  const std::string& b = e.body;
  // What happened
  EXPECT_THAT(b, HasSubstr("What happened\n  Frigate (nvr/frigate) was restarted because of: "
                           "detector_stuck."));
  EXPECT_THAT(b, HasSubstr("rollout complete"));
  EXPECT_THAT(b, HasSubstr("Incident nvr/frigate@2026-11-28T06:40:00.000Z"));
  // Why: the alert with its annotations and value, and the diagnostics
  EXPECT_THAT(b, HasSubstr("  - FrigateDetectorStuck (reason: detector_stuck), firing since "
                           "2026-11-28T06:35:00.000Z (6 min ago)"));
  EXPECT_THAT(b, HasSubstr("      summary: FrigateDetectorStuck summary\n"));
  EXPECT_THAT(b, HasSubstr("      value: 12.5\n"));
  EXPECT_THAT(b, HasSubstr("not acted on):\n  - FrigateInferenceSlow"));
  // Every gate's verdict
  for (const char* gate : {"consecutive_failures", "manual_action_required", "crash_loop",
                           "startup_grace", "circuit_breaker", "node_ready", "rollout_sanity"}) {
    EXPECT_THAT(b, HasSubstr(std::string("[pass] ") + gate + ": ")) << gate;
  }
  // Restarts in the last hour, pod and node
  EXPECT_THAT(b, HasSubstr("Restarts in the last hour: 1 (limit 2)\n  - 2026-11-28T06:40:30.000Z"));
  EXPECT_THAT(b, HasSubstr("  pod: frigate-7d9-abc (Ready=True), selected by "
                           "app.kubernetes.io/instance=frigate,app.kubernetes.io/name=frigate\n"
                           "  container: frigate, running, ready, 0 restart(s)\n"
                           "  node: n1 (Ready=True)\n"));
  // Next steps for the reason, with the target filled in
  EXPECT_THAT(b, HasSubstr("Next steps\n  detector_stuck: "));
  EXPECT_THAT(b, HasSubstr("kubectl -n nvr logs deploy/frigate"));
  EXPECT_THAT(b, HasSubstr("on node n1"));
  EXPECT_THAT(b, Not(HasSubstr("{namespace}")));
  // Links
  EXPECT_THAT(b, HasSubstr("Alertmanager: http://am:9093\n"));
  EXPECT_THAT(b, HasSubstr("Prometheus (FrigateDetectorStuck): "
                           "http://prom:9090/graph?g0.expr=FrigateDetectorStuck\n"));
  EXPECT_THAT(b, HasSubstr("Grafana: http://grafana/d/frigate\n"));
  EXPECT_THAT(b, HasSubstr("Frigate: https://frigate.example.org\n"));
  // Sections in order
  std::size_t at = 0;
  for (const char* section :
       {"What happened\n", "\nWhy\n", "\nGate verdicts\n", "\nRestarts in the last hour",
        "\nPod, container and node", "\nNext steps\n", "\nLinks\n"}) {
    const std::size_t found = b.find(section, at);
    ASSERT_NE(found, std::string::npos) << section;
    at = found;
  }
}

TEST(Composer, BlockedMailNamesTheGateAndItsReason) {
  World w;
  w.facts.node_ready = "False";
  w.facts.node_ready_reason = "KubeletNotReady";
  w.Deliver(Stuck(), kT0);
  w.Deliver(Stuck(), kT0 + seconds(30));
  ASSERT_EQ(w.mails.size(), 1u);
  const Email e = w.Compose(0, kT0 + seconds(31));
  EXPECT_EQ(e.subject,
            "[frigate-remediator] nvr/frigate unhealthy, restart blocked by node_ready "
            "(detector_stuck)");
  EXPECT_THAT(e.body, HasSubstr("was NOT restarted: the node_ready gate blocks the restart."));
  EXPECT_THAT(e.body, HasSubstr("[block] node_ready: node n1 is Ready=False (KubeletNotReady)"));
  EXPECT_THAT(e.body, HasSubstr("[pass] consecutive_failures"));
  EXPECT_THAT(e.body, HasSubstr("Restarts in the last hour: 0 (limit 2)"));
  EXPECT_THAT(e.body, HasSubstr("node: n1 (Ready=False)"));
}

TEST(Composer, RecoveredMailStillExplainsWhatWasWrong) {
  World w;
  w.facts.node_ready = "Unknown";
  w.Deliver(Stuck(), kT0);
  w.Deliver(Stuck(), kT0 + seconds(30));
  w.Deliver(
      Notify({MakeAlert("FrigateDetectorStuck", "detector_stuck", AlertStatus::kResolved, true)}),
      kT0 + seconds(300));
  ASSERT_EQ(w.mails.size(), 2u);
  const Email e = w.Compose(1, kT0 + seconds(300));
  EXPECT_EQ(e.subject, "[frigate-remediator] nvr/frigate recovered (detector_stuck)");
  EXPECT_THAT(e.body, HasSubstr("has recovered"));
  EXPECT_THAT(e.body, HasSubstr("closed 2026-11-28T06:45:00.000Z"));
  EXPECT_THAT(e.body, HasSubstr("  - FrigateDetectorStuck (reason: detector_stuck)"));
  EXPECT_THAT(e.body, HasSubstr("[block] node_ready")) << "the last decision of the incident";
}

TEST(Composer, EveryReasonGetsItsNextStepsInTheMail) {
  for (const ReasonGuide& g : AllGuides()) {
    World w;
    w.facts.node_ready = "False";
    const Notification n = Notify({MakeAlert("A", g.reason, AlertStatus::kFiring, true)});
    w.Deliver(n, kT0);
    w.Deliver(n, kT0 + seconds(30));
    ASSERT_EQ(w.mails.size(), 1u) << g.reason;
    const Email e = w.Compose(0, kT0 + seconds(30));
    EXPECT_THAT(e.body, HasSubstr(std::string("  ") + g.reason + ": " + g.title)) << g.reason;
    EXPECT_THAT(e.body, HasSubstr(g.restart_note)) << g.reason;
    EXPECT_THAT(e.body, HasSubstr("    " + std::to_string(g.steps.size()) + ". ")) << g.reason;
  }
}

TEST(Composer, MissingCoralMailTellsAPersonToAct) {
  World w;
  w.facts.node_ready = "False";
  const Notification n =
      Notify({MakeAlert("FrigateEdgeTpuMissing", "edgetpu_missing", AlertStatus::kFiring, true)});
  w.Deliver(n, kT0);
  w.Deliver(n, kT0 + seconds(30));
  const Email e = w.Compose(0, kT0 + seconds(30));
  EXPECT_THAT(e.body, HasSubstr("A person must act: a restart cannot fix a missing Coral."));
}

TEST(Composer, UnknownReasonFallsBackToGeneralSteps) {
  World w;
  w.facts.node_ready = "False";
  const Notification n = Notify({MakeAlert("CamDownFor2s", "", AlertStatus::kFiring, true)});
  w.Deliver(n, kT0);
  w.Deliver(n, kT0 + seconds(30));
  const Email e = w.Compose(0, kT0 + seconds(30));
  EXPECT_THAT(e.body, HasSubstr("  general: "));
  EXPECT_THAT(e.subject, HasSubstr("(CamDownFor2s)"));
}

// Issue 9 item 14: no "unknown" pod or node and no <placeholders>, even without facts.
TEST(Composer, WithoutFactsTheStepsFindThePodThemselves) {
  World w;
  w.facts.node_ready = "False";
  w.Deliver(Stuck(), kT0);
  w.Deliver(Stuck(), kT0 + seconds(30));
  EmailSettings s = Mail();
  s.frigate_public_url.clear();
  s.grafana_url.clear();
  const Email e = ComposeEmail(w.mails[0], w.state.For(kFrigate), nullptr, s, kT0 + seconds(30));
  EXPECT_THAT(e.body, Not(HasSubstr("unknown")));
  EXPECT_THAT(e.body, Not(HasSubstr("<")));
  EXPECT_THAT(e.body, HasSubstr("not looked up for this mail"));
  EXPECT_THAT(e.body, HasSubstr("$(kubectl -n nvr get pod -l 'app.kubernetes.io/name=frigate,"
                                "app.kubernetes.io/instance=frigate' -o "
                                "jsonpath='{.items[0].spec.nodeName}')"));
  EXPECT_THAT(e.body, Not(HasSubstr("Grafana:")));
  EXPECT_THAT(e.body, Not(HasSubstr("Frigate: ")));
}

TEST(Composer, WithoutAPodTheMailSaysWhyAndSelectsByTheDeploymentsLabels) {
  World w;
  w.facts.pod_name.clear();
  w.facts.node_name.clear();
  w.facts.container_name.clear();
  w.facts.pod_error = "no pod in nvr matches \"app.kubernetes.io/instance=frigate\"";
  w.facts.pod_selector = "app.kubernetes.io/instance=frigate";
  w.Deliver(Stuck(), kT0);
  w.Deliver(Stuck(), kT0 + seconds(30));
  const Email e = w.Compose(0, kT0 + seconds(30));
  EXPECT_THAT(e.body, HasSubstr("  pod: none found: no pod in nvr matches"));
  EXPECT_THAT(e.body, HasSubstr("kubectl -n nvr logs deploy/frigate"));
  EXPECT_THAT(e.body, Not(HasSubstr("<frigate pod>")));
  EXPECT_THAT(e.body, Not(HasSubstr("<node>")));
}

TEST(Composer, CircuitBreakerMailSaysRestartsAreNotHelping) {
  World w;
  w.state.For(kFrigate).restart_times = {kT0 - seconds(1000), kT0 - seconds(500)};
  w.Deliver(Stuck(), kT0);
  w.Deliver(Stuck(), kT0 + seconds(30));
  ASSERT_EQ(w.mails.size(), 1u);
  const Email e = w.Compose(0, kT0 + seconds(30));
  EXPECT_THAT(e.body, HasSubstr("Restarts are not fixing this"));
  EXPECT_THAT(e.body, HasSubstr("Restarts in the last hour: 2 (limit 2)"));
}

TEST(Outbox, EnqueueOncePerKeyAndStaysBounded) {
  State s;
  MailRequest r;
  r.target = kFrigate;
  r.key = "k";
  Enqueue(s, r, Email{"subj", "body", "to", "from", {}}, kT0);
  Enqueue(s, r, Email{"subj2", "body", "to", "from", {}}, kT0);
  ASSERT_EQ(s.outbox.size(), 1u);
  EXPECT_EQ(s.outbox[0].subject, "subj");
  EXPECT_EQ(s.outbox[0].next_attempt_at, kT0);
  EXPECT_EQ(s.outbox[0].attempts, 0);
  for (int i = 0; i < 100; ++i) {
    r.key = fmt::format("k{}", i);  // not "k" + std::to_string(i): GCC 12 -O3 -Wrestrict
    Enqueue(s, r, Email{"s", "b", "t", "f", {}}, kT0);
  }
  EXPECT_EQ(s.outbox.size(), kMaxOutbox);
  EXPECT_EQ(s.outbox.back().id, "k99");
}

TEST(Composer, EscalatedMailSaysRestartsAreNotHelpingAndListsTheIncidentsRestarts) {
  TargetState ts;
  ts.target = kFrigate;
  Incident inc;
  inc.id = "nvr/frigate@1";
  inc.started_at = kT0 - std::chrono::hours(2);
  inc.reasons = {"inference_slow"};
  inc.restarts = 3;
  ts.incident = inc;
  ts.restart_times = {kT0 - std::chrono::hours(3), kT0 - seconds(5400), kT0 - seconds(4000),
                      kT0 - seconds(300)};
  MailRequest r{kFrigate,
                MailKind::kEscalated,
                inc.id,
                "",
                inc.id + ":escalated",
                "",
                "escalated: 3 restart(s) in this incident did not clear it"};
  Email e = ComposeEmail(r, ts, nullptr, Mail(), kT0);
  EXPECT_THAT(e.subject, HasSubstr("restarts are not helping"));
  EXPECT_THAT(e.body, HasSubstr("will NOT restart it again"));
  EXPECT_THAT(e.body, HasSubstr("Restarts in this incident:\n    - "));
  EXPECT_THAT(e.body, HasSubstr("(90 min ago)"));
  EXPECT_THAT(e.body, HasSubstr("(66 min ago)"));
  EXPECT_THAT(e.body, HasSubstr("(5 min ago)"));
  EXPECT_THAT(e.body, Not(HasSubstr("(3 h 0 min ago)"))) << "before the incident";
  EXPECT_THAT(e.body, HasSubstr("inference_slow"));
  EXPECT_EQ(e.headers["X-Frigate-Remediator-Outcome"], "escalated");
}

}  // namespace
}  // namespace fhc::remediator

namespace fhc::remediator {
namespace {

// Issue 9 item 14: a blocked mail gives a step for the gate that blocked and says the remediator
// retries by itself.
TEST(Composer, BlockedMailsGiveTheGatesStepAndSayTheRemediatorRetries) {
  struct Case {
    const char* gate;
    std::function<void(World&)> block;
    const char* step_part;
  };
  const Case cases[] = {
      {"node_ready", [](World& w) { w.facts.node_ready = "False"; },
       "Check the node: kubectl describe node n1"},
      {"rollout_sanity", [](World& w) { w.facts.rollout_in_progress = true; },
       "kubectl -n nvr rollout status deploy/frigate"},
      {"startup_grace", [](World& w) { w.facts.frigate_started_at = kT0; },
       "gets STARTUP_GRACE_PERIOD_SECONDS to settle"},
      {"crash_loop",
       [](World& w) {
         w.facts.container_reason = "CrashLoopBackOff";
         w.facts.container_state = "waiting";
         w.facts.container_restarts = 9;
       },
       "kubectl -n nvr logs frigate-7d9-abc -c frigate --previous --tail=200"},
      {"circuit_breaker",
       [](World& w) {
         w.state.For(kFrigate).restart_times = {kT0 - seconds(1000), kT0 - seconds(500)};
       },
       "Restarts are not fixing this"},
  };
  for (const auto& c : cases) {
    World w;
    c.block(w);
    w.Deliver(Stuck(), kT0);
    w.Deliver(Stuck(), kT0 + seconds(30));
    ASSERT_EQ(w.mails.size(), 1u) << c.gate;
    ASSERT_EQ(w.mails[0].gate, c.gate);
    const Email e = w.Compose(0, kT0 + seconds(31));
    EXPECT_THAT(e.body, HasSubstr(std::string("Next steps\n  Blocked by ") + c.gate + ": "))
        << c.gate;
    EXPECT_THAT(e.body, HasSubstr(c.step_part)) << c.gate;
    EXPECT_THAT(e.body, HasSubstr("it retries by itself")) << c.gate;
    EXPECT_THAT(e.body, HasSubstr(GuideForGate(c.gate).retry)) << c.gate;
  }
  for (const GateGuide& g : AllGateGuides()) EXPECT_NE(std::string(g.retry), "") << g.gate;
}

// Issue 9 item 3: the mail of a restart blocked by a remediate="manual" alert says what a person
// must do: that alert's runbook and the steps for its reason, first.
TEST(Composer, ManualActionMailCarriesTheAlertsRunbookAndItsReasonsSteps) {
  World w;
  Alert manual = MakeAlert("FrigateEdgeTpuMissing", "edgetpu_missing", AlertStatus::kFiring, false);
  manual.labels["remediate"] = "manual";
  manual.annotations["runbook_url"] = "https://example.org/README.md#runbook-edgetpu";
  const Notification n = Notify(
      {MakeAlert("FrigateDetectorHung", "detector_hung", AlertStatus::kFiring, true), manual});
  w.Deliver(n, kT0);
  w.Deliver(n, kT0 + seconds(30));
  ASSERT_EQ(w.mails.size(), 1u);
  const Email e = w.Compose(0, kT0 + seconds(30));
  EXPECT_EQ(e.subject,
            "[frigate-remediator] nvr/frigate unhealthy, restart blocked by manual_action_required "
            "(detector_hung)");
  const std::string& b = e.body;
  EXPECT_THAT(b, HasSubstr("Firing, a person must act (remediate=\"manual\": a restart cannot "
                           "help):\n  - FrigateEdgeTpuMissing (reason: edgetpu_missing)"));
  EXPECT_THAT(b, HasSubstr("Blocked by manual_action_required: A person must act"));
  EXPECT_THAT(b, HasSubstr("resume by themselves once that alert resolves"));
  const auto tpu = b.find("  edgetpu_missing: ");
  const auto hung = b.find("  detector_hung: ");
  ASSERT_NE(tpu, std::string::npos);
  ASSERT_NE(hung, std::string::npos);
  EXPECT_LT(tpu, hung) << "what a person must do comes first";
  EXPECT_THAT(b, HasSubstr("FrigateEdgeTpuMissing says a person must act: runbook "
                           "https://example.org/README.md#runbook-edgetpu"));
  EXPECT_THAT(b, HasSubstr("On node n1, check the device"));
  EXPECT_THAT(b, Not(HasSubstr("for information (not acted on)")));
}

// Issue 9 item 14: the recovered mail names the pod, container and node it was given.
TEST(Composer, RecoveredMailNamesPodContainerAndNode) {
  World w;
  w.facts.node_ready = "False";
  w.Deliver(Stuck(), kT0);
  w.Deliver(Stuck(), kT0 + seconds(30));
  w.Deliver(
      Notify({MakeAlert("FrigateDetectorStuck", "detector_stuck", AlertStatus::kResolved, true)}),
      kT0 + seconds(300));
  ASSERT_EQ(w.mails.size(), 2u);
  w.facts.node_ready = "True";
  const Email e = w.Compose(1, kT0 + seconds(300));
  EXPECT_THAT(e.body, HasSubstr("  pod: frigate-7d9-abc (Ready=True)"));
  EXPECT_THAT(e.body, HasSubstr("  container: frigate, running"));
  EXPECT_THAT(e.body, HasSubstr("  node: n1 (Ready=True)"));
  EXPECT_THAT(e.body, HasSubstr("Frigate started: 2026-11-28T03:40:00.000Z"));
  EXPECT_THAT(e.body, Not(HasSubstr("unknown")));
  EXPECT_THAT(e.body, Not(HasSubstr("<frigate pod>")));
}

// Without Kubernetes (frigate-api) there is no pod or node to name, and no kubectl guess either.
TEST(Composer, WithoutKubernetesTheMailSaysSoAndNamesTheHost) {
  World w;
  w.facts = TargetFacts{};
  w.facts.kubernetes = false;
  w.facts.frigate_started_at = kT0 - std::chrono::hours(1);
  w.facts.frigate_started_at_source = "frigate-uptime";
  const Notification n =
      Notify({MakeAlert("FrigateInferenceSlow", "inference_slow", AlertStatus::kFiring, true)});
  w.Deliver(n, kT0);
  w.Deliver(n, kT0 + seconds(30));
  ASSERT_EQ(w.mails.size(), 1u);
  const Email e = w.Compose(0, kT0 + seconds(60));
  EXPECT_THAT(e.body, HasSubstr("through its own API here (no Kubernetes)"));
  EXPECT_THAT(e.body, HasSubstr("Check the Coral on node the host that runs Frigate"));
  EXPECT_THAT(e.body, HasSubstr(", from frigate-uptime\n"));
  EXPECT_THAT(e.body, Not(HasSubstr("unknown")));
  EXPECT_THAT(e.body, Not(HasSubstr("<node>")));
}

}  // namespace
}  // namespace fhc::remediator
