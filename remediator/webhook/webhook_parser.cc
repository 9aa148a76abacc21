#include "remediator/webhook/webhook_parser.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "common/json/json.h"
#include "remediator/webhook/alert_time.h"

namespace fhc::remediator {

namespace {

using rapidjson::Value;

// Collects the first validation error with the path of the offending field.
class Reader {
 public:
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

  bool Fail(const std::string& path, const std::string& what) {
    if (error_.empty()) error_ = path + ": " + what;
    return false;
  }

  // Optional string member; absent or null leaves *out unchanged.
  bool String(const Value& obj, const char* name, const std::string& path, std::string* out) {
    const auto it = obj.FindMember(name);
    if (it == obj.MemberEnd() || it->value.IsNull()) return true;
    if (!it->value.IsString()) return Fail(path + name, "expected a string");
    out->assign(it->value.GetString(), it->value.GetStringLength());
    return true;
  }

  bool RequiredString(const Value& obj, const char* name, const std::string& path,
                      std::string* out) {
    if (!obj.HasMember(name) || obj[name].IsNull()) return Fail(path + name, "missing");
    return String(obj, name, path, out);
  }

  // Optional object of string values (labels, annotations).
  bool StringMap(const Value& obj, const char* name, const std::string& path, Labels* out,
                 bool required = false) {
    const auto it = obj.FindMember(name);
    if (it == obj.MemberEnd() || it->value.IsNull()) {
      return required ? Fail(path + name, "missing") : true;
    }
    if (!it->value.IsObject()) return Fail(path + name, "expected an object of strings");
    for (const auto& m : it->value.GetObject()) {
      std::string key(m.name.GetString(), m.name.GetStringLength());
      if (!m.value.IsString()) return Fail(path + name + "." + key, "expected a string");
      (*out)[std::move(key)].assign(m.value.GetString(), m.value.GetStringLength());
    }
    return true;
  }

  bool Status(const Value& obj, const std::string& path, AlertStatus* out) {
    std::string s;
    if (!RequiredString(obj, "status", path, &s)) return false;
    if (s == "firing") {
      *out = AlertStatus::kFiring;
    } else if (s == "resolved") {
      *out = AlertStatus::kResolved;
    } else {
      return Fail(path + "status", "expected \"firing\" or \"resolved\"");
    }
    return true;
  }

  bool Time(const Value& obj, const char* name, const std::string& path,
            std::optional<WallTime>* out) {
    std::string s;
    if (!String(obj, name, path, &s)) return false;
    if (s.empty()) return true;
    auto t = ParseAlertTime(s);
    if (!t) return Fail(path + name, t.error());
    *out = *t;
    return true;
  }

 private:
  std::string error_;
};

// A stand-in for a missing fingerprint: FNV-1a over the sorted label set, 16 hex digits like
// Alertmanager's own, so repeated deliveries of the same alert still match each other.
std::string DeriveFingerprint(const Labels& labels) {
  std::uint64_t h = 1469598103934665603ULL;
  const auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;  // separator that cannot occur in UTF-8 text
    h *= 1099511628211ULL;
  };
  for (const auto& [k, v] : labels) {
    mix(k);
    mix(v);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

bool ReadAlert(Reader& r, const Value& v, const std::string& path, Alert* a) {
  if (!v.IsObject()) return r.Fail(path.substr(0, path.size() - 1), "expected an object");
  return r.Status(v, path, &a->status) && r.StringMap(v, "labels", path, &a->labels, true) &&
         r.StringMap(v, "annotations", path, &a->annotations) &&
         r.Time(v, "startsAt", path, &a->starts_at) && r.Time(v, "endsAt", path, &a->ends_at) &&
         r.String(v, "generatorURL", path, &a->generator_url) &&
         r.String(v, "fingerprint", path, &a->fingerprint);
}

}  // namespace

Result<Notification> ParseWebhook(std::string_view body) {
  using R = Result<Notification>;
  auto doc = json::Parse(body, kMaxWebhookDepth);
  if (!doc) return R::Error(doc.error());
  const Value& root = *doc;
  if (!root.IsObject()) return R::Error("body: expected a JSON object");

  Reader r;
  Notification n;
  if (!r.RequiredString(root, "version", "", &n.version)) return R::Error(r.error());
  if (n.version != "4") {
    return R::Error("version: unsupported \"" + n.version.substr(0, 16) + "\" (expected \"4\")");
  }
  const bool header_ok = r.Status(root, "", &n.status) &&
                         r.String(root, "receiver", "", &n.receiver) &&
                         r.String(root, "groupKey", "", &n.group_key) &&
                         r.String(root, "externalURL", "", &n.external_url) &&
                         r.String(root, "notification_reason", "", &n.notification_reason) &&
                         r.StringMap(root, "groupLabels", "", &n.group_labels) &&
                         r.StringMap(root, "commonLabels", "", &n.common_labels) &&
                         r.StringMap(root, "commonAnnotations", "", &n.common_annotations);
  if (!header_ok) return R::Error(r.error());

  if (const auto it = root.FindMember("truncatedAlerts");
      it != root.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsInt64() || it->value.GetInt64() < 0) {
      return R::Error("truncatedAlerts: expected a non-negative integer");
    }
    n.truncated_alerts = it->value.GetInt64();
  }

  const auto alerts = root.FindMember("alerts");
  if (alerts == root.MemberEnd() || alerts->value.IsNull()) return R::Error("alerts: missing");
  if (!alerts->value.IsArray()) return R::Error("alerts: expected an array");
  n.alerts.reserve(alerts->value.Size());
  for (rapidjson::SizeType i = 0; i < alerts->value.Size(); ++i) {
    Alert a;
    if (!ReadAlert(r, alerts->value[i], "alerts[" + std::to_string(i) + "].", &a)) {
      return R::Error(r.error());
    }
    if (a.fingerprint.empty()) a.fingerprint = DeriveFingerprint(a.labels);
    n.alerts.push_back(std::move(a));
  }
  return n;
}

}  // namespace fhc::remediator
