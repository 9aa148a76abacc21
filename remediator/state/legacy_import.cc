#include "remediator/state/legacy_import.h"

#include <charconv>
#include <cmath>
#include <string_view>

namespace fhc::remediator {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// Unix seconds as Python's time.time() wrote them ("1700000000" or "1700000000.5"), limited to
// years 2000-2200 so the conversion to a time point cannot overflow.
std::optional<WallTime> UnixSeconds(std::string_view s) {
  s = Trim(s);
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  if (v < 946684800.0 || v > 7258118400.0) return std::nullopt;
  return FromUnixSeconds(v);
}

const std::string* Find(const std::map<std::string, std::string>& data, const char* key) {
  const auto it = data.find(key);
  return it == data.end() ? nullptr : &it->second;
}

}  // namespace

LegacyImport ImportLegacy(const std::map<std::string, std::string>& data, const Target& target,
                          WallTime now) {
  LegacyImport out;
  out.state.target = target;
  if (const std::string* v = Find(data, "consecutive_failures")) {
    out.found = true;
    const std::string_view s = Trim(*v);
    int n = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc() && end == s.data() + s.size() && n >= 0 && n < 1'000'000) {
      out.state.consecutive_failures = n;
    } else {
      out.warnings.push_back("consecutive_failures: not a non-negative integer, ignored");
    }
  }
  if (const std::string* v = Find(data, "last_restart_times")) {
    out.found = true;
    std::string_view rest = *v;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      const std::string_view item = Trim(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (item.empty()) continue;
      if (auto t = UnixSeconds(item)) {
        if (*t > now - kRestartHistory && *t <= now) out.state.restart_times.push_back(*t);
      } else {
        out.warnings.push_back("last_restart_times: \"" + std::string(item.substr(0, 32)) +
                               "\" is not unix seconds, ignored");
      }
    }
    PruneRestartTimes(out.state, now);
  }
  const std::string* sent = Find(data, "alert_sent_for_incident");
  const std::string* last = Find(data, "last_alert_time");
  if (sent || last) out.found = true;
  if (sent && Trim(*sent) == "true") {
    const auto at = last ? UnixSeconds(*last) : std::nullopt;
    if (!at) {
      out.warnings.push_back("last_alert_time: missing or not unix seconds; mail flag ignored");
    } else {
      Incident incident;
      incident.id = target.Key() + "@legacy";
      incident.started_at = *at;
      incident.open = true;
      incident.reasons.push_back("legacy");
      // Whatever the old tool mailed ("restarted" or "unhealthy"), it told a person about this
      // incident: the action mails the decision engine could send for it count as sent.
      for (const char* outcome :
           {"restarted", "restart_failed", "blocked:startup_grace", "blocked:circuit_breaker",
            "blocked:node_ready", "blocked:rollout_sanity"}) {
        RecordEmailSent(out.state, incident.id + ":" + outcome);
      }
      out.state.incident = std::move(incident);
    }
  }
  return out;
}

}  // namespace fhc::remediator
