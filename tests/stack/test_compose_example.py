"""docs/docker-compose.example.yml and its configuration files (docs/compose/).

Docker cannot run here, so the Compose file is parsed and each service's configuration is checked
with the real tools: every mounted file exists; Prometheus' configuration passes promtool and
loads the chart's rules; scrape targets are the services' ports; Alertmanager's passes amtool,
routes as the chart's AlertmanagerConfig does, and the real Alertmanager mails a person about an
alert a restart cannot fix; the health checks the images can run answer against the real servers;
Grafana's provisioning names the Prometheus service and the dashboard file; the remediator
restarts Frigate's container through the socket proxy service, whose settings (run by the Docker
Engine API double's docker-socket-proxy rules) let through every call the real remediator makes.
"""
import email
import email.policy
import http.server
import json
import os
import pathlib
import re
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
import yaml

from stack_common import DASHBOARD, EXPORTER, REMEDIATOR, REPO, RULES, helm_template, require_tool, run
from fhc_testlib import PY, Proc, free_port, wait_until
from docker_testlib import DOCKER_DOUBLE

DOCS = REPO / "docs"
COMPOSE = DOCS / "docker-compose.example.yml"
SMTP_SERVER = REPO / "tests" / "doubles" / "smtp_server.py"
SIMULATOR = REPO / "tests" / "doubles" / "frigate_sim.py"

# Frigate's own image HEALTHCHECK (docker/main/Dockerfile, tag v0.17.2, the `frigate` stage):
# --start-period=300s --interval=15s --timeout=5s --retries=3 and this command.
UPSTREAM_FRIGATE_HEALTHCHECK = (
    "test -f /dev/shm/.frigate-is-stopping && exit 0; "
    "curl --fail --silent --show-error http://127.0.0.1:5000/api/version || exit 1")
# Health endpoints of the third-party services (Prometheus and Alertmanager /-/healthy, Grafana
# /api/health), checked with the busybox wget their images ship.
HEALTH_PATHS = {"prometheus": "/-/healthy", "alertmanager": "/-/healthy", "grafana": "/api/health"}
# Bind mounts that hold the user's own data, not files of this repository.
USER_DATA = {"./frigate/config", "./frigate/media"}
# The host's Docker socket, given to the socket proxy alone.
DOCKER_SOCKET = "/var/run/docker.sock"
# The socket proxy service (Tecnativa's docker-socket-proxy, port 2375 in its Dockerfile at v0.4.1).
PROXY, PROXY_PORT = "docker-socket-proxy", 2375


def compose():
    return yaml.safe_load(COMPOSE.read_text())


def service(name):
    return compose()["services"][name]


def bind_mounts(name):
    """{target in the container: source path} of the service's bind mounts."""
    out = {}
    for volume in service(name).get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith((".", "/")):
            out[target] = source
    return out


def mounted_file(name, target):
    """The repository file the service sees at `target`."""
    source = bind_mounts(name).get(target)
    assert source, f"{name}: nothing is mounted at {target}"
    return (DOCS / source).resolve()


def published_ports(name):
    """{container port: host port} of the service's published ports."""
    out = {}
    for p in service(name).get("ports", []):
        parts = str(p).split(":")
        out[int(parts[-1])] = int(parts[-2])
    return out


def prometheus_config():
    return yaml.safe_load(mounted_file("prometheus", "/etc/prometheus/prometheus.yml").read_text())


def alertmanager_path():
    return mounted_file("alertmanager", "/etc/alertmanager/alertmanager.yml")


def alertmanager_config():
    return yaml.safe_load(alertmanager_path().read_text())


def secret_target(name, secret):
    """Where the service sees the Compose secret `secret`."""
    for s in service(name).get("secrets", []):
        if s == secret:
            return f"/run/secrets/{secret}"
        if isinstance(s, dict) and s["source"] == secret:
            return s.get("target", f"/run/secrets/{secret}")
    raise AssertionError(f"{name} does not get secret {secret}")


def listen_port(name):
    """The port the service listens on in its container."""
    env = service(name).get("environment", {})
    if name in ("frigate-exporter", "frigate-remediator"):
        listen = env.get("FRIGATE_HC_LISTEN") or {"frigate-exporter": "0.0.0.0:9711",
                                                  "frigate-remediator": "0.0.0.0:9712"}[name]
        return int(listen.rsplit(":", 1)[1])
    flags = " ".join(service(name).get("command", []))
    m = re.search(r"--web\.listen-address=\S*:(\d+)", flags)
    return int(m.group(1)) if m else {"prometheus": 9090, "alertmanager": 9093, "grafana": 3000}[name]


def rules():
    doc = yaml.safe_load(RULES.read_text())
    return [r for g in doc["groups"] for r in g["rules"]]


def alert_label_sets():
    """The labels each alert of the rules carries besides those copied from its series."""
    return [{"alertname": r["alert"], **{k: str(v) for k, v in r.get("labels", {}).items()
                                         if "{{" not in str(v)}} for r in rules()]


def routed(config_path, labels):
    amtool = require_tool("amtool", "apt-get install prometheus-alertmanager")
    args = [f"{k}={v}" for k, v in labels.items()]
    result = run([amtool, "config", "routes", "test", f"--config.file={config_path}", *args])
    assert result.returncode == 0, result.stdout + result.stderr
    return set(result.stdout.strip().split(","))


# ------------------------------------------------------------------------------------------------
# Files and images


def test_mounted_files_exist_and_secrets_are_explained():
    c = compose()
    for name in c["services"]:
        for target, source in bind_mounts(name).items():
            if source in USER_DATA or (name == PROXY and source == DOCKER_SOCKET):
                continue
            assert (DOCS / source).resolve().exists(), f"{name}: {source} (mounted at {target})"
    header = COMPOSE.read_text().split("\nname:")[0]
    for secret in c["secrets"].values():
        assert pathlib.PurePosixPath(secret["file"]).name in header, \
            f"the header does not say how to make {secret['file']}"


def test_images_are_pinned_and_frigate_is_a_release_the_simulator_covers():
    for name, s in compose()["services"].items():
        image = s["image"]
        tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else "latest"
        if image == "frigate-health:local":
            continue
        assert re.fullmatch(r"v?\d+\.\d+\.\d+", tag), f"{name}: {image} is not a pinned release"
    frigate = service("frigate")["image"]
    assert frigate.startswith("ghcr.io/blakeblackshear/frigate:")
    minor = ".".join(frigate.rsplit(":", 1)[1].split(".")[:2])
    versions = re.search(r"--version \{([^}]*)\}", run([sys.executable, SIMULATOR, "--help"]).stdout)
    assert minor in versions.group(1).split(","), f"the simulator has no profile for Frigate {minor}"


def test_programs_get_only_frigate_hc_settings_and_run_locked_down():
    for name in ("frigate-exporter", "frigate-remediator"):
        s = service(name)
        assert all(k.startswith("FRIGATE_HC_") for k in s["environment"]), name
        assert s["read_only"] is True and s["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in s["security_opt"], name


# ------------------------------------------------------------------------------------------------
# Health checks


def test_every_service_has_a_health_check_its_image_can_run():
    c = compose()
    dockerfile_entrypoint = re.search(r'^ENTRYPOINT \["([^"]+)"\]', (REPO / "Dockerfile").read_text(),
                                      re.M).group(1)
    for name, s in c["services"].items():
        check = s.get("healthcheck")
        assert check and check.get("test"), f"{name} has no healthcheck"
        test = check["test"]
        if name == "frigate":
            assert test == ["CMD-SHELL", UPSTREAM_FRIGATE_HEALTHCHECK]
            assert (check["start_period"], check["interval"], check["timeout"], check["retries"]) == (
                "300s", "15s", "5s", 3)
        elif name in ("frigate-exporter", "frigate-remediator"):
            # The programs' own `healthcheck` subcommand: the image has no shell and no curl.
            binary = s.get("entrypoint", [dockerfile_entrypoint])[0]
            assert binary.endswith("/" + name), name
            assert test == ["CMD", binary, "healthcheck"], name
        elif name == PROXY:
            # busybox wget (the image is haproxy:*-alpine) pings the daemon through the proxy;
            # the proxy publishes no port.
            assert test == ["CMD", "wget", "-q", "-O", "/dev/null",
                            f"http://127.0.0.1:{PROXY_PORT}/_ping"], name
            assert not published_ports(name), name
        else:
            port = listen_port(name)
            assert test == ["CMD", "wget", "-q", "-O", "/dev/null",
                            f"http://127.0.0.1:{port}{HEALTH_PATHS[name]}"], name
            assert port in published_ports(name), name
    # Nothing waits for Frigate to be healthy: the exporter must run to report a sick Frigate.
    for name, s in c["services"].items():
        for dep, cond in (s.get("depends_on") or {}).items():
            if dep == "frigate":
                assert cond["condition"] == "service_started", name


def local_program_env(name, tmp_path, port):
    """The service's Compose environment, runnable here: its own LISTEN port, Frigate on a closed
    loopback port, secrets and state in tmp_path."""
    env = dict(service(name)["environment"])
    env["FRIGATE_HC_LISTEN"] = f"127.0.0.1:{port}"
    env["FRIGATE_HC_FRIGATE_URL"] = f"http://127.0.0.1:{free_port()}"
    for key, value in env.items():
        if str(value).startswith("/run/secrets/"):
            path = tmp_path / pathlib.PurePosixPath(value).name
            path.write_text("s3cret-token")
            env[key] = str(path)
    if "FRIGATE_HC_STATE_FILE" in env:
        env["FRIGATE_HC_STATE_FILE"] = str(tmp_path / "state.json")
    return env


def test_the_programs_health_checks_answer_the_real_programs(tmp_path):
    """Each program's Compose health check, run with the service's settings: 0 while the program
    serves, 1 once it stopped. Needs the programs' `healthcheck` command (the image's branch)."""
    for name, binary in (("frigate-exporter", EXPORTER), ("frigate-remediator", REMEDIATOR)):
        if not binary.exists():
            pytest.fail(f"{binary} not built (scripts/build.sh)")
        port = free_port()
        env = local_program_env(name, tmp_path, port)
        proc = Proc([binary], env=env, name=name, logdir=tmp_path)
        try:
            wait_until(lambda: http_status(f"http://127.0.0.1:{port}/metrics") == 200, 15,
                       what=f"{name} serving")
            test = service(name)["healthcheck"]["test"]
            local = [binary if arg == test[1] else arg for arg in test[1:]]
            result = run(local, env={**os.environ, **env})
            assert result.returncode == 0, f"{name}: {result.stdout}{result.stderr}"
        finally:
            proc.stop()
        result = run(local, env={**os.environ, **env})
        assert result.returncode == 1, f"{name} stopped: {result.returncode} {result.stdout}"


def start_alertmanager(tmp_path, config):
    binary = require_tool("prometheus-alertmanager", "apt-get install prometheus-alertmanager")
    path = tmp_path / "alertmanager.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    port = free_port()
    proc = Proc([binary, f"--config.file={path}", f"--storage.path={tmp_path / 'am-data'}",
                 f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
                name="alertmanager", logdir=tmp_path)
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: http_status(url + "/-/ready") == 200, 30, what="Alertmanager ready")
    return proc, url


def start_prometheus(tmp_path, config):
    binary = require_tool("prometheus", "apt-get install prometheus")
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    port = free_port()
    proc = Proc([binary, f"--config.file={path}", f"--storage.tsdb.path={tmp_path / 'prom-data'}",
                 f"--web.listen-address=127.0.0.1:{port}"], name="prometheus", logdir=tmp_path)
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: http_status(url + "/-/ready") == 200, 30, what="Prometheus ready")
    return proc, url


def http_status(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None


def local_prometheus_config():
    """The Compose Prometheus configuration with the mounted rule file at its repository path."""
    config = prometheus_config()
    config["rule_files"] = [str(mounted_file("prometheus", f)) for f in config["rule_files"]]
    return config


def local_alertmanager_config(tmp_path):
    """The Compose Alertmanager configuration with its secret files in tmp_path."""
    config = alertmanager_config()
    (tmp_path / "smtp-password").write_text("pw")
    (tmp_path / "token").write_text("t0ken")
    config["global"]["smtp_auth_password_file"] = str(tmp_path / "smtp-password")
    for r in config["receivers"]:
        for hook in r.get("webhook_configs", []):
            hook["http_config"]["authorization"]["credentials_file"] = str(tmp_path / "token")
    return config


def test_health_checks_of_prometheus_and_alertmanager_answer_the_real_servers(tmp_path):
    """The images' busybox wget takes the same flags as GNU wget here: 0 while up, not after."""
    wget = require_tool("wget", "apt-get install wget")
    servers = {"prometheus": start_prometheus(tmp_path, local_prometheus_config()),
               "alertmanager": start_alertmanager(tmp_path, local_alertmanager_config(tmp_path))}
    try:
        for name, (proc, url) in servers.items():
            test = service(name)["healthcheck"]["test"][1:]
            local = [wget] + [a.replace(f"http://127.0.0.1:{listen_port(name)}", url) for a in test[1:]]
            assert local != [wget] + test[1:]
            assert run(local).returncode == 0, name
            proc.stop()
            assert run(local).returncode != 0, f"{name}: the check passes with the server down"
    finally:
        for proc, _ in servers.values():
            proc.stop()


# ------------------------------------------------------------------------------------------------
# Prometheus


def test_prometheus_config_is_valid_and_loads_the_rules(tmp_path):
    promtool = require_tool("promtool", "apt-get install prometheus")
    config = prometheus_config()
    assert config["rule_files"] == ["/etc/prometheus/rules/frigate-health.rules.yml"]
    assert mounted_file("prometheus", config["rule_files"][0]) == RULES
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(local_prometheus_config()))
    result = run([promtool, "check", "config", path])
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(rules())} rules found" in result.stdout


def test_the_rules_are_the_charts_rules():
    """Same alerts with the same routing labels as the chart's PrometheusRule (default values)."""
    rule = next(d for d in helm_template() if d["kind"] == "PrometheusRule")
    chart = {r["alert"]: (r["labels"].get("severity"), r["labels"].get("remediate"))
             for g in rule["spec"]["groups"] for r in g["rules"]}
    ours = {r["alert"]: (r["labels"].get("severity"), r["labels"].get("remediate")) for r in rules()}
    assert ours == chart


def test_scrape_targets_are_the_services_ports():
    c = compose()
    config = prometheus_config()
    rules_text = RULES.read_text()
    jobs = {}
    for job in config["scrape_configs"]:
        for target in job["static_configs"][0]["targets"]:
            host, port = target.split(":")
            assert host in c["services"], f"{job['job_name']}: no service {host}"
            assert int(port) == listen_port(host), f"{job['job_name']}: {target}"
            jobs[job["job_name"]] = host
    assert jobs == {"frigate-exporter": "frigate-exporter", "frigate-remediator": "frigate-remediator"}
    for job in jobs:  # the names FrigateExporterDown / FrigateRemediatorDown look for
        assert re.search(rf'job=~?"[^"]*{job}', rules_text), job
    (am,) = config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    host, port = am.split(":")
    assert host == "alertmanager" and int(port) == listen_port("alertmanager")


# ------------------------------------------------------------------------------------------------
# Alertmanager


def test_alertmanager_config_is_valid():
    amtool = require_tool("amtool", "apt-get install prometheus-alertmanager")
    result = run([amtool, "check-config", alertmanager_path()])
    assert result.returncode == 0, result.stdout + result.stderr


def test_restart_alerts_go_to_the_remediator_the_others_also_to_a_person():
    path = alertmanager_path()
    # A restart alert and a manual one, as named in README ("remediate").
    assert routed(path, {"alertname": "FrigateInferenceSlow", "remediate": "restart",
                         "severity": "warning"}) == {"frigate-remediator"}
    assert routed(path, {"alertname": "FrigateEdgeTpuMissing", "remediate": "manual",
                         "severity": "critical"}) == {"frigate-remediator", "frigate-people"}
    assert routed(path, {"alertname": "NodeFilesystemAlmostFull"}) == {"frigate-people"}
    # Every alert of the rules: a restart alert reaches the remediator alone (it mails about its
    # restarts), every other one the remediator and a person.
    for labels in alert_label_sets():
        want = {"frigate-remediator"} | (set() if labels.get("remediate") == "restart" else {"frigate-people"})
        assert routed(path, labels) == want, labels
    for name in ("FrigateNoFrames", "FrigateExporterDown", "FrigateRemediatorMailFailing",
                 "FrigateRemediatorCircuitOpen"):
        labels = next(s for s in alert_label_sets() if s["alertname"] == name)
        assert "frigate-people" in routed(path, labels), name


def receiver_kinds(receivers):
    """{receiver name: kind}: "remediator" for a webhook to .../webhook, "email", or "none"."""
    out = {}
    for r in receivers:
        hooks = r.get("webhook_configs") or r.get("webhookConfigs") or []
        mails = r.get("email_configs") or r.get("emailConfigs") or []
        kinds = {"remediator" for h in hooks if h["url"].rstrip("/").endswith("/webhook")}
        kinds |= {"email" for _ in mails}
        assert len(kinds) <= 1, r["name"]
        out[r["name"]] = kinds.pop() if kinds else "none"
    return out


def operator_route(route, prefix):
    """An AlertmanagerConfig route as prometheus-operator writes it into alertmanager.yml, with
    the matcher strategy None (no namespace matcher added)."""
    ops = {"=": "=", "!=": "!=", "=~": "=~", "!~": "!~"}
    out = {"receiver": prefix + route["receiver"]} if route.get("receiver") else {}
    out["matchers"] = [f'{m["name"]}{ops[m.get("matchType", "=")]}{json.dumps(m["value"])}'
                       for m in route.get("matchers", [])]
    for camel, snake in (("groupBy", "group_by"), ("groupWait", "group_wait"),
                         ("groupInterval", "group_interval"), ("repeatInterval", "repeat_interval"),
                         ("continue", "continue")):
        if camel in route:
            out[snake] = route[camel]
    if route.get("routes"):
        out["routes"] = [operator_route(r, prefix) for r in route["routes"]]
    return out


def chart_alertmanager(tmp_path, sets=()):
    """(alertmanager.yml path, {receiver: kind}, top route) generated from the chart's rendered
    AlertmanagerConfig the way the operator does: under a root route to "null", every route of
    the AlertmanagerConfig with its receivers named <namespace>/<name>/<receiver>, continue: true."""
    amcs = [d for d in helm_template(sets) if d["kind"] == "AlertmanagerConfig"]
    assert amcs, "the chart renders no AlertmanagerConfig"
    routes, receivers, kinds = [], [{"name": "null"}], {"null": "none"}
    for amc in amcs:
        prefix = f'{amc["metadata"]["namespace"]}/{amc["metadata"]["name"]}/'
        top = operator_route(amc["spec"]["route"], prefix)
        top["continue"] = True
        routes.append(top)
        for name, kind in receiver_kinds(amc["spec"]["receivers"]).items():
            receivers.append({"name": prefix + name})
            kinds[prefix + name] = kind
    config = {"route": {"receiver": "null", "group_by": ["namespace"], "routes": routes},
              "receivers": receivers}
    path = tmp_path / "chart-alertmanager.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path, kinds, routes


def remediator_route(routes, kinds):
    """The route (searched depth-first) whose receiver is the remediator."""
    for r in routes:
        if kinds.get(r.get("receiver")) == "remediator":
            return r
        found = remediator_route(r.get("routes", []), kinds)
        if found:
            return found
    return None


# The chart with its mail switched on (values of README's Helm example).
CHART_MAIL = ["remediator.smtp.enabled=true", "remediator.smtp.user=me@example.org",
              "remediator.smtp.alertEmail=me@example.org", "remediator.smtp.password=pw"]


@pytest.mark.parametrize("mail", [False, True], ids=["chart-defaults", "chart-with-mail"])
def test_the_route_agrees_with_the_charts_alertmanagerconfig(tmp_path, mail):
    ours_path = alertmanager_path()
    ours = alertmanager_config()
    our_kinds = receiver_kinds(ours["receivers"])
    chart_path, chart_kinds, chart_routes = chart_alertmanager(tmp_path, CHART_MAIL if mail else ())
    chart_mails = "email" in chart_kinds.values()
    for labels in alert_label_sets() + [{"alertname": "FrigateEdgeTpuMissing", "remediate": "manual"}]:
        got = {our_kinds[r] for r in routed(ours_path, labels)} - {"none"}
        want = {chart_kinds[r] for r in routed(chart_path, labels)} - {"none"}
        assert ("remediator" in got) == ("remediator" in want), labels
        if chart_mails:  # the chart mails too (when its mail is on): to the same alerts
            assert ("email" in got) == ("email" in want), labels
    # Same grouping and timing toward the remediator, so it sees the same observations.
    ours_r = remediator_route(ours["route"]["routes"], our_kinds)
    chart_r = remediator_route(chart_routes, chart_kinds)
    for key in ("group_by", "group_wait", "group_interval", "repeat_interval", "continue"):
        assert ours_r.get(key) == chart_r.get(key), key
    assert ours_r["matchers"] == chart_r["matchers"]


def test_alertmanager_reaches_the_remediator_with_the_shared_token():
    config = alertmanager_config()
    hook = next(r for r in config["receivers"] if r["name"] == "frigate-remediator")["webhook_configs"][0]
    assert hook["url"] == f"http://frigate-remediator:{listen_port('frigate-remediator')}/webhook"
    assert hook["send_resolved"] is True
    assert secret_target("alertmanager", "webhook_token") == \
        hook["http_config"]["authorization"]["credentials_file"]
    env = service("frigate-remediator")["environment"]
    assert env["FRIGATE_HC_WEBHOOK_AUTH"] == "bearer"
    assert env["FRIGATE_HC_WEBHOOK_TOKEN_FILE"] == secret_target("frigate-remediator", "webhook_token")
    assert env["FRIGATE_HC_RESTART_ACTION"] == "docker" and env["FRIGATE_HC_STATE_STORE"] == "file"


def test_the_remediator_and_alertmanager_mail_through_the_same_server_to_the_same_person():
    g = alertmanager_config()["global"]
    env = service("frigate-remediator")["environment"]
    assert f'{env["FRIGATE_HC_SMTP_HOST"]}:{env["FRIGATE_HC_SMTP_PORT"]}' == g["smtp_smarthost"]
    assert env["FRIGATE_HC_SMTP_USER"] == g["smtp_auth_username"]
    assert env["FRIGATE_HC_EMAIL_FROM"] == g["smtp_from"]
    people = next(r for r in alertmanager_config()["receivers"] if r["name"] == "frigate-people")
    assert {m["to"] for m in people["email_configs"]} == {env["FRIGATE_HC_ALERT_EMAIL"]}
    assert g["smtp_auth_password_file"] == secret_target("alertmanager", "smtp_password")
    assert env["FRIGATE_HC_SMTP_PASSWORD_FILE"] == secret_target("frigate-remediator", "smtp_password")


class WebhookSink:
    """Records the Alertmanager webhook notifications it receives (body and Authorization)."""

    def __init__(self):
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append((self.path, self.headers.get("Authorization"), json.loads(body)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def alertnames(self):
        return {a["labels"]["alertname"] for _, _, n in self.received for a in n["alerts"]}

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_the_real_alertmanager_mails_a_person_about_a_manual_alert(tmp_path):
    """compose/alertmanager.yml in the real Alertmanager: the mail server is a local one speaking
    STARTTLS (smtp_require_tls stays on), the remediator a local listener, and the group waits
    shortened. A manual alert ends in a mail and at the remediator; a restart alert only at the
    remediator. Without login: Alertmanager's LOGIN client refuses the SMTP double's "User Name"
    challenge until the double asks "Username:" as mail servers do (another branch), so the
    login settings are dropped here (their agreement with the remediator's is checked above)."""
    config = local_alertmanager_config(tmp_path)
    del config["global"]["smtp_auth_username"], config["global"]["smtp_auth_password_file"]
    maildir = tmp_path / "mail"
    smtp = Proc([PY, SMTP_SERVER, "--tls", "starttls", "--cert-dir", tmp_path / "certs",
                 "--maildir", maildir], name="smtp", logdir=tmp_path)
    sink = WebhookSink()
    am = None
    try:
        port = smtp.wait_for(r"^PORT (\d+)").group(1)
        ca = smtp.wait_for(r"^CA (\S+)").group(1)
        config["global"]["smtp_smarthost"] = f"127.0.0.1:{port}"
        for r in config["receivers"]:
            for m in r.get("email_configs", []):
                m["tls_config"] = {"ca_file": ca}
            for hook in r.get("webhook_configs", []):
                hook["url"] = sink.url + "/webhook"
        for route in [config["route"], *config["route"]["routes"]]:
            route["group_wait"] = "1s"
        am, url = start_alertmanager(tmp_path, config)
        alerts = [{"labels": {"alertname": "FrigateEdgeTpuMissing", "remediate": "manual",
                              "severity": "critical", "reason": "edgetpu_missing"},
                   "annotations": {"summary": "The EdgeTPU is missing"}},
                  {"labels": {"alertname": "FrigateInferenceSlow", "remediate": "restart",
                              "severity": "warning", "reason": "inference_slow"},
                   "annotations": {"summary": "Frigate detector inference is slow"}}]
        req = urllib.request.Request(url + "/api/v2/alerts", data=json.dumps(alerts).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 200
        wait_until(lambda: sink.alertnames() == {"FrigateEdgeTpuMissing", "FrigateInferenceSlow"},
                   30, what="both alerts at the remediator")
        wait_until(lambda: list(maildir.glob("*.eml")), 30, what="a mail to the person")
        time.sleep(3)  # a mail about the restart alert would have come by now
        mails = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                 for p in sorted(maildir.glob("*.eml"))]
        envelopes = [json.loads(p.read_text()) for p in sorted(maildir.glob("*.json"))]
        assert len(mails) == 1, [m["Subject"] for m in mails]
        assert "FrigateEdgeTpuMissing" in mails[0]["Subject"]
        assert envelopes[0]["rcpt_tos"] == [config["receivers"][0]["email_configs"][0]["to"]]
        assert envelopes[0]["tls"] is True
        assert all(auth == "Bearer t0ken" and path == "/webhook" for path, auth, _ in sink.received)
    finally:
        if am:
            am.stop()
        smtp.stop()
        sink.close()


# ------------------------------------------------------------------------------------------------
# Grafana


def test_grafana_has_the_prometheus_datasource_and_the_dashboard():
    provisioning = mounted_file("grafana", "/etc/grafana/provisioning")
    (ds,) = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())["datasources"]
    assert ds["type"] == "prometheus" and ds["isDefault"] is True  # the dashboard's ${datasource}
    host, port = re.fullmatch(r"http://([\w-]+):(\d+)", ds["url"]).groups()
    assert host == "prometheus" and int(port) == listen_port("prometheus")
    assert ds["jsonData"]["timeInterval"] == prometheus_config()["global"]["scrape_interval"]
    (provider,) = yaml.safe_load((provisioning / "dashboards" / "frigate-health.yml").read_text())["providers"]
    dashboards = {t: s for t, s in bind_mounts("grafana").items() if (DOCS / s).resolve() == DASHBOARD}
    assert len(dashboards) == 1, "the dashboard file is not mounted"
    (target,) = dashboards
    assert provider["type"] == "file" and provider["options"]["path"] == str(pathlib.PurePosixPath(target).parent)
    env = service("grafana")["environment"]
    assert env["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"] == target
    assert service("grafana")["depends_on"]["prometheus"]["condition"] == "service_healthy"


def test_links_between_the_dashboard_the_remediator_and_frigate_fit_the_published_ports():
    dash = json.loads(DASHBOARD.read_text())
    boxes = {v["name"]: v["query"] for v in dash["templating"]["list"] if v["type"] == "textbox"}
    env = service("frigate-remediator")["environment"]
    grafana_port = published_ports("grafana")[listen_port("grafana")]
    assert env["FRIGATE_HC_GRAFANA_URL"] == f"http://localhost:{grafana_port}/d/{dash['uid']}"
    remediator_port = published_ports("frigate-remediator")[listen_port("frigate-remediator")]
    assert boxes["remediator_url"] == f"http://localhost:{remediator_port}"
    assert boxes["frigate_url"] == env["FRIGATE_HC_FRIGATE_PUBLIC_URL"]
    assert int(boxes["frigate_url"].rsplit(":", 1)[1]) in published_ports("frigate").values()


def test_compose_settings_are_settings_the_programs_accept():
    """Every FRIGATE_HC_ variable is one the program's --help lists."""
    for binary, name in ((EXPORTER, "frigate-exporter"), (REMEDIATOR, "frigate-remediator")):
        if not binary.exists():
            pytest.fail(f"{binary} not built (scripts/build.sh)")
        listed = set(re.findall(r"env (FRIGATE_HC_\w+)", run([binary, "--help"]).stdout))
        unknown = set(service(name)["environment"]) - listed
        # X_FILE is the file form of a secret X.
        unknown = {k for k in unknown if not (k.endswith("_FILE") and k[:-5] in listed)}
        assert not unknown, f"{name}: {sorted(unknown)}"


# ------------------------------------------------------------------------------------------------
# The Docker action and the socket proxy


def networks_of(name):
    nets = service(name).get("networks", ["default"])
    return set(nets if isinstance(nets, list) else nets.keys())


def proxy_sections():
    """The proxy's switches as its haproxy.cfg reads them: the image's defaults (Dockerfile at
    v0.4.1: PING, VERSION, EVENTS on) overridden by the service's environment."""
    sections = {"PING": True, "VERSION": True, "EVENTS": True}
    for k, v in service(PROXY)["environment"].items():
        sections[k] = str(v) == "1"
    return sections


def test_the_remediator_restarts_frigates_container_through_the_socket_proxy_alone():
    c = compose()
    env = service("frigate-remediator")["environment"]
    assert env["FRIGATE_HC_RESTART_ACTION"] == "docker"
    assert env["FRIGATE_HC_DOCKER_HOST"] == f"tcp://{PROXY}:{PROXY_PORT}"
    assert env["FRIGATE_HC_DOCKER_CONTAINER"] == service("frigate")["container_name"]
    assert "FRIGATE_HC_DOCKER_CONTAINER_LABEL" not in env
    proxy = service(PROXY)
    assert proxy["image"].startswith("ghcr.io/tecnativa/docker-socket-proxy:")
    assert f"{DOCKER_SOCKET}:{DOCKER_SOCKET}:ro" in proxy["volumes"]
    assert not proxy.get("ports"), "the Docker API must not be published"
    # Only the socket proxy holds the socket; it sits on an internal network with the programs
    # that use the Docker API (the remediator; the exporter only with LOG_SOURCE=docker).
    for name, s in c["services"].items():
        if name != PROXY:
            assert not any(DOCKER_SOCKET in str(v) for v in s.get("volumes", [])), name
    (net,) = networks_of(PROXY)
    assert c["networks"][net]["internal"] is True
    users = {n for n in c["services"] if net in networks_of(n)} - {PROXY}
    docker_users = {n for n in ("frigate-exporter", "frigate-remediator")
                    if service(n)["environment"].get("FRIGATE_HC_RESTART_ACTION") == "docker"
                    or service(n)["environment"].get("FRIGATE_HC_LOG_SOURCE") == "docker"}
    assert users == docker_users == {"frigate-remediator"}
    # The remediator still reaches Frigate and is reached by Alertmanager and Prometheus.
    for other in ("frigate", "alertmanager", "prometheus"):
        assert networks_of("frigate-remediator") & networks_of(other), other


def test_the_socket_proxy_lets_through_the_remediators_calls_and_little_else(tmp_path):
    """The real remediator with the Compose settings restarts Frigate through the Docker Engine
    API double applying the proxy service's switches (docker-socket-proxy's haproxy.cfg rules):
    two observations, one restart, nothing denied; what the proxy service denies (images, exec,
    the daemon's info, a switch left at 0) is denied."""
    if not REMEDIATOR.exists():
        pytest.fail(f"{REMEDIATOR} not built (scripts/build.sh)")
    sections = proxy_sections()
    assert {k for k, on in sections.items() if on} == {"PING", "CONTAINERS", "POST"}
    switches = ",".join(f"{k}={int(on)}" for k, on in sections.items())
    sim = Proc([PY, SIMULATOR, "--port", "0", "--control-port", "0", "--version", "0.17",
                "--start-uptime", "3600", "--restart-downtime", "1"],
               name="frigate-sim", logdir=tmp_path)
    docker = None
    remediator = None
    try:
        sim_port = sim.wait_for(r"listening on .*:(\d+)").group(1)
        sim_control = sim.wait_for(r"control on .*:(\d+)").group(1)
        docker = Proc([PY, DOCKER_DOUBLE, "--port", "0", "--name", service("frigate")["container_name"],
                       "--socket-proxy", switches, "--restart-seconds", "0.3",
                       "--frigate-sim-control", f"http://127.0.0.1:{sim_control}"],
                      name="docker-api-double", logdir=tmp_path)
        tcp = docker.wait_for(r"listening on tcp://([0-9.:]+)").group(1)
        control(tcp, "container", {"started_at": time.time() - 3600})
        port = free_port()
        env = local_program_env("frigate-remediator", tmp_path, port)
        env["FRIGATE_HC_FRIGATE_URL"] = f"http://127.0.0.1:{sim_port}"
        env["FRIGATE_HC_DOCKER_HOST"] = f"tcp://{tcp}"
        env["FRIGATE_HC_SMTP_HOST"] = "127.0.0.1"  # no mail server: the mail fails, not the test
        env["FRIGATE_HC_SMTP_PORT"] = str(free_port())
        env["FRIGATE_HC_OBSERVATION_INTERVAL_SECONDS"] = "0"  # two webhooks a moment apart count
        remediator = Proc([REMEDIATOR], env=env, name="frigate-remediator", logdir=tmp_path)
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: http_status(url + "/metrics") == 200, 15, what="remediator serving")
        token = pathlib.Path(env["FRIGATE_HC_WEBHOOK_TOKEN_FILE"]).read_text()
        outcomes = [post_webhook(url, token)["decisions"][0]["outcome"] for _ in range(2)]
        assert outcomes == ["waiting", "restart"]
        wait_until(lambda: [r for r in control(tcp, "requests") if r["method"] == "POST"], 20,
                   what="the restart")
        requests = control(tcp, "requests")
        assert not [r for r in requests if r.get("denied_by_proxy")], requests
        (post,) = [r for r in requests if r["method"] == "POST"]
        assert post["path"].endswith(f"/containers/{env['FRIGATE_HC_DOCKER_CONTAINER']}/restart")
        assert post["query"] == f"t={env['FRIGATE_HC_DOCKER_STOP_TIMEOUT_SECONDS']}"
        # The proxy service denies what it does not need (the double applies the same switches).
        for method, path in (("GET", "/v1.41/images/json"), ("GET", "/v1.41/info"),
                             ("GET", "/v1.41/version"), ("GET", "/v1.41/events"),
                             ("POST", "/v1.41/exec/x/start")):
            assert proxy_status(tcp, method, path) == 403, (method, path)
        assert proxy_status(tcp, "GET", "/v1.41/containers/frigate/json") == 200
    finally:
        for p in (remediator, docker, sim):
            if p:
                p.stop()


def proxy_status(tcp, method, path):
    req = urllib.request.Request(f"http://{tcp}{path}", method=method,
                                 data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def control(tcp, path, payload=None):
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(f"http://{tcp}/_double/{path}", data=data,
                                 method="GET" if data is None else "POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"null")


def post_webhook(url, token):
    labels = {"alertname": "FrigateApiUnresponsive", "severity": "critical", "remediate": "restart",
              "reason": "api_unresponsive"}
    alert = {"status": "firing", "labels": labels, "annotations": {"summary": "Frigate's API hangs"},
             "startsAt": "2026-11-28T06:40:44.425Z", "endsAt": "0001-01-01T00:00:00Z",
             "generatorURL": "http://prometheus:9090/graph", "fingerprint": "864f93fb887d6ba5"}
    body = {"receiver": "frigate-remediator", "status": "firing", "alerts": [alert],
            "groupLabels": {"alertname": labels["alertname"]}, "commonLabels": labels,
            "commonAnnotations": alert["annotations"], "externalURL": "http://alertmanager:9093",
            "version": "4", "groupKey": '{}/{remediate="restart"}:{alertname="FrigateApiUnresponsive"}',
            "truncatedAlerts": 0}
    req = urllib.request.Request(url + "/webhook", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json",
                                          "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())
