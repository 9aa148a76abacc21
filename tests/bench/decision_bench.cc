// What one webhook costs the remediator's pure core: parse the body, observe, decide with every
// gate. Target: the whole path <= 20 us for a realistic body.
#include <benchmark/benchmark.h>

#include <string>

#include "remediator/decision/engine.h"
#include "remediator/mail/composer.h"
#include "remediator/state/state_codec.h"
#include "remediator/webhook/webhook_parser.h"

using namespace fhc::remediator;

namespace {

// The real Alertmanager 0.25 body (reference/alertmanager-webhook.md) shaped like the shipped
// rules' alerts: two remediable alerts and one notify-only alert of the same target.
std::string Alert(const std::string& name, const std::string& reason, bool remediable,
                  const std::string& fingerprint) {
  return R"({"status":"firing","labels":{"alertname":")" + name +
         R"(","deployment":"frigate","instance":"frigate-exporter:9711","job":"frigate","namespace":"nvr","reason":")" +
         reason + R"(",)" + (remediable ? R"("remediate":"restart",)" : "") +
         R"("severity":"critical"},"annotations":{"summary":"Frigate )" + reason +
         R"( on nvr/frigate","description":"The detector has not finished an inference for 14.2 s; Frigate's watchdog did not recover it.","value":"14.2"},"startsAt":"2026-11-28T06:40:44.425Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus:9090/graph?g0.expr=frigate_unhealthy%7Breason%3D%22)" +
         reason + R"(%22%7D+%3D%3D+1&g0.tab=1","fingerprint":")" + fingerprint + R"("})";
}

std::string Body() {
  return R"({"receiver":"frigate-remediator","status":"firing","alerts":[)" +
         Alert("FrigateDetectorStuck", "detector_stuck", true, "864f93fb887d6ba5") + "," +
         Alert("FrigateApiUnresponsive", "api_unresponsive", true, "9a1e3c5b7d2f4a60") + "," +
         Alert("FrigateInferenceSlow", "inference_slow", false, "0b7c2d4e6f8a1c3e") +
         R"(],"groupLabels":{"namespace":"nvr"},"commonLabels":{"deployment":"frigate","namespace":"nvr","severity":"critical"},"commonAnnotations":{},"externalURL":"http://alertmanager:9093","version":"4","groupKey":"{}/{remediate=\"restart\"}:{namespace=\"nvr\"}","truncatedAlerts":0})";
}

Engine MakeEngine() {
  DecisionSettings s;
  s.default_target = Target{"nvr", "frigate"};
  return Engine(s);
}

TargetFacts Facts(fhc::WallTime now) {
  TargetFacts f;
  f.kubernetes = true;
  f.frigate_started_at = now - std::chrono::hours(5);
  f.pod_name = "frigate-7d9-abc";
  f.container_name = "frigate";
  f.container_state = "running";
  f.container_ready = true;
  f.node_name = "n1";
  f.node_ready = "False";  // blocks: the steady state of a long incident (no restarts pile up)
  f.deployment_paused = false;
  f.rollout_in_progress = false;
  return f;
}

void BM_ParseWebhook(benchmark::State& st) {
  const std::string body = Body();
  for (auto _ : st) {
    auto n = ParseWebhook(body);
    benchmark::DoNotOptimize(n);
  }
  st.SetBytesProcessed(static_cast<int64_t>(st.iterations() * body.size()));
}
BENCHMARK(BM_ParseWebhook);

// Parse + observe + (facts needed?) + all gates + decision record, on a state whose decision
// history is full, each iteration one observation interval after the previous one.
void BM_ParseObserveDecide(benchmark::State& st) {
  const std::string body = Body();
  const Engine engine = MakeEngine();
  State state;
  fhc::WallTime now = fhc::FromUnixSeconds(1'795'848'000.0);
  const TargetFacts facts = Facts(now);
  int restarts = 0;
  for (auto _ : st) {
    now += std::chrono::seconds(30);
    auto n = ParseWebhook(body);
    const ObservationResult r = engine.Observe(state, *n, now);
    for (const Target& t : r.need_decision) {
      const bool need = engine.NeedsFacts(state, t, now);
      Decision d = engine.Decide(state, t, need ? &facts : nullptr, now);
      restarts += d.restart();
      benchmark::DoNotOptimize(d);
    }
  }
  if (restarts != 0) st.SkipWithError("node NotReady must block every restart");
}
BENCHMARK(BM_ParseObserveDecide);

void BM_ComposeEmail(benchmark::State& st) {
  const Engine engine = MakeEngine();
  State state;
  fhc::WallTime now = fhc::FromUnixSeconds(1'795'848'000.0);
  const TargetFacts facts = Facts(now);
  auto n = ParseWebhook(Body());
  std::vector<MailRequest> mails;
  for (int i = 0; i < 3; ++i) {
    now += std::chrono::seconds(30);
    for (const Target& t : engine.Observe(state, *n, now).need_decision) {
      auto d = engine.Decide(state, t, &facts, now);
      mails.insert(mails.end(), d.mails.begin(), d.mails.end());
    }
  }
  if (mails.empty()) {
    st.SkipWithError("no mail requested");
    return;
  }
  const EmailSettings settings{"ops@example.org", "frigate@example.org", "http://grafana",
                               "https://frigate", 2};
  for (auto _ : st) {
    Email e = ComposeEmail(mails[0], state.For(mails[0].target), &facts, settings, now);
    benchmark::DoNotOptimize(e);
  }
}
BENCHMARK(BM_ComposeEmail);

// The state is stored after every webhook; this is its size after a long incident.
void BM_EncodeDecodeState(benchmark::State& st) {
  const Engine engine = MakeEngine();
  State state;
  fhc::WallTime now = fhc::FromUnixSeconds(1'795'848'000.0);
  const TargetFacts facts = Facts(now);
  auto n = ParseWebhook(Body());
  for (int i = 0; i < 60; ++i) {
    now += std::chrono::seconds(30);
    for (const Target& t : engine.Observe(state, *n, now).need_decision) {
      engine.Decide(state, t, &facts, now);
    }
  }
  std::size_t bytes = 0;
  for (auto _ : st) {
    const std::string json = EncodeState(state);
    auto back = DecodeState(json);
    bytes = json.size();
    benchmark::DoNotOptimize(back);
  }
  st.counters["state_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_EncodeDecodeState);

}  // namespace

BENCHMARK_MAIN();
