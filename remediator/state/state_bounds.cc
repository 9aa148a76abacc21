#include "remediator/state/state_bounds.h"

#include <algorithm>
#include <array>
#include <functional>
#include <iterator>
#include <set>

#include "remediator/state/state_codec.h"

namespace fhc::remediator {
namespace {

// The limits, one place. Counts keep the newest entries; texts are cut.
struct Limits {
  std::size_t targets = 64;
  std::size_t ignored_targets = 50;        // plus "(other)" for the rest
  std::size_t ignored_key = 63 + 1 + 253;  // a namespace, "/", a Deployment name
  std::size_t alerts_per_list = kMaxTrackedAlerts;
  std::size_t labels_per_alert = 32;
  std::size_t annotations_per_alert = 16;
  std::size_t label_key = 128;
  std::size_t label_value = 1024;
  std::size_t alert_bytes = 8 * 1024;  // labels and annotations of one alert together
  std::size_t short_text = 256;        // fingerprint, alertname, reason
  std::size_t url = 2048;
  std::size_t reasons = 20;
  std::size_t decisions = kMaxDecisions;
  std::size_t decision_detail = 1024;
  std::size_t verdict_reason = 512;
  std::size_t emails_sent = kMaxEmailsSent;
  std::size_t restart_times = 200;
  std::size_t outbox = kMaxOutbox;
  std::size_t mail_subject = 512;
  std::size_t mail_body = 32 * 1024;
  std::size_t outbox_bytes = 256 * 1024;
};
constexpr Limits kLimits{};

// Labels a decision or a mail needs; dropped last.
const std::set<std::string> kEssentialLabels = {
    "alertname",          "namespace", "deployment", "frigate_namespace",
    "frigate_deployment", "reason",    "remediate",  "severity"};

// Cuts at a UTF-8 character boundary at most `max` bytes in and marks the cut with an ellipsis.
// Cutting a cut text again changes nothing.
bool Cut(std::string& s, std::size_t max) {
  if (s.size() <= max + 3 && s.ends_with("\u2026")) return false;
  if (s.size() <= max) return false;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  s += "\u2026";
  return true;
}

// Keeps the last `max` entries of an oldest-first list.
template <typename T>
std::size_t KeepNewest(std::vector<T>& v, std::size_t max) {
  if (v.size() <= max) return 0;
  const std::size_t n = v.size() - max;
  v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n));
  return n;
}

std::size_t Bytes(const std::map<std::string, std::string>& m) {
  std::size_t n = 0;
  for (const auto& [k, v] : m) n += k.size() + v.size();
  return n;
}

// Erases the largest entry whose key is not essential; false when none is left.
bool DropLargest(std::map<std::string, std::string>& m, bool keep_essential) {
  auto largest = m.end();
  for (auto it = m.begin(); it != m.end(); ++it) {
    if (keep_essential && kEssentialLabels.count(it->first)) continue;
    if (largest == m.end() ||
        it->first.size() + it->second.size() > largest->first.size() + largest->second.size()) {
      largest = it;
    }
  }
  if (largest == m.end()) return false;
  m.erase(largest);
  return true;
}

void BoundMap(std::map<std::string, std::string>& m, std::size_t max_entries, Dropped& d) {
  for (auto it = m.begin(); it != m.end();) {
    if (it->first.size() > kLimits.label_key) {
      it = m.erase(it);
      ++d["alert_labels"];
    } else {
      if (Cut(it->second, kLimits.label_value)) ++d["texts"];
      ++it;
    }
  }
  while (m.size() > max_entries && DropLargest(m, true)) ++d["alert_labels"];
}

}  // namespace

void BoundAlert(TrackedAlert& a, Dropped& d) {
  for (std::string* s : {&a.fingerprint, &a.alertname}) {
    if (Cut(*s, kLimits.short_text)) ++d["texts"];
  }
  if (Cut(a.generator_url, kLimits.url)) ++d["texts"];
  BoundMap(a.labels, kLimits.labels_per_alert, d);
  BoundMap(a.annotations, kLimits.annotations_per_alert, d);
  // Annotations inform a person; labels decide. Over the alert's budget, annotations go first.
  while (Bytes(a.labels) + Bytes(a.annotations) > kLimits.alert_bytes &&
         (DropLargest(a.annotations, false) || DropLargest(a.labels, true))) {
    ++d["alert_labels"];
  }
}

namespace {

std::size_t BoundAlerts(std::vector<TrackedAlert>& list, Dropped& d) {
  for (auto& a : list) BoundAlert(a, d);
  if (list.size() <= kLimits.alerts_per_list) return 0;
  // The alerts seen longest ago go first.
  std::stable_sort(list.begin(), list.end(),
                   [](const auto& x, const auto& y) { return x.last_seen < y.last_seen; });
  return KeepNewest(list, kLimits.alerts_per_list);
}

void BoundTarget(TargetState& t, Dropped& d) {
  d["alerts"] += BoundAlerts(t.firing, d);
  d["alerts"] += BoundAlerts(t.diagnostics, d);
  if (t.incident) {
    d["alerts"] += BoundAlerts(t.incident->alerts, d);
    d["reasons"] += KeepNewest(t.incident->reasons, kLimits.reasons);
    for (auto& r : t.incident->reasons) {
      if (Cut(r, kLimits.short_text)) ++d["texts"];
    }
  }
  d["decisions"] += KeepNewest(t.decisions, kLimits.decisions);
  for (auto& rec : t.decisions) {
    if (Cut(rec.detail, kLimits.decision_detail)) ++d["texts"];
    for (auto& v : rec.verdicts) {
      if (Cut(v.reason, kLimits.verdict_reason)) ++d["texts"];
    }
  }
  d["emails_sent"] += KeepNewest(t.emails_sent, kLimits.emails_sent);
  std::sort(t.restart_times.begin(), t.restart_times.end());
  d["restart_times"] += KeepNewest(t.restart_times, kLimits.restart_times);
  if (Cut(t.alertmanager_url, kLimits.url)) ++d["texts"];
}

// Targets that hold nothing in flight, least recently observed first.
std::vector<std::string> DroppableTargets(const State& s) {
  std::vector<std::pair<WallTime, std::string>> idle;
  for (const auto& [key, t] : s.targets) {
    if (t.pending || (t.incident && t.incident->open)) continue;
    WallTime last{};
    if (t.last_observation_at) last = *t.last_observation_at;
    if (!t.decisions.empty()) last = std::max(last, t.decisions.back().at);
    idle.emplace_back(last, key);
  }
  std::sort(idle.begin(), idle.end());
  std::vector<std::string> out;
  for (auto& [at, key] : idle) out.push_back(std::move(key));
  return out;
}

void BoundOutbox(State& s, Dropped& d) {
  for (auto& m : s.outbox) {
    if (Cut(m.subject, kLimits.mail_subject)) ++d["texts"];
    if (Cut(m.body, kLimits.mail_body)) ++d["texts"];
  }
  d["outbox"] += KeepNewest(s.outbox, kLimits.outbox);
  std::size_t total = 0;
  for (const auto& m : s.outbox) total += m.body.size() + m.subject.size();
  while (total > kLimits.outbox_bytes && s.outbox.size() > 1) {
    total -= s.outbox.front().body.size() + s.outbox.front().subject.size();
    s.outbox.erase(s.outbox.begin());
    ++d["outbox"];
  }
}

void BoundIgnored(State& s, Dropped& d) {
  std::int64_t lumped = 0;
  std::size_t kept = 0;
  for (auto it = s.ignored_alerts.begin(); it != s.ignored_alerts.end();) {
    const bool other = it->first == "(other)";
    if (!other && (it->first.size() > kLimits.ignored_key || kept >= kLimits.ignored_targets)) {
      lumped += it->second;
      it = s.ignored_alerts.erase(it);
      ++d["ignored_targets"];
      continue;
    }
    if (!other) ++kept;
    ++it;
  }
  if (lumped > 0) s.ignored_alerts["(other)"] += lumped;
}

void Clean(Dropped& d) {
  std::erase_if(d, [](const auto& e) { return e.second == 0; });
}

}  // namespace

Dropped BoundState(State& state) {
  Dropped d;
  for (auto& [key, t] : state.targets) BoundTarget(t, d);
  if (state.targets.size() > kLimits.targets) {
    for (const auto& key : DroppableTargets(state)) {
      if (state.targets.size() <= kLimits.targets) break;
      state.targets.erase(key);
      ++d["targets"];
    }
  }
  BoundOutbox(state, d);
  BoundIgnored(state, d);
  Clean(d);
  return d;
}

Dropped FitState(State& state, std::size_t encoded_size, std::size_t budget) {
  Dropped d;
  if (encoded_size <= budget) return d;
  const auto fits = [&] { return EncodeState(state).size() <= budget; };
  // Stages, least needed first; each applies to every target, then measures.
  const std::array<std::function<void()>, 9> stages = {
      [&] {
        for (auto& [k, t] : state.targets) {
          d["alerts"] += t.diagnostics.size();
          t.diagnostics.clear();
        }
      },
      [&] {
        for (auto& [k, t] : state.targets) d["decisions"] += KeepNewest(t.decisions, 5);
      },
      [&] {
        for (auto& [k, t] : state.targets) {
          if (t.incident) d["alerts"] += KeepNewest(t.incident->alerts, 5);
        }
      },
      [&] {
        for (auto& [k, t] : state.targets) {
          for (auto& a : t.firing) {
            d["alert_labels"] += a.annotations.size();
            a.annotations.clear();
          }
        }
      },
      [&] {
        while (!state.outbox.empty() && !fits()) {
          state.outbox.erase(state.outbox.begin());
          ++d["outbox"];
        }
      },
      [&] {
        for (auto& [k, t] : state.targets) {
          for (auto& a : t.firing) {
            while (DropLargest(a.labels, true)) ++d["alert_labels"];
          }
          if (t.incident) {
            d["alerts"] += t.incident->alerts.size();
            t.incident->alerts.clear();
          }
        }
      },
      [&] {
        for (auto& [k, t] : state.targets) {
          d["alerts"] += KeepNewest(t.firing, 3);
          d["decisions"] += KeepNewest(t.decisions, 1);
        }
      },
      [&] {
        for (auto& [k, t] : state.targets) {
          if (t.incident) d["reasons"] += KeepNewest(t.incident->reasons, 3);
          d["emails_sent"] += KeepNewest(t.emails_sent, 20);
          d["restart_times"] += KeepNewest(t.restart_times, 50);
          for (auto& rec : t.decisions) {
            for (auto& v : rec.verdicts) {
              if (Cut(v.reason, 64)) ++d["texts"];
            }
            if (Cut(rec.detail, 256)) ++d["texts"];
          }
        }
      },
      [&] {
        for (const auto& key : DroppableTargets(state)) {
          if (fits()) break;
          state.targets.erase(key);
          ++d["targets"];
        }
      },
  };
  for (const auto& stage : stages) {
    stage();
    if (fits()) break;
  }
  Clean(d);
  return d;
}

std::string DescribeDropped(const Dropped& dropped) {
  std::string out;
  for (const auto& [what, n] : dropped) {
    out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + what;
  }
  return out;
}

}  // namespace fhc::remediator
