#pragma once
// Bounds on everything the state holds, so the stored document stays far below a ConfigMap's
// 1 MiB (Kubernetes refuses a larger one, and every webhook would then get 503) whatever
// arrives: a webhook of 950 KB, alerts with hundreds of labels, many foreign targets.
//
// Two passes, both pure:
//   - BoundState: a limit per list, map and text (the table in state_bounds.cc); the oldest
//     entries go first, texts are cut at a UTF-8 character boundary.
//   - FitState: if the encoded document is still larger than kStateBudgetBytes, sheds what
//     decisions need least, in this order, until it fits: notify-only alerts (diagnostics), the
//     decision history beyond the last 5 per target, the alerts kept for incident mails beyond
//     the last 5, annotations of firing alerts, the oldest mails of the outbox (a mail dropped
//     here is never sent), labels a decision does not read, all but the 3 newest firing alerts
//     and the last decision, shorter histories (3 reasons, 20 mail keys, 50 restart times, short
//     verdict texts), and last the targets with nothing in flight.
// Each returns what it dropped, by kind (the keys of kDroppedKinds), for a log line and the
// frigate_remediator_state_dropped_total{what} counter.
#include <cstddef>
#include <map>
#include <string>

#include "remediator/state/state.h"

namespace fhc::remediator {

inline constexpr std::size_t kStateBudgetBytes = 512 * 1024;

// Every kind FitState and BoundState report, for metrics that exist before the first drop.
inline constexpr const char* kDroppedKinds[] = {
    "targets", "ignored_targets", "alerts",      "alert_labels",  "texts",
    "reasons", "decisions",       "emails_sent", "restart_times", "outbox"};

using Dropped = std::map<std::string, std::size_t>;

Dropped BoundState(State& state);

// BoundState's bounds for one alert (texts, label and annotation counts, 8 KiB of labels and
// annotations, annotations dropped first); the engine applies them as alerts arrive, so an
// alert sent again compares equal to its stored copy. Adds what it dropped to `dropped`.
void BoundAlert(TrackedAlert& alert, Dropped& dropped);

// `encoded_size` is the size of the encoded state as it is; returns what it dropped (nothing when
// the state already fits). Uses EncodeState to measure.
Dropped FitState(State& state, std::size_t encoded_size, std::size_t budget = kStateBudgetBytes);

// "2 decisions, 40 texts" for logs.
std::string DescribeDropped(const Dropped& dropped);

}  // namespace fhc::remediator
