#pragma once
// The remediator's settings: their declarations (for parsing and --help) and the typed
// configuration the program runs with.
#include <map>
#include <string>
#include <vector>

#include "common/core/result.h"
#include "common/settings/settings.h"
#include "remediator/decision/decision_settings.h"
#include "remediator/mail/email.h"
#include "remediator/mail/smtp_mail_sender.h"

namespace fhc::remediator {

inline constexpr const char* kRemediatorDefaultListen = "0.0.0.0:9712";

std::vector<settings::Spec> RemediatorSpecs();

struct WebhookAuthConfig {
  std::string mode{};  // bearer | basic | none
  std::string token{};
  std::string user{};
  std::string password{};
};

struct RemediatorConfig {
  std::string listen;
  std::string tls_cert_file, tls_key_file;
  WebhookAuthConfig auth;
  DecisionSettings decision;
  bool in_cluster = false;
  std::string action;       // kubernetes | docker | frigate-api | dry-run (resolved)
  std::string dry_run_of;   // with DRY_RUN=true: the action it stands in for
  std::string state_store;  // configmap | file (resolved)
  std::string state_file;
  std::string configmap_name;
  std::string configmap_namespace;  // the remediator's own namespace (in-cluster) or NAMESPACE
  std::string frigate_url, frigate_token;
  double api_timeout_seconds = 10;
  std::string pod_label_selector;  // "" = each target's Deployment's spec.selector
  std::string frigate_container;   // "" = named like the deployment, else "frigate"
  std::string docker_host;         // "" = the environment's DOCKER_HOST or the default socket
  std::string docker_container = "frigate";
  std::string docker_container_label;
  std::string docker_tls_verify;  // "" = the environment's DOCKER_TLS_VERIFY
  std::string docker_cert_path;   // "" = the environment's DOCKER_CERT_PATH or ~/.docker
  int docker_stop_timeout_seconds = 30;
  std::string kube_api_url, kube_token_file, kube_ca_file;
  bool kube_insecure_skip_tls_verify = false;
  bool email_enabled = false;  // ALERT_EMAIL and SMTP_HOST set
  SmtpConfig smtp;
  EmailSettings email;
  double recovery_timeout_seconds = 600;
  double recovery_poll_seconds = 2;
  double mail_retry_seconds = 60;
};

// Converts validated settings; resolves the defaults that depend on where the program runs
// (in a cluster: kubernetes action and configmap store; outside: frigate-api and file). Errors
// are one line naming the setting.
Result<RemediatorConfig> ToRemediatorConfig(const settings::Settings& s,
                                            const std::map<std::string, std::string>& env);

}  // namespace fhc::remediator
