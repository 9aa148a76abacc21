#include "remediator/app/remediator_config.h"

#include <fstream>

#include "common/docker/docker_settings.h"
#include "common/kube/kube_client.h"

namespace fhc::remediator {

using settings::Spec;
namespace accept = settings::accept;

std::vector<settings::Spec> RemediatorSpecs() {
  std::vector<Spec> specs = settings::CommonSpecs(kRemediatorDefaultListen);
  // POD_LABEL_SELECTOR is only an override here: each target's pods are found by its own
  // Deployment's spec.selector (a fixed "app=frigate" missed the official chart's pods and gave
  // every target the first one's pod). Its common default is dropped; a value someone set still
  // wins, as before.
  std::erase_if(specs, [](const Spec& s) { return s.name == "POD_LABEL_SELECTOR"; });
  std::vector<Spec> own = {
      {"POD_LABEL_SELECTOR", "",
       "override of the label selector that finds Frigate's pods; empty: each target's own "
       "Deployment's spec.selector"},
      {"WEBHOOK_AUTH", "bearer",
       "how Alertmanager authenticates: bearer (WEBHOOK_TOKEN), basic (WEBHOOK_USER and "
       "WEBHOOK_PASSWORD) or none (only on purpose)",
       accept::OneOf({"bearer", "basic", "none"})},
      {"WEBHOOK_TOKEN", "", "bearer token Alertmanager sends (WEBHOOK_AUTH=bearer)", accept::Any(),
       true},
      {"WEBHOOK_USER", "", "basic-auth user (WEBHOOK_AUTH=basic)"},
      {"WEBHOOK_PASSWORD", "", "basic-auth password (WEBHOOK_AUTH=basic)", accept::Any(), true},
      {"TLS_CERT_FILE", "", "serve HTTPS with this certificate (PEM; with TLS_KEY_FILE)"},
      {"TLS_KEY_FILE", "", "private key of TLS_CERT_FILE (PEM)"},
      {"ALLOWED_TARGETS", "",
       "namespace/deployment pairs that may be restarted (comma list or JSON list); empty: only "
       "NAMESPACE/DEPLOYMENT_NAME",
       accept::StringList()},
      {"OBSERVATION_INTERVAL_SECONDS", "30",
       "notifications within this many seconds count as one observation", accept::Int(0, 86400)},
      {"CONSECUTIVE_FAILURES_REQUIRED", "2", "observations in a row before a restart",
       accept::Int(1, 1000)},
      {"MAX_RESTARTS_PER_HOUR", "2", "circuit breaker: restarts allowed in a sliding hour",
       accept::Int(0, 1000)},
      {"CIRCUIT_WINDOW_SECONDS", "3600",
       "length of the circuit breaker's sliding window (an hour; shorten only to compress time "
       "in tests and demos)",
       accept::Int(1, 86400)},
      {"ESCALATE_AFTER_RESTARTS", "3",
       "restarts within one incident after which, if its alerts still fire, restarts stop for "
       "that incident and a mail says they are not helping (0 = never)",
       accept::Int(0, 100)},
      {"INCIDENT_REOPEN_SECONDS", "900",
       "an incident that had restarts goes on (its restarts keep counting) when its alerts fire "
       "again within this many seconds of resolving: the restart interrupted them, the fault "
       "stayed",
       accept::Int(0, 86400)},
      {"STARTUP_GRACE_PERIOD_SECONDS", "600",
       "no restart while Frigate started less than this many seconds ago", accept::Int(0, 86400)},
      {"RESTART_ACTION", "",
       "kubernetes (patch the deployment like kubectl rollout restart), docker (restart "
       "DOCKER_CONTAINER through the Docker Engine API at DOCKER_HOST), frigate-api (POST "
       "/api/restart) or dry-run; empty: kubernetes in a cluster, frigate-api outside",
       accept::OneOf({"", "kubernetes", "docker", "frigate-api", "dry-run"})},
      {"DOCKER_STOP_TIMEOUT_SECONDS", "30",
       "RESTART_ACTION=docker: how long Docker waits after SIGTERM before killing Frigate (the t "
       "of docker restart -t)",
       accept::Int(0, 3600)},
      {"DRY_RUN", "false", "decide and mail, but never restart (same as RESTART_ACTION=dry-run)",
       accept::Bool()},
      {"RECOVERY_TIMEOUT_SECONDS", "600",
       "how long to watch a restart recover before calling it failed", accept::Int(1, 86400)},
      {"STATE_STORE", "",
       "configmap (CONFIGMAP_NAME) or file (STATE_FILE); empty: configmap in a cluster, file "
       "outside",
       accept::OneOf({"", "configmap", "file"})},
      {"STATE_FILE", "/var/lib/frigate-health/remediator-state.json",
       "state file for STATE_STORE=file (written atomically, locked)"},
      {"CONFIGMAP_NAME", "frigate-health-state",
       "ConfigMap holding the state (STATE_STORE=configmap), in the remediator's namespace"},
      {"SMTP_HOST", "smtp.mail.yahoo.com", "mail server"},
      {"SMTP_PORT", "465", "mail server port", accept::Int(1, 65535)},
      {"SMTP_TLS", "",
       "implicit (TLS from the start), starttls, or none (plaintext, only on purpose); empty: "
       "implicit on port 465, starttls otherwise",
       accept::OneOf({"", "implicit", "starttls", "none"})},
      {"SMTP_CA_FILE", "", "CA bundle for the mail server's certificate (default: the system's)"},
      {"SMTP_USER", "", "mail login (no login when empty)"},
      {"SMTP_PASSWORD", "", "mail password", accept::Any(), true},
      {"ALERT_EMAIL", "", "where mails go (comma list); mail is off when empty"},
      {"EMAIL_FROM", "", "sender address (default: SMTP_USER, else frigate-remediator@localhost)"},
      {"MAIL_RETRY_SECONDS", "60", "how long an unsent mail waits before the next try",
       accept::Int(1, 86400)},
      {"GRAFANA_URL", "", "Grafana link for mails", accept::OptionalHttpUrl()},
      {"FRIGATE_PUBLIC_URL", "", "Frigate UI link for mails", accept::OptionalHttpUrl()},
  };
  specs.insert(specs.end(), own.begin(), own.end());
  const auto docker_specs = docker::DockerSpecs();
  specs.insert(specs.end(), docker_specs.begin(), docker_specs.end());
  return specs;
}

Result<RemediatorConfig> ToRemediatorConfig(const settings::Settings& s,
                                            const std::map<std::string, std::string>& env) {
  using R = Result<RemediatorConfig>;
  RemediatorConfig c;
  c.listen = s.Get("LISTEN");
  c.tls_cert_file = s.Get("TLS_CERT_FILE");
  c.tls_key_file = s.Get("TLS_KEY_FILE");
  if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
    return R::Error(
        settings::InvalidSettingMessage(c.tls_cert_file.empty() ? "TLS_CERT_FILE" : "TLS_KEY_FILE",
                                        "", "both TLS_CERT_FILE and TLS_KEY_FILE, or neither"));
  }
  c.auth.mode = s.Get("WEBHOOK_AUTH");
  c.auth.token = s.Get("WEBHOOK_TOKEN");
  c.auth.user = s.Get("WEBHOOK_USER");
  c.auth.password = s.Get("WEBHOOK_PASSWORD");
  if (c.auth.mode == "bearer" && c.auth.token.empty()) {
    return R::Error(settings::InvalidSettingMessage("WEBHOOK_TOKEN", "",
                                                    "a token when WEBHOOK_AUTH=bearer (or set "
                                                    "WEBHOOK_AUTH=none on purpose)"));
  }
  if (c.auth.mode == "basic" && (c.auth.user.empty() || c.auth.password.empty())) {
    return R::Error(
        settings::InvalidSettingMessage(c.auth.user.empty() ? "WEBHOOK_USER" : "WEBHOOK_PASSWORD",
                                        "", "a value when WEBHOOK_AUTH=basic"));
  }

  c.in_cluster = kube::InCluster(env);
  auto& d = c.decision;
  d.default_target = Target{s.Get("NAMESPACE"), s.Get("DEPLOYMENT_NAME")};
  for (const auto& item : s.GetList("ALLOWED_TARGETS")) {
    auto slash = item.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == item.size() ||
        item.find('/', slash + 1) != std::string::npos) {
      return R::Error(
          settings::InvalidSettingMessage("ALLOWED_TARGETS", item, "namespace/deployment pairs"));
    }
    d.allowed_targets.push_back(Target{item.substr(0, slash), item.substr(slash + 1)});
  }
  d.observation_interval = std::chrono::seconds(s.GetInt("OBSERVATION_INTERVAL_SECONDS"));
  d.gates.consecutive_failures_required =
      static_cast<int>(s.GetInt("CONSECUTIVE_FAILURES_REQUIRED"));
  d.gates.max_restarts_per_hour = static_cast<int>(s.GetInt("MAX_RESTARTS_PER_HOUR"));
  d.gates.circuit_window = std::chrono::seconds(s.GetInt("CIRCUIT_WINDOW_SECONDS"));
  d.gates.startup_grace = std::chrono::seconds(s.GetInt("STARTUP_GRACE_PERIOD_SECONDS"));
  d.escalate_after_restarts = static_cast<int>(s.GetInt("ESCALATE_AFTER_RESTARTS"));
  d.incident_reopen = std::chrono::seconds(s.GetInt("INCIDENT_REOPEN_SECONDS"));

  c.action = s.Get("RESTART_ACTION");
  if (c.action.empty()) c.action = c.in_cluster ? "kubernetes" : "frigate-api";
  if (s.GetBool("DRY_RUN")) {
    c.dry_run_of = c.action;  // a dry run judges with this action's facts (docker's, here)
    c.action = "dry-run";
  }
  d.action = c.action;
  c.state_store = s.Get("STATE_STORE");
  if (c.state_store.empty()) c.state_store = c.in_cluster ? "configmap" : "file";
  c.state_file = s.Get("STATE_FILE");
  if (c.state_store == "file" && c.state_file.empty()) {
    return R::Error(
        settings::InvalidSettingMessage("STATE_FILE", "", "a file path when STATE_STORE=file"));
  }
  c.configmap_name = s.Get("CONFIGMAP_NAME");
  c.configmap_namespace = s.Get("NAMESPACE");

  c.frigate_url = s.Get("FRIGATE_URL");
  c.frigate_token = s.Get("FRIGATE_TOKEN");
  c.api_timeout_seconds = s.GetDouble("API_TIMEOUT_SECONDS");
  c.pod_label_selector = s.Get("POD_LABEL_SELECTOR");
  c.frigate_container = s.Get("FRIGATE_CONTAINER");
  c.docker_host = s.Get("DOCKER_HOST");
  c.docker_container = s.Get("DOCKER_CONTAINER");
  c.docker_container_label = s.Get("DOCKER_CONTAINER_LABEL");
  c.docker_tls_verify = s.Get("DOCKER_TLS_VERIFY");
  c.docker_cert_path = s.Get("DOCKER_CERT_PATH");
  c.docker_stop_timeout_seconds = static_cast<int>(s.GetInt("DOCKER_STOP_TIMEOUT_SECONDS"));
  c.kube_api_url = s.Get("KUBE_API_URL");
  c.kube_token_file = s.Get("KUBE_TOKEN_FILE");
  c.kube_ca_file = s.Get("KUBE_CA_FILE");
  c.kube_insecure_skip_tls_verify = s.GetBool("KUBE_INSECURE_SKIP_TLS_VERIFY");
  c.recovery_timeout_seconds = static_cast<double>(s.GetInt("RECOVERY_TIMEOUT_SECONDS"));
  c.mail_retry_seconds = static_cast<double>(s.GetInt("MAIL_RETRY_SECONDS"));

  c.email.to = s.Get("ALERT_EMAIL");
  c.email_enabled = !c.email.to.empty() && !s.Get("SMTP_HOST").empty();
  c.smtp.host = s.Get("SMTP_HOST");
  c.smtp.port = static_cast<int>(s.GetInt("SMTP_PORT"));
  const std::string tls = s.Get("SMTP_TLS");
  if (tls.empty()) {
    c.smtp.tls = DefaultSmtpTls(c.smtp.port);
  } else if (auto parsed = ParseSmtpTls(tls)) {
    c.smtp.tls = *parsed;
  }
  c.smtp.ca_file = s.Get("SMTP_CA_FILE");
  c.smtp.user = s.Get("SMTP_USER");
  c.smtp.password = s.Get("SMTP_PASSWORD");
  c.email.from = s.Get("EMAIL_FROM");
  if (c.email.from.empty()) {
    c.email.from =
        c.smtp.user.find('@') != std::string::npos ? c.smtp.user : "frigate-remediator@localhost";
  }
  c.email.grafana_url = s.Get("GRAFANA_URL");
  c.email.frigate_public_url = s.Get("FRIGATE_PUBLIC_URL");
  c.email.max_restarts_per_hour = d.gates.max_restarts_per_hour;
  return c;
}

}  // namespace fhc::remediator
