#include "exporter/health/health_report.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <ctime>

namespace fhc::exporter {
namespace {

std::string Rfc3339(double unix_seconds) {
  std::time_t t = static_cast<std::time_t>(std::floor(unix_seconds));
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", tm);
}

}  // namespace

std::string HealthJson(const HealthReport& r) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  const HealthVerdict& v = *r.verdict;
  w.StartObject();
  w.Key("status");
  w.String(v.healthy() ? "healthy" : "unhealthy");
  w.Key("healthy");
  w.Bool(v.healthy());
  w.Key("failing");
  w.StartArray();
  for (const auto& name : v.FailingReasons()) w.String(name.c_str());
  w.EndArray();
  w.Key("reasons");
  w.StartObject();
  for (const auto& res : v.results) {
    std::string name(ReasonName(res.reason));
    w.Key(name.c_str());
    w.StartObject();
    w.Key("failing");
    w.Bool(res.failing);
    w.Key("detail");
    w.String(res.detail.c_str());
    w.EndObject();
  }
  w.EndObject();
  w.Key("cameras_left_out");
  w.StartObject();
  for (const auto& [camera, why] : v.left_out_cameras) {
    w.Key(camera.c_str());
    w.String(why.c_str());
  }
  w.EndObject();
  w.Key("detectors");
  w.StartObject();
  for (const auto& d : v.detectors) {
    w.Key(d.name.c_str());
    w.StartObject();
    w.Key("type");
    w.String(d.type.c_str());
    w.Key("inference_ms");
    w.Double(d.inference_ms);
    w.Key("limit_ms");
    w.Double(d.limit_ms);
    w.Key("baseline_ms");
    if (d.baseline_ms) {
      w.Double(*d.baseline_ms);
    } else {
      w.Null();
    }
    w.Key("failing");
    w.Bool(d.finding.failing);
    w.Key("rule");
    w.String(d.finding.rule.c_str());
    w.EndObject();
  }
  w.EndObject();
  w.Key("frigate");
  w.StartObject();
  w.Key("url");
  w.String(r.frigate_url.c_str());
  w.Key("stats_usable");
  w.Bool(r.stats_error.empty());
  if (!r.stats_error.empty()) {
    w.Key("error");
    w.String(r.stats_error.c_str());
  }
  if (!r.frigate_version.empty()) {
    w.Key("version");
    w.String(r.frigate_version.c_str());
  }
  if (r.frigate_uptime) {
    w.Key("uptime_seconds");
    w.Double(*r.frigate_uptime);
  }
  if (v.stats_age_seconds) {
    w.Key("stats_age_seconds");
    w.Double(*v.stats_age_seconds);
  }
  w.Key("config");
  w.StartObject();
  w.Key("usable");
  w.Bool(r.config_usable);
  if (r.config_age_seconds) {
    w.Key("age_seconds");
    w.Double(*r.config_age_seconds);
  }
  if (!r.config_error.empty()) {
    w.Key("error");
    w.String(r.config_error.c_str());
  }
  w.EndObject();
  w.EndObject();
  w.Key("log_source");
  w.StartObject();
  w.Key("type");
  w.String(r.log_source.c_str());
  w.Key("up");
  w.Bool(r.log_source_up);
  w.Key("window_minutes");
  w.Int(r.log_window_minutes);
  w.EndObject();
  w.Key("checked_at");
  w.String(Rfc3339(r.checked_at_unix).c_str());
  w.Key("exporter_version");
  w.String(r.exporter_version.c_str());
  w.EndObject();
  return buf.GetString();
}

std::string HealthText(const HealthReport& r) {
  const HealthVerdict& v = *r.verdict;
  std::string out =
      fmt::format("Frigate at {}: {}\n", r.frigate_url, v.healthy() ? "HEALTHY" : "UNHEALTHY");
  if (!r.frigate_version.empty()) {
    out += fmt::format("  version {}", r.frigate_version);
    if (r.frigate_uptime) out += fmt::format(", up {:.0f} s", *r.frigate_uptime);
    out += "\n";
  }
  out += fmt::format("  log source: {} ({}), window {} min\n", r.log_source,
                     r.log_source == "none" ? "off" : (r.log_source_up ? "up" : "DOWN"),
                     r.log_window_minutes);
  if (!r.config_usable) {
    out += fmt::format("  config: not read ({}): detector types unknown\n",
                       r.config_error.empty() ? "not yet" : r.config_error);
  }
  for (const auto& [camera, why] : v.left_out_cameras) {
    out += fmt::format("  camera {} left out of the fps checks: {}\n", camera, why);
  }
  for (const auto& res : v.results) {
    out += fmt::format("  {} {:<22} {}\n", res.failing ? "FAIL" : "ok  ", ReasonName(res.reason),
                       res.detail);
  }
  return out;
}

}  // namespace fhc::exporter
