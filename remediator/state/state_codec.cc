#include "remediator/state/state_codec.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>

#include "common/json/json.h"
#include "common/kube/rfc3339.h"

namespace fhc::remediator {
namespace {

using rapidjson::Value;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
using StringMap = std::map<std::string, std::string>;

// ---------------------------------------------------------------------------------- encoding

void Str(Writer& w, const std::string& s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
void Key(Writer& w, const char* k) { w.Key(k); }
void Time(Writer& w, WallTime t) { Str(w, FormatStateTime(t)); }
void OptTime(Writer& w, const char* key, const std::optional<WallTime>& t) {
  if (!t) return;
  Key(w, key);
  Time(w, *t);
}
void Map(Writer& w, const StringMap& m) {
  w.StartObject();
  for (const auto& [k, v] : m) {
    Str(w, k);
    Str(w, v);
  }
  w.EndObject();
}
void Strings(Writer& w, const std::vector<std::string>& v) {
  w.StartArray();
  for (const auto& s : v) Str(w, s);
  w.EndArray();
}

void Encode(Writer& w, const TrackedAlert& a) {
  w.StartObject();
  Key(w, "fingerprint");
  Str(w, a.fingerprint);
  Key(w, "alertname");
  Str(w, a.alertname);
  OptTime(w, "starts_at", a.starts_at);
  Key(w, "last_seen");
  Time(w, a.last_seen);
  Key(w, "generator_url");
  Str(w, a.generator_url);
  Key(w, "labels");
  Map(w, a.labels);
  Key(w, "annotations");
  Map(w, a.annotations);
  w.EndObject();
}

void Encode(Writer& w, const std::vector<TrackedAlert>& alerts) {
  w.StartArray();
  for (const auto& a : alerts) Encode(w, a);
  w.EndArray();
}

void Encode(Writer& w, const Verdict& v) {
  w.StartObject();
  Key(w, "gate");
  Str(w, v.gate);
  Key(w, "outcome");
  w.String(GateOutcomeName(v.outcome));
  Key(w, "reason");
  Str(w, v.reason);
  w.EndObject();
}

void Encode(Writer& w, const TargetState& t) {
  w.StartObject();
  Key(w, "namespace");
  Str(w, t.target.namespace_);
  Key(w, "deployment");
  Str(w, t.target.deployment);
  Key(w, "consecutive_failures");
  w.Int(t.consecutive_failures);
  OptTime(w, "last_observation_at", t.last_observation_at);
  Key(w, "firing");
  Encode(w, t.firing);
  Key(w, "diagnostics");
  Encode(w, t.diagnostics);
  if (t.incident) {
    const Incident& i = *t.incident;
    Key(w, "incident");
    w.StartObject();
    Key(w, "id");
    Str(w, i.id);
    Key(w, "started_at");
    Time(w, i.started_at);
    OptTime(w, "closed_at", i.closed_at);
    Key(w, "open");
    w.Bool(i.open);
    Key(w, "reasons");
    Strings(w, i.reasons);
    Key(w, "alerts");
    Encode(w, i.alerts);
    if (i.restarts > 0) {
      Key(w, "restarts");
      w.Int(i.restarts);
    }
    OptTime(w, "last_restart_at", i.last_restart_at);
    OptTime(w, "escalated_at", i.escalated_at);
    w.EndObject();
  }
  Key(w, "restart_times");
  w.StartArray();
  for (WallTime r : t.restart_times) Time(w, r);
  w.EndArray();
  if (t.pending) {
    Key(w, "pending_restart");
    w.StartObject();
    Key(w, "id");
    Str(w, t.pending->id);
    Key(w, "at");
    Time(w, t.pending->at);
    Key(w, "action");
    Str(w, t.pending->action);
    Key(w, "incident_id");
    Str(w, t.pending->incident_id);
    w.EndObject();
  }
  Key(w, "decisions");
  w.StartArray();
  for (const auto& d : t.decisions) {
    w.StartObject();
    Key(w, "id");
    Str(w, d.id);
    Key(w, "at");
    Time(w, d.at);
    Key(w, "outcome");
    Str(w, d.outcome);
    Key(w, "gate");
    Str(w, d.gate);
    Key(w, "incident_id");
    Str(w, d.incident_id);
    Key(w, "detail");
    Str(w, d.detail);
    Key(w, "verdicts");
    w.StartArray();
    for (const auto& v : d.verdicts) Encode(w, v);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  Key(w, "emails_sent");
  Strings(w, t.emails_sent);
  Key(w, "alertmanager_url");
  Str(w, t.alertmanager_url);
  w.EndObject();
}

void Encode(Writer& w, const OutboxMail& m) {
  w.StartObject();
  Key(w, "id");
  Str(w, m.id);
  Key(w, "target");
  Str(w, m.target);
  Key(w, "subject");
  Str(w, m.subject);
  Key(w, "body");
  Str(w, m.body);
  Key(w, "to");
  Str(w, m.to);
  Key(w, "from");
  Str(w, m.from);
  Key(w, "headers");
  Map(w, m.headers);
  Key(w, "queued_at");
  Time(w, m.queued_at);
  Key(w, "attempts");
  w.Int(m.attempts);
  Key(w, "next_attempt_at");
  Time(w, m.next_attempt_at);
  Key(w, "last_error");
  Str(w, m.last_error);
  w.EndObject();
}

// ---------------------------------------------------------------------------------- decoding

// Reads fields of untrusted JSON, remembering the first error with its path.
class Reader {
 public:
  const std::string& error() const { return error_; }
  bool Fail(const std::string& path, const std::string& what) {
    if (error_.empty()) error_ = path + ": " + what;
    return false;
  }

  const Value* Get(const Value& obj, const char* name, const std::string& path, bool required) {
    const auto it = obj.FindMember(name);
    if (it == obj.MemberEnd() || it->value.IsNull()) {
      if (required) Fail(Join(path, name), "missing");
      return nullptr;
    }
    return &it->value;
  }

  bool String(const Value& obj, const char* name, const std::string& path, std::string* out,
              bool required = true) {
    const Value* v = Get(obj, name, path, required);
    if (!v) return !required;
    if (!v->IsString()) return Fail(Join(path, name), "expected a string");
    out->assign(v->GetString(), v->GetStringLength());
    return true;
  }

  bool Int(const Value& obj, const char* name, const std::string& path, int* out, int min) {
    const Value* v = Get(obj, name, path, true);
    if (!v) return false;
    if (!v->IsInt() || v->GetInt() < min) {
      return Fail(Join(path, name), "expected an integer >= " + std::to_string(min));
    }
    *out = v->GetInt();
    return true;
  }

  bool Bool(const Value& obj, const char* name, const std::string& path, bool* out) {
    const Value* v = Get(obj, name, path, true);
    if (!v) return false;
    if (!v->IsBool()) return Fail(Join(path, name), "expected true or false");
    *out = v->GetBool();
    return true;
  }

  bool TimeValue(const Value& v, const std::string& path, WallTime* out) {
    if (!v.IsString()) return Fail(path, "expected an RFC 3339 time");
    std::string_view s(v.GetString(), v.GetStringLength());
    // Guard the year before any arithmetic: nanosecond time points overflow outside ~1678-2262.
    int year = 0;
    for (std::size_t i = 0; i < 4 && i < s.size(); ++i) {
      year = s[i] >= '0' && s[i] <= '9' ? year * 10 + (s[i] - '0') : -1'000'000;
    }
    auto t = year >= 1900 && year <= 2200 ? kube::ParseRfc3339(s) : std::nullopt;
    if (!t) return Fail(path, "expected an RFC 3339 time");
    *out = *t;
    return true;
  }

  bool Time(const Value& obj, const char* name, const std::string& path, WallTime* out) {
    const Value* v = Get(obj, name, path, true);
    return v && TimeValue(*v, Join(path, name), out);
  }

  bool OptTime(const Value& obj, const char* name, const std::string& path,
               std::optional<WallTime>* out) {
    const Value* v = Get(obj, name, path, false);
    if (!v) return true;
    WallTime t;
    if (!TimeValue(*v, Join(path, name), &t)) return false;
    *out = t;
    return true;
  }

  bool Map(const Value& obj, const char* name, const std::string& path, StringMap* out) {
    const Value* v = Get(obj, name, path, true);
    if (!v) return false;
    if (!v->IsObject()) return Fail(Join(path, name), "expected an object of strings");
    for (const auto& m : v->GetObject()) {
      if (!m.value.IsString()) return Fail(Join(path, name), "expected an object of strings");
      (*out)[std::string(m.name.GetString(), m.name.GetStringLength())].assign(
          m.value.GetString(), m.value.GetStringLength());
    }
    return true;
  }

  // Calls each(element, path) for every element of a required array member.
  template <typename F>
  bool Array(const Value& obj, const char* name, const std::string& path, F each) {
    const Value* v = Get(obj, name, path, true);
    if (!v) return false;
    if (!v->IsArray()) return Fail(Join(path, name), "expected an array");
    for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
      if (!each((*v)[i], Join(path, name) + "[" + std::to_string(i) + "]")) return false;
    }
    return true;
  }

  bool Strings(const Value& obj, const char* name, const std::string& path,
               std::vector<std::string>* out) {
    return Array(obj, name, path, [&](const Value& e, const std::string& p) {
      if (!e.IsString()) return Fail(p, "expected a string");
      out->emplace_back(e.GetString(), e.GetStringLength());
      return true;
    });
  }

  bool Object(const Value& v, const std::string& path) {
    return v.IsObject() || Fail(path, "expected an object");
  }

  static std::string Join(const std::string& path, const char* name) {
    return path.empty() ? name : path + "." + name;
  }

 private:
  std::string error_;
};

bool Decode(Reader& r, const Value& v, const std::string& p, TrackedAlert* a) {
  return r.Object(v, p) && r.String(v, "fingerprint", p, &a->fingerprint) &&
         r.String(v, "alertname", p, &a->alertname) &&
         r.OptTime(v, "starts_at", p, &a->starts_at) && r.Time(v, "last_seen", p, &a->last_seen) &&
         r.String(v, "generator_url", p, &a->generator_url) && r.Map(v, "labels", p, &a->labels) &&
         r.Map(v, "annotations", p, &a->annotations);
}

bool DecodeAlerts(Reader& r, const Value& v, const char* name, const std::string& p,
                  std::vector<TrackedAlert>* out) {
  return r.Array(v, name, p, [&](const Value& e, const std::string& ep) {
    TrackedAlert a;
    if (!Decode(r, e, ep, &a)) return false;
    out->push_back(std::move(a));
    return true;
  });
}

bool Decode(Reader& r, const Value& v, const std::string& p, Verdict* out) {
  std::string outcome;
  if (!(r.Object(v, p) && r.String(v, "gate", p, &out->gate) &&
        r.String(v, "outcome", p, &outcome) && r.String(v, "reason", p, &out->reason))) {
    return false;
  }
  if (!ParseGateOutcome(outcome, &out->outcome)) {
    return r.Fail(Reader::Join(p, "outcome"), "expected pass, block or not_applicable");
  }
  return true;
}

bool Decode(Reader& r, const Value& v, const std::string& p, DecisionRecord* d) {
  return r.Object(v, p) && r.String(v, "id", p, &d->id) && r.Time(v, "at", p, &d->at) &&
         r.String(v, "outcome", p, &d->outcome) && r.String(v, "gate", p, &d->gate) &&
         r.String(v, "incident_id", p, &d->incident_id) && r.String(v, "detail", p, &d->detail) &&
         r.Array(v, "verdicts", p, [&](const Value& e, const std::string& ep) {
           Verdict verdict;
           if (!Decode(r, e, ep, &verdict)) return false;
           d->verdicts.push_back(std::move(verdict));
           return true;
         });
}

bool Decode(Reader& r, const Value& v, const std::string& p, TargetState* t) {
  if (!(r.Object(v, p) && r.String(v, "namespace", p, &t->target.namespace_) &&
        r.String(v, "deployment", p, &t->target.deployment) &&
        r.Int(v, "consecutive_failures", p, &t->consecutive_failures, 0) &&
        r.OptTime(v, "last_observation_at", p, &t->last_observation_at) &&
        DecodeAlerts(r, v, "firing", p, &t->firing) &&
        DecodeAlerts(r, v, "diagnostics", p, &t->diagnostics))) {
    return false;
  }
  if (const Value* i = r.Get(v, "incident", p, false)) {
    const std::string ip = Reader::Join(p, "incident");
    Incident inc;
    if (!(r.Object(*i, ip) && r.String(*i, "id", ip, &inc.id) &&
          r.Time(*i, "started_at", ip, &inc.started_at) &&
          r.OptTime(*i, "closed_at", ip, &inc.closed_at) && r.Bool(*i, "open", ip, &inc.open) &&
          r.Strings(*i, "reasons", ip, &inc.reasons) &&
          DecodeAlerts(r, *i, "alerts", ip, &inc.alerts) &&
          (r.Get(*i, "restarts", ip, false) == nullptr ||
           r.Int(*i, "restarts", ip, &inc.restarts, 0)) &&
          r.OptTime(*i, "last_restart_at", ip, &inc.last_restart_at) &&
          r.OptTime(*i, "escalated_at", ip, &inc.escalated_at))) {
      return false;
    }
    t->incident = std::move(inc);
  }
  if (!r.Array(v, "restart_times", p, [&](const Value& e, const std::string& ep) {
        WallTime at;
        if (!r.TimeValue(e, ep, &at)) return false;
        t->restart_times.push_back(at);
        return true;
      })) {
    return false;
  }
  if (const Value* i = r.Get(v, "pending_restart", p, false)) {
    const std::string ip = Reader::Join(p, "pending_restart");
    RestartIntent intent;
    if (!(r.Object(*i, ip) && r.String(*i, "id", ip, &intent.id) &&
          r.Time(*i, "at", ip, &intent.at) && r.String(*i, "action", ip, &intent.action) &&
          r.String(*i, "incident_id", ip, &intent.incident_id))) {
      return false;
    }
    t->pending = std::move(intent);
  }
  return r.Array(v, "decisions", p,
                 [&](const Value& e, const std::string& ep) {
                   DecisionRecord d;
                   if (!Decode(r, e, ep, &d)) return false;
                   t->decisions.push_back(std::move(d));
                   return true;
                 }) &&
         r.Strings(v, "emails_sent", p, &t->emails_sent) &&
         r.String(v, "alertmanager_url", p, &t->alertmanager_url);
}

bool Decode(Reader& r, const Value& v, const std::string& p, OutboxMail* m) {
  return r.Object(v, p) && r.String(v, "id", p, &m->id) && r.String(v, "target", p, &m->target) &&
         r.String(v, "subject", p, &m->subject) && r.String(v, "body", p, &m->body) &&
         r.String(v, "to", p, &m->to) && r.String(v, "from", p, &m->from) &&
         r.Map(v, "headers", p, &m->headers) && r.Time(v, "queued_at", p, &m->queued_at) &&
         r.Int(v, "attempts", p, &m->attempts, 0) &&
         r.Time(v, "next_attempt_at", p, &m->next_attempt_at) &&
         r.String(v, "last_error", p, &m->last_error);
}

}  // namespace

std::string FormatStateTime(WallTime t) {
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const long long frac = ((ms % 1000) + 1000) % 1000;
  std::string s = kube::FormatRfc3339(t, 0);  // "...:SSZ", the fraction truncated
  char buf[8];
  std::snprintf(buf, sizeof buf, ".%03lld", frac);
  s.insert(s.size() - 1, buf);
  return s;
}

std::string EncodeState(const State& state) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "schema");
  w.Int(kStateSchema);
  Key(w, "targets");
  w.StartObject();
  for (const auto& [key, target] : state.targets) {
    Str(w, key);
    Encode(w, target);
  }
  w.EndObject();
  Key(w, "outbox");
  w.StartArray();
  for (const auto& m : state.outbox) Encode(w, m);
  w.EndArray();
  Key(w, "ignored_alerts");
  w.StartObject();
  for (const auto& [key, n] : state.ignored_alerts) {
    Str(w, key);
    w.Int64(n);
  }
  w.EndObject();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<State> DecodeState(std::string_view json) {
  using R = Result<State>;
  auto doc = json::Parse(json, 16);
  if (!doc) return R::Error(doc.error());
  const Value& root = *doc;
  Reader r;
  if (!r.Object(root, "state")) return R::Error(r.error());
  int schema = 0;
  if (!r.Int(root, "schema", "", &schema, 0)) return R::Error(r.error());
  if (schema != kStateSchema) {
    return R::Error("schema: unsupported version " + std::to_string(schema) + " (expected " +
                    std::to_string(kStateSchema) + ")");
  }
  State state;
  const Value* targets = r.Get(root, "targets", "", true);
  if (!targets || !r.Object(*targets, "targets")) return R::Error(r.error());
  for (const auto& m : targets->GetObject()) {
    std::string key(m.name.GetString(), m.name.GetStringLength());
    TargetState t;
    if (!Decode(r, m.value, "targets." + key, &t)) return R::Error(r.error());
    if (t.target.Key() != key) {
      return R::Error("targets." + key + ": key does not match namespace/deployment");
    }
    state.targets.emplace(std::move(key), std::move(t));
  }
  const bool ok = r.Array(root, "outbox", "", [&](const Value& e, const std::string& p) {
    OutboxMail mail;
    if (!Decode(r, e, p, &mail)) return false;
    state.outbox.push_back(std::move(mail));
    return true;
  });
  if (!ok) return R::Error(r.error());
  const Value* ignored = r.Get(root, "ignored_alerts", "", true);
  if (!ignored || !r.Object(*ignored, "ignored_alerts")) return R::Error(r.error());
  for (const auto& m : ignored->GetObject()) {
    if (!m.value.IsInt64() || m.value.GetInt64() < 0) {
      return R::Error("ignored_alerts: expected non-negative integers");
    }
    state.ignored_alerts[std::string(m.name.GetString(), m.name.GetStringLength())] =
        m.value.GetInt64();
  }
  return state;
}

}  // namespace fhc::remediator
