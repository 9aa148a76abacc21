// Feeds arbitrary bytes to the webhook parser and, when they parse, through the decision engine
// on a fresh state (observe, decide, complete) and the state codec. Also feeds the same bytes to
// the state decoder, which reads documents from disk or a ConfigMap that may be corrupt.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "remediator/decision/engine.h"
#include "remediator/mail/composer.h"
#include "remediator/state/state_codec.h"
#include "remediator/webhook/webhook_parser.h"

using namespace fhc::remediator;

namespace {

const Engine& TheEngine() {
  static const Engine engine([] {
    DecisionSettings s;
    s.default_target = Target{"nvr", "frigate"};
    s.allowed_targets = {Target{"nvr", "frigate"}, Target{"frigate", "frigate"}};
    s.gates.consecutive_failures_required = 1;  // reach the gates on the first observation
    return s;
  }());
  return engine;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const fhc::WallTime now = fhc::FromUnixSeconds(1'795'848'000.0);

  if (auto decoded = DecodeState(text); decoded.ok()) {
    // What decodes must encode to something that decodes to the same encoding (times lose
    // their sub-millisecond part on the first encode, so the encodings are compared).
    const std::string encoded = EncodeState(*decoded);
    auto again = DecodeState(encoded);
    if (!again.ok() || EncodeState(*again) != encoded) std::abort();
  }

  auto n = ParseWebhook(text);
  if (!n.ok()) {
    if (n.error().empty()) std::abort();
    return 0;
  }
  State state;
  TargetFacts facts;
  facts.kubernetes = true;
  facts.node_ready = "True";
  facts.deployment_paused = false;
  facts.rollout_in_progress = false;
  const Engine& engine = TheEngine();
  const ObservationResult r = engine.Observe(state, *n, now);
  for (const Target& t : r.need_decision) {
    const Decision d = engine.Decide(state, t, &facts, now);
    std::vector<MailRequest> mails = d.mails;
    if (d.restart()) {
      auto c = engine.CompleteRestart(state, t, d.intent->id, RestartResult{true, ""}, now);
      mails.insert(mails.end(), c.mails.begin(), c.mails.end());
    }
    for (const auto& m : mails) {
      Enqueue(state, m, ComposeEmail(m, state.For(t), &facts, EmailSettings{}, now), now);
    }
  }
  // A second delivery of the same body must not count again.
  const ObservationResult again = engine.Observe(state, *n, now);
  if (!again.counted.empty()) std::abort();
  auto round = DecodeState(EncodeState(state));
  if (!round.ok()) std::abort();
  return 0;
}
