// frigate-remediator: Alertmanager webhooks in, safe and explained restarts of Frigate out.
// This file only wires the parts together.
#include <spdlog/spdlog.h>

#include <iostream>
#include <memory>

#include "common/clock/clock.h"
#include "common/docker/docker_client.h"
#include "common/docker/docker_settings.h"
#include "common/http/http_client.h"
#include "common/http/http_server.h"
#include "common/kube/settings_config.h"
#include "common/program/healthcheck.h"
#include "common/program/program.h"
#include "remediator/actions/docker_restart_action.h"
#include "remediator/actions/dry_run_action.h"
#include "remediator/actions/frigate_api_restart_action.h"
#include "remediator/actions/kubernetes_restart_action.h"
#include "remediator/app/remediator_config.h"
#include "remediator/app/remediator_service.h"
#include "remediator/mail/smtp_mail_sender.h"
#include "remediator/store/configmap_state_store.h"
#include "remediator/store/file_state_store.h"

namespace {

using namespace fhc;
using namespace fhc::remediator;

const settings::ProgramInfo kProgram{
    "frigate-remediator", FHC_VERSION,
    "Receives Alertmanager webhooks and restarts Frigate NVR only when it is safe, with a mail "
    "that explains why.",
    "frigate-remediator [healthcheck] [--setting value ...]\n"
    "  (no command)  serve the webhook, /metrics and the status page on LISTEN\n"
    "  healthcheck   ask the running remediator's GET /healthz on LISTEN's port (https when\n"
    "                TLS_CERT_FILE is set; the image's HEALTHCHECK): exit 0 when it answers 200,\n"
    "                else 1"};

int Fail(const std::string& message) {
  std::cerr << "frigate-remediator: " << message << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  program::BlockStopSignals();
  program::LimitMallocArenas();
  int exit_code = 0;
  auto parsed = program::Start(kProgram, RemediatorSpecs(), argc, argv, exit_code);
  if (!parsed) return program::AsksHealthcheck(argc, argv) && exit_code == 2 ? 1 : exit_code;
  if (parsed->positional == std::vector<std::string>{"healthcheck"}) {
    return program::RunHealthcheck(parsed->settings.Get("LISTEN"),
                                   !parsed->settings.Get("TLS_CERT_FILE").empty());
  }
  if (!parsed->positional.empty()) {
    return Fail("unexpected argument \"" + parsed->positional.front() + "\"");
  }
  auto env = settings::ProcessEnvironment();
  auto config = ToRemediatorConfig(parsed->settings, env);
  if (!config) return Fail(config.error());

  const Clock& clock = SystemClock::Instance();
  http::CurlClient http;

  // Kubernetes, when the action or the store needs it.
  std::unique_ptr<kube::Client> kube;
  const bool needs_kube = config->action == "kubernetes" || config->state_store == "configmap";
  if (needs_kube) {
    auto kc = kube::ConfigFromSettings(config->kube_api_url, config->kube_token_file,
                                       config->kube_ca_file, config->kube_insecure_skip_tls_verify,
                                       config->api_timeout_seconds, env);
    if (!kc) return Fail(kc.error());
    // The state ConfigMap lives in the remediator's own namespace when it runs in a cluster.
    if (!kc->own_namespace.empty()) config->configmap_namespace = kc->own_namespace;
    kube = std::make_unique<kube::Client>(std::move(kc).value(), http, clock);
  }

  // The restart action.
  std::unique_ptr<docker::Client> docker;
  std::unique_ptr<RestartAction> frigate_evidence;
  std::unique_ptr<RestartAction> real_action;
  std::unique_ptr<RestartAction> action;
  const bool use_docker =
      config->action == "docker" || (config->action == "dry-run" && config->dry_run_of == "docker");
  if (!use_docker && (config->action == "kubernetes" || (config->action == "dry-run" && kube))) {
    real_action = std::make_unique<KubernetesRestartAction>(*kube, config->pod_label_selector,
                                                            config->frigate_container);
  } else if (use_docker) {
    // A missing or unwritable socket refuses the start (exit 2) instead of failing every restart.
    auto endpoint = docker::EndpointFromSettings(
        config->docker_host, env, config->docker_tls_verify, config->docker_cert_path);
    if (!endpoint) return Fail(endpoint.error());
    docker::Client::Options o;
    o.endpoint = std::move(endpoint).value();
    o.timeout = std::chrono::milliseconds(static_cast<long>(config->api_timeout_seconds * 1000));
    docker = std::make_unique<docker::Client>(o, http);
    auto docker_action = std::make_unique<DockerRestartAction>(*docker, config->docker_container,
                                                               config->docker_stop_timeout_seconds,
                                                               config->docker_container_label);
    // Frigate's own uptime is the second evidence of recovery (its API on FRIGATE_URL).
    FrigateApiRestartAction::Options fo;
    fo.timeout = std::chrono::milliseconds(static_cast<long>(config->api_timeout_seconds * 1000));
    frigate_evidence = std::make_unique<FrigateApiRestartAction>(http, config->frigate_url,
                                                                 config->frigate_token, clock, fo);
    docker_action->set_frigate_evidence(frigate_evidence.get());
    real_action = std::move(docker_action);
  } else {
    FrigateApiRestartAction::Options o;
    o.timeout = std::chrono::milliseconds(static_cast<long>(config->api_timeout_seconds * 1000));
    real_action = std::make_unique<FrigateApiRestartAction>(http, config->frigate_url,
                                                            config->frigate_token, clock, o);
  }
  if (config->action == "dry-run") {
    // Facts come from the real action so the gates judge a dry run like a real one.
    action = std::make_unique<DryRunAction>(real_action.get());
  } else {
    action = std::move(real_action);
  }

  // The state store.
  std::unique_ptr<StateStore> store;
  if (config->state_store == "file") {
    store = std::make_unique<FileStateStore>(config->state_file);
  } else {
    store = std::make_unique<ConfigMapStateStore>(*kube, config->configmap_namespace,
                                                  config->configmap_name);
  }

  std::unique_ptr<MailSender> mail;
  if (config->email_enabled) mail = std::make_unique<SmtpMailSender>(config->smtp, clock);

  RemediatorService service(*config, *store, *action, mail.get(), clock);
  if (auto started = service.Start(); !started) {
    spdlog::critical("{}", started.error());
    return 1;
  }
  http::ServerOptions server_options;
  server_options.listen = config->listen;
  server_options.threads = static_cast<int>(parsed->settings.GetInt("HTTP_WORKERS"));
  // Bodies up to 1 MiB are the webhook's limit (413 with a message past it); the server itself
  // refuses anything much larger without reading it.
  server_options.max_body_bytes = 2 * 1024 * 1024;
  server_options.tls_cert_file = config->tls_cert_file;
  server_options.tls_key_file = config->tls_key_file;
  http::Server server(server_options);
  service.RegisterRoutes(server);
  if (auto started = server.Start(); !started) {
    spdlog::critical("cannot listen: {}", started.error());
    service.Stop();
    return 1;
  }
  auto host = config->listen.substr(0, config->listen.rfind(':'));
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  spdlog::info(
      "frigate-remediator {} listening on {}://{}:{} (action {}, state {}, webhook auth {}, "
      "mail {})",
      FHC_VERSION, config->tls_cert_file.empty() ? "http" : "https", host, server.port(),
      config->action, store->Describe(), config->auth.mode,
      config->email_enabled ? "to " + config->email.to : "off");
  int sig = program::WaitForStopSignal();
  spdlog::info("stopping on signal {}", sig);
  server.Stop();
  service.Stop();
  return 0;
}
