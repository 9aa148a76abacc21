#include "remediator/app/status_view.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "remediator/state/state_codec.h"

namespace fhc::remediator {

std::string HtmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderStateJson(const State& state, const Engine& engine,
                            const RemediatorConfig& config, WallTime now, bool redacted) {
  rapidjson::Document doc;
  doc.Parse(EncodeState(state).c_str());
  auto& a = doc.GetAllocator();
  auto str = [&](const std::string& s) { return rapidjson::Value(s.c_str(), a); };
  doc.AddMember("generated_at", str(FormatStateTime(now)), a);
  doc.AddMember("action", str(config.action), a);
  doc.AddMember("state_store", str(config.state_store), a);
  doc.AddMember("redacted", redacted, a);
  if (redacted && doc.HasMember("outbox") && doc["outbox"].IsArray()) {
    // An allow-list, so that a field added to mails later stays hidden until chosen.
    static constexpr std::array<std::string_view, 6> kShown = {
        "id", "target", "subject", "queued_at", "attempts", "last_error"};
    for (auto& mail : doc["outbox"].GetArray()) {
      if (!mail.IsObject()) continue;
      rapidjson::Value kept(rapidjson::kObjectType);
      for (rapidjson::SizeType i = 0; i < mail.MemberCount(); ++i) {
        auto& m = *(mail.MemberBegin() + i);
        const std::string_view name(m.name.GetString(), m.name.GetStringLength());
        if (std::find(kShown.begin(), kShown.end(), name) != kShown.end()) {
          kept.AddMember(m.name, m.value, a);  // moves
        }
      }
      mail = kept;
    }
  }
  if (doc.HasMember("targets") && doc["targets"].IsObject()) {
    // Index loop: RapidJSON 1.1's member iterators trip C++20's reversed-operator ambiguity.
    auto& targets = doc["targets"];
    for (rapidjson::SizeType i = 0; i < targets.MemberCount(); ++i) {
      auto& m = *(targets.MemberBegin() + i);
      auto it = state.targets.find(m.name.GetString());
      if (it == state.targets.end() || !m.value.IsObject()) continue;
      m.value.AddMember("circuit_open", engine.CircuitOpen(state, it->second.target, now), a);
      m.value.AddMember("restarts_last_hour",
                        RestartsWithin(it->second, now, engine.settings().gates.circuit_window), a);
    }
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  doc.Accept(w);
  return buf.GetString();
}

namespace {

std::string Ago(WallTime t, WallTime now) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(now - t).count();
  if (s < 120) return fmt::format("{} s ago", s);
  if (s < 7200) return fmt::format("{} min ago", s / 60);
  return fmt::format("{} h ago", s / 3600);
}

}  // namespace

std::string RenderStatusPage(const State& state, const Engine& engine,
                             const RemediatorConfig& config, WallTime now) {
  std::string h =
      "<!doctype html><html><head><meta charset=\"utf-8\"><title>frigate-remediator</title>"
      "<meta http-equiv=\"refresh\" content=\"10\"><style>body{font-family:sans-serif;margin:1.5em}"
      "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid "
      "#bbb;padding:.25em "
      ".6em;text-align:left;vertical-align:top}.block{color:#b00}.pass{color:#070}"
      ".not_applicable{color:#777}</style></head><body>";
  h += fmt::format(
      "<h1>frigate-remediator {}</h1><p>action <b>{}</b>, state store <b>{}</b>, "
      "generated {} (this page reloads every 10 s; JSON at "
      "<a href=\"api/v1/state\">api/v1/state</a>, metrics at <a "
      "href=\"metrics\">metrics</a>)</p>",
      FHC_VERSION, HtmlEscape(config.action), HtmlEscape(config.state_store),
      HtmlEscape(FormatStateTime(now)));
  const auto window = engine.settings().gates.circuit_window;
  h += "<h2>Targets</h2><table><tr><th>target</th><th>consecutive failures</th><th>firing "
       "(remediable)</th><th>other alerts</th><th>restarts in the window</th><th>circuit</th>"
       "<th>restart pending</th></tr>";
  for (const auto& [key, ts] : state.targets) {
    std::string firing, diag;
    for (const auto& al : ts.firing) firing += HtmlEscape(AlertReason(al)) + "<br>";
    for (const auto& al : ts.diagnostics) diag += HtmlEscape(al.alertname) + "<br>";
    h += fmt::format(
        "<tr><td>{}</td><td>{} of {}</td><td>{}</td><td>{}</td><td>{} (limit {})</td><td>{}</td>"
        "<td>{}</td></tr>",
        HtmlEscape(key), ts.consecutive_failures,
        engine.settings().gates.consecutive_failures_required, firing.empty() ? "none" : firing,
        diag.empty() ? "none" : diag, RestartsWithin(ts, now, window),
        engine.settings().gates.max_restarts_per_hour,
        engine.CircuitOpen(state, ts.target, now) ? "<b class=\"block\">OPEN</b>" : "closed",
        ts.pending ? HtmlEscape(ts.pending->id) : "no");
  }
  h += "</table><h2>Incidents</h2><table><tr><th>target</th><th>incident</th><th>started</th>"
       "<th>state</th><th>reasons</th></tr>";
  for (const auto& [key, ts] : state.targets) {
    if (!ts.incident) continue;
    const Incident& in = *ts.incident;
    std::string reasons;
    for (const auto& r : in.reasons) reasons += HtmlEscape(r) + " ";
    h += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                     HtmlEscape(key), HtmlEscape(in.id), Ago(in.started_at, now),
                     in.open ? "<b>open</b>" : "closed", reasons);
  }
  h += "</table><h2>Last decisions</h2><table><tr><th>when</th><th>target</th><th>outcome</th>"
       "<th>gate verdicts</th><th>detail</th></tr>";
  for (const auto& [key, ts] : state.targets) {
    int shown = 0;
    for (auto it = ts.decisions.rbegin(); it != ts.decisions.rend() && shown < 10; ++it, ++shown) {
      std::string verdicts;
      for (const auto& v : it->verdicts) {
        verdicts +=
            fmt::format("<span class=\"{0}\">{1}: {0}</span> — {2}<br>", GateOutcomeName(v.outcome),
                        HtmlEscape(v.gate), HtmlEscape(v.reason));
      }
      h += fmt::format("<tr><td>{}</td><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td></tr>",
                       Ago(it->at, now), HtmlEscape(key), HtmlEscape(it->outcome),
                       it->gate.empty() ? "" : " by " + HtmlEscape(it->gate), verdicts,
                       HtmlEscape(it->detail));
    }
  }
  h += "</table>";
  h += fmt::format("<h2>Outbox</h2><p>{} mail(s) waiting", state.outbox.size());
  for (const auto& m : state.outbox) {
    h += fmt::format("<br>{} — {} attempt(s){}", HtmlEscape(m.subject), m.attempts,
                     m.last_error.empty() ? "" : ", last error: " + HtmlEscape(m.last_error));
  }
  h += "</p></body></html>\n";
  return h;
}

}  // namespace fhc::remediator
