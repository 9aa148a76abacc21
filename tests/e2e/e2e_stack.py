"""The whole repair loop on loopback, for the end-to-end scenarios and the demo.

    Frigate simulator -> frigate-exporter -> Prometheus (the repository's rules)
      -> Alertmanager (the repository's route) -> frigate-remediator -> restart + mail (SMTP)

Real Prometheus and Alertmanager from Debian; the Frigate simulator, the Kubernetes API double
and an aiosmtpd SMTP server from tests/doubles. Every process is started by this module, logs to
a file in the work directory, and is stopped by its own process group id in `Stack.stop()`.

One setting compresses time: `Timing.scaled(scale)` divides every interval of the shipped
defaults (the chart's scrape and evaluation intervals, the rules' `for:`, the Alertmanager route's
group_wait / group_interval / repeat_interval, the remediator's observation interval, startup
grace, circuit window, mail retry and recovery timeout) by the same factor. Tests take the factor
from FHC_E2E_TIME_SCALE (default 30: one minute of the real loop is two seconds here).
"""
import dataclasses
import datetime
import email
import email.policy
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import yaml

# The process helper shared with the other suites (tests/fhc_testlib.py).
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from fhc_testlib import Proc  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
PY = "/usr/bin/python3"
DOUBLES = ROOT / "tests" / "doubles"
RULES = ROOT / "alerts" / "frigate-health.rules.yml"
AM_EXAMPLE = ROOT / "alerts" / "alertmanager-example.yml"
NAMESPACE, DEPLOYMENT = "nvr", "frigate"
WEBHOOK_TOKEN = "e2e-webhook-token"
MAIL_TO = "ops@example.test"


# ---------------------------------------------------------------------------------------------
# Timing


@dataclasses.dataclass(frozen=True)
class Timing:
    """Every interval of the loop, in seconds. Defaults are the shipped ones (chart + alerts/)."""
    scale: float = 1.0
    scrape: float = 15.0           # chart ServiceMonitor interval
    evaluation: float = 30.0       # rule evaluation interval (kube-prometheus-stack default)
    group_wait: float = 10.0       # alerts/alertmanager-example.yml, remediator route
    group_interval: float = 60.0
    repeat_interval: float = 50.0
    observation: float = 30.0      # OBSERVATION_INTERVAL_SECONDS
    consecutive: int = 2           # CONSECUTIVE_FAILURES_REQUIRED (a count: never scaled)
    grace: float = 600.0           # STARTUP_GRACE_PERIOD_SECONDS
    max_restarts: int = 2          # MAX_RESTARTS_PER_HOUR (a count)
    circuit_window: float = 3600.0  # CIRCUIT_WINDOW_SECONDS
    escalate_after: int = 3        # ESCALATE_AFTER_RESTARTS (a count)
    incident_reopen: float = 900.0  # INCIDENT_REOPEN_SECONDS
    mail_retry: float = 60.0       # MAIL_RETRY_SECONDS
    recovery_timeout: float = 600.0  # RECOVERY_TIMEOUT_SECONDS
    log_poll: float = 10.0         # exporter LOG_POLL_SECONDS
    detector_hung: float = 60.0    # exporter DETECTOR_HUNG_SECONDS
    config_max_age: float = 60.0   # exporter CONFIG_MAX_AGE_SECONDS
    restart_downtime: float = 5.0  # how long the simulated Frigate is gone during a restart
    am_peer_timeout: float = 15.0  # Alertmanager --cluster.peer-timeout (HA dedup wait)

    @staticmethod
    def scaled(scale):
        """The shipped timings divided by `scale` (counts stay)."""
        base = Timing()
        if scale == 1:
            return base
        out = {"scale": float(scale)}
        for f in dataclasses.fields(Timing):
            v = getattr(base, f.name)
            if f.name == "scale" or isinstance(v, int):
                continue
            out[f.name] = v / scale
        # Floors where a program only takes whole seconds or a process needs a moment.
        for name in ("observation", "grace", "circuit_window", "mail_retry", "recovery_timeout",
                     "detector_hung", "incident_reopen"):
            out[name] = max(1.0, round(out[name]))
        out["recovery_timeout"] = max(out["recovery_timeout"], 15.0)
        out["restart_downtime"] = max(out["restart_downtime"], 1.0)
        out["log_poll"] = max(out["log_poll"], 0.2)
        out["config_max_age"] = max(out["config_max_age"], 1.0)
        return dataclasses.replace(base, **out)

    def for_(self, text):
        """A rule's `for:` (e.g. "1m") scaled."""
        return seconds(text) / self.scale

    def with_(self, **changes):
        return dataclasses.replace(self, **changes)


def seconds(text):
    """Prometheus duration ("1m", "90s", "1h30m", "500ms") in seconds."""
    total, pos = 0.0, 0
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
    for m in re.finditer(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)", str(text)):
        if m.start() != pos:
            raise ValueError(f"bad duration {text!r}")
        total += float(m.group(1)) * units[m.group(2)]
        pos = m.end()
    if pos != len(str(text)) or pos == 0:
        raise ValueError(f"bad duration {text!r}")
    return total


def dur(secs):
    """Seconds as a duration both Prometheus and Alertmanager accept (whole milliseconds)."""
    return f"{max(1, int(round(secs * 1000)))}ms"


def time_scale_from_env(default=30.0):
    raw = os.environ.get("FHC_E2E_TIME_SCALE", "")
    try:
        v = float(raw) if raw else default
    except ValueError:
        raise SystemExit(f"FHC_E2E_TIME_SCALE={raw!r}: a number >= 1 is accepted")
    if v < 1:
        raise SystemExit(f"FHC_E2E_TIME_SCALE={raw!r}: a number >= 1 is accepted")
    return v


# ---------------------------------------------------------------------------------------------
# Small helpers


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def http(method, url, payload=None, headers=None, timeout=5):
    """(status, body text); status 0 when no answer came."""
    data = None if payload is None else json.dumps(payload).encode()
    h = {"Content-Type": "application/json"} if data is not None else {}
    h.update(headers or {})
    req = urllib.request.Request(url, data=data, headers=h, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as e:
        return 0, str(e)


def get_json(url, timeout=5):
    status, body = http("GET", url, timeout=timeout)
    if status != 200:
        raise RuntimeError(f"GET {url}: {status} {body[:200]}")
    return json.loads(body)


def parse_time(text):
    """RFC 3339 (the remediator's state times) as epoch seconds."""
    t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return t.timestamp()


def wait_until(predicate, timeout, what, interval=0.1):
    """Polls `predicate` until it returns something true; fails with `what` at the deadline."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")


# ---------------------------------------------------------------------------------------------
# Configuration rendering


def render_rules(timing, dest):
    """The repository's rules with every `for:` divided by the time scale."""
    doc = yaml.safe_load(RULES.read_text())
    for group in doc["groups"]:
        group["interval"] = dur(timing.evaluation)
        for rule in group["rules"]:
            if "for" in rule:
                rule["for"] = dur(timing.for_(rule["for"]))
    dest.write_text(yaml.safe_dump(doc, sort_keys=False))
    return dest


def rule_for_seconds(alertname):
    """The unscaled `for:` of a rule in alerts/ (0 when it has none)."""
    doc = yaml.safe_load(RULES.read_text())
    for group in doc["groups"]:
        for rule in group["rules"]:
            if rule.get("alert") == alertname:
                return seconds(rule["for"]) if "for" in rule else 0.0
    raise KeyError(alertname)


def render_alertmanager(timing, remediator_url, token_file, smtp_port, dest):
    """The repository's remediator route and receiver (timings scaled, URL and token local),
    plus a mail receiver for people so notify-only alerts reach a human through Alertmanager."""
    example = yaml.safe_load(AM_EXAMPLE.read_text())
    route = next(r for r in example["route"]["routes"] if r["receiver"] == "frigate-remediator")
    route = dict(route)
    route["group_wait"] = dur(timing.group_wait)
    route["group_interval"] = dur(timing.group_interval)
    route["repeat_interval"] = dur(timing.repeat_interval)
    receiver = next(r for r in example["receivers"] if r["name"] == "frigate-remediator")
    receiver = json.loads(json.dumps(receiver))
    hook = receiver["webhook_configs"][0]
    hook["url"] = remediator_url + "/webhook"
    hook["http_config"]["authorization"]["credentials_file"] = str(token_file)
    people = {
        "receiver": "people",
        "matchers": ['alertname=~"Frigate.+"', 'remediate!="restart"'],
        "group_by": ["alertname", "frigate_namespace", "frigate_deployment"],
        "group_wait": dur(timing.group_wait),
        "group_interval": dur(timing.group_interval),
        "repeat_interval": "4h",
    }
    config = {
        "global": {"resolve_timeout": "5m", "smtp_smarthost": f"127.0.0.1:{smtp_port}",
                   "smtp_from": "alertmanager@example.test", "smtp_require_tls": False,
                   "smtp_hello": "localhost"},
        "route": {"receiver": "default", "group_by": ["alertname"],
                  "group_wait": dur(timing.group_wait),
                  "group_interval": dur(timing.group_interval), "repeat_interval": "4h",
                  "routes": [route, people]},
        "receivers": [
            {"name": "default"},
            receiver,
            {"name": "people", "email_configs": [{"to": MAIL_TO, "send_resolved": False}]},
        ],
    }
    dest.write_text(yaml.safe_dump(config, sort_keys=False))
    return dest


# ---------------------------------------------------------------------------------------------
# Mail


def read_mails(maildir):
    """Every stored message, oldest first: dicts with subject, outcome, incident, body, at."""
    out = []
    d = pathlib.Path(maildir)
    if not d.exists():
        return out
    for eml in sorted(d.glob("*.eml"), key=lambda p: int(p.stem) if p.stem.isdigit() else 0):
        msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        body_part = msg.get_body(preferencelist=("plain", "html"))
        body = body_part.get_content() if body_part is not None else ""
        out.append({"subject": str(msg.get("Subject", "")),
                    "outcome": str(msg.get("X-Frigate-Remediator-Outcome", "")),
                    "incident": str(msg.get("X-Frigate-Remediator-Incident", "")),
                    "from": str(msg.get("From", "")), "body": body,
                    "at": eml.stat().st_mtime, "file": eml.name})
    return out


# ---------------------------------------------------------------------------------------------
# The stack


@dataclasses.dataclass
class Options:
    timing: Timing
    action: str = "frigate-api"       # or "kubernetes" (the API double, rollouts restart the sim)
    #                                   or "docker" (the Engine API double, its container
    #                                   restarts restart the sim)
    alertmanagers: int = 1            # 2: a cluster over loopback, Prometheus sends to both
    frigate_uptime: float = 3600.0    # how long the simulated Frigate has been up at start
    frigate_version: str = "0.16"
    cameras: int = 3
    frigate_args: tuple = ()          # more simulator arguments (e.g. --disabled-cameras)
    remediator_env: dict = dataclasses.field(default_factory=dict)
    exporter_env: dict = dataclasses.field(default_factory=dict)
    ports: dict = dataclasses.field(default_factory=dict)  # preferred fixed ports (demo)
    bin_dir: pathlib.Path = None      # build directory holding exporter/ and remediator/


class Stack:
    """Starts and stops the loop. Addresses: sim_url, sim_control, exporter_url, remediator_url,
    prometheus_url, alertmanager_urls, smtp_port, kube_url (kubernetes action only)."""

    def __init__(self, workdir, options, on_event=None):
        self.dir = pathlib.Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.opt = options
        self.t = options.timing
        self.procs = {}
        self.maildir = self.dir / "mail"
        self.state_file = self.dir / "remediator-state.json"
        self.on_event = on_event or (lambda *a: None)
        self.kube_url = None
        self.docker_sock = None
        self._bridge_stop = threading.Event()
        self._bridge = None
        bin_dir = pathlib.Path(options.bin_dir or os.environ.get("FHC_BUILD_DIR")
                               or ROOT / "build" / "default")
        self.exporter_bin = bin_dir / "exporter" / "frigate-exporter"
        self.remediator_bin = bin_dir / "remediator" / "frigate-remediator"
        for b in (self.exporter_bin, self.remediator_bin):
            if not b.exists():
                raise RuntimeError(f"{b} is not built: run scripts/build.sh first")
        for tool in ("prometheus", "prometheus-alertmanager"):
            if not shutil.which(tool):
                raise RuntimeError(f"{tool} not found: run scripts/install-deps.sh")

    # -- ports ----------------------------------------------------------------------------
    def _port(self, name):
        want = self.opt.ports.get(name)
        if want and port_free(want):
            return want
        return free_port()

    # -- lifecycle ------------------------------------------------------------------------
    def _start(self, name, argv, env=None):
        p = Proc(argv, env, name, logdir=self.dir)
        self.procs[name] = p
        return p

    def start(self):
        try:
            self._start_all()
        except BaseException:
            self.stop()
            raise
        return self

    def _start_all(self):
        t = self.t
        # Frigate simulator
        sim = self._start("frigate-sim", [
            PY, DOUBLES / "frigate_sim.py", "--port", self._port("frigate"),
            "--control-port", self._port("frigate_control"), "--version",
            self.opt.frigate_version, "--cameras", self.opt.cameras, "--stats-interval", "0",
            "--restart-downtime", t.restart_downtime, "--start-uptime", self.opt.frigate_uptime,
            "--log-interval", "0", *self.opt.frigate_args])
        self.sim_url = sim.wait_for(r"frigate-sim listening on (http://\S+)").group(1)
        self.sim_control = sim.wait_for(r"frigate-sim control on (http://\S+)").group(1)

        # Kubernetes API double (the kubernetes action), with a bridge that restarts the
        # simulated Frigate when a rollout starts, as the kubelet would.
        if self.opt.action == "kubernetes":
            kube = self._start("kube-api-double", [
                PY, DOUBLES / "kube_api_double.py", "--port", "0", "--namespace", NAMESPACE,
                "--deployment", DEPLOYMENT, "--rollout-seconds", t.restart_downtime])
            self.kube_url = kube.wait_for(r"listening on (http://\S+)").group(1)
            self._bridge = threading.Thread(target=self._rollout_bridge, daemon=True)
            self._bridge.start()

        # Docker Engine API double (the docker action) on a Unix socket; Frigate (the simulator)
        # runs "in" its container and restarts with it.
        if self.opt.action == "docker":
            self.docker_sock = str(self.dir / "docker.sock")
            docker = self._start("docker-api-double", [
                PY, DOUBLES / "docker_api_double.py", "--unix", self.docker_sock, "--port", "0",
                "--restart-seconds", t.restart_downtime, "--frigate-sim-control",
                self.sim_control])
            self.docker_control = "http://" + docker.wait_for(
                r"listening on tcp://([0-9.:]+)").group(1)

        # SMTP
        self.smtp_port = self._port("smtp")
        self.start_smtp()

        # exporter
        exporter_env = {
            "FRIGATE_HC_LISTEN": f"127.0.0.1:{self._port('exporter')}",
            "FRIGATE_HC_FRIGATE_URL": self.sim_url, "FRIGATE_HC_TARGET_LABELS": "true",
            "FRIGATE_HC_NAMESPACE": NAMESPACE, "FRIGATE_HC_DEPLOYMENT_NAME": DEPLOYMENT,
            "FRIGATE_HC_LOG_POLL_SECONDS": f"{t.log_poll:.2f}",
            "FRIGATE_HC_DETECTOR_HUNG_SECONDS": int(t.detector_hung), "FRIGATE_HC_LOG_WINDOW_MINUTES": "1",
            "FRIGATE_HC_STATS_MAX_AGE_SECONDS": "0", "FRIGATE_HC_API_TIMEOUT_SECONDS": "2",
            "FRIGATE_HC_CONFIG_MAX_AGE_SECONDS": f"{t.config_max_age:.2f}",
        }
        exporter_env.update(self.opt.exporter_env)
        ex = self._start("frigate-exporter", [self.exporter_bin], exporter_env)
        self.exporter_url = ex.wait_for(r"listening on (http://127\.0\.0\.1:\d+)").group(1)

        # remediator (fixed port: Alertmanager's webhook URL must survive a remediator restart)
        self.remediator_port = self._port("remediator")
        self.remediator_url = f"http://127.0.0.1:{self.remediator_port}"
        self.start_remediator()

        # Alertmanager(s)
        token_file = self.dir / "webhook-token"
        token_file.write_text(WEBHOOK_TOKEN + "\n")
        token_file.chmod(0o600)
        am_config = render_alertmanager(t, self.remediator_url, token_file, self.smtp_port,
                                        self.dir / "alertmanager.yml")
        n = self.opt.alertmanagers
        web_ports = [self._port("alertmanager") if i == 0 else free_port() for i in range(n)]
        cluster_ports = [free_port() for _ in range(n)] if n > 1 else []
        self.alertmanager_urls = []
        for i in range(n):
            args = ["prometheus-alertmanager", f"--config.file={am_config}",
                    f"--storage.path={self.dir / f'alertmanager-{i}'}",
                    f"--web.listen-address=127.0.0.1:{web_ports[i]}",
                    f"--web.external-url=http://127.0.0.1:{web_ports[i]}"]
            if n > 1:
                args += [f"--cluster.listen-address=127.0.0.1:{cluster_ports[i]}",
                         f"--cluster.advertise-address=127.0.0.1:{cluster_ports[i]}",
                         f"--cluster.peer-timeout={dur(t.am_peer_timeout)}",
                         "--cluster.gossip-interval=50ms", "--cluster.pushpull-interval=1s",
                         "--cluster.settle-timeout=2s"]
                args += [f"--cluster.peer=127.0.0.1:{p}" for j, p in enumerate(cluster_ports)
                         if j != i]
            else:
                args.append("--cluster.listen-address=")
            self._start(f"alertmanager-{i}", args)
            self.alertmanager_urls.append(f"http://127.0.0.1:{web_ports[i]}")
        for url in self.alertmanager_urls:
            wait_until(lambda: http("GET", url + "/-/ready")[0] == 200, 30,
                       f"Alertmanager {url} ready")

        # Prometheus
        rules = render_rules(t, self.dir / "frigate-health.rules.yml")
        prom_port = self._port("prometheus")
        self.prometheus_url = f"http://127.0.0.1:{prom_port}"
        config = {
            "global": {"scrape_interval": dur(t.scrape), "scrape_timeout": dur(t.scrape),
                       "evaluation_interval": dur(t.evaluation)},
            "rule_files": [str(rules)],
            "alerting": {"alertmanagers": [{"static_configs": [{"targets": [
                u.removeprefix("http://") for u in self.alertmanager_urls]}]}]},
            "scrape_configs": [
                {"job_name": "frigate-exporter",
                 "static_configs": [{"targets": [self.exporter_url.removeprefix("http://")]}]},
                {"job_name": "frigate-remediator",
                 "static_configs": [{"targets": [self.remediator_url.removeprefix("http://")]}]},
            ],
        }
        (self.dir / "prometheus.yml").write_text(yaml.safe_dump(config, sort_keys=False))
        self._start("prometheus", [
            "prometheus", f"--config.file={self.dir / 'prometheus.yml'}",
            f"--storage.tsdb.path={self.dir / 'prometheus-data'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
            f"--web.external-url={self.prometheus_url}",
            f"--rules.alert.resend-delay={dur(max(t.group_interval / 2, 0.5))}"])
        wait_until(lambda: http("GET", self.prometheus_url + "/-/ready")[0] == 200, 30,
                   "Prometheus ready")
        # Healthy baseline: the exporter is scraped and says healthy before any fault.
        wait_until(lambda: self.prom_value('frigate_healthy{job="frigate-exporter"}') == 1.0,
                   30, "Prometheus to see a healthy Frigate")

    def start_smtp(self):
        self.maildir.mkdir(exist_ok=True)
        smtp = self._start("smtp", [PY, DOUBLES / "smtp_server.py", "--port", self.smtp_port,
                                    "--tls", "none", "--maildir", self.maildir])
        smtp.wait_for(r"^PORT \d+")

    def stop_smtp(self):
        p = self.procs.pop("smtp", None)
        if p:
            p.stop()

    def start_remediator(self):
        t = self.t
        env = {
            "FRIGATE_HC_LISTEN": f"127.0.0.1:{self.remediator_port}",
            "FRIGATE_HC_WEBHOOK_AUTH": "bearer", "FRIGATE_HC_WEBHOOK_TOKEN": WEBHOOK_TOKEN,
            "FRIGATE_HC_NAMESPACE": NAMESPACE, "FRIGATE_HC_DEPLOYMENT_NAME": DEPLOYMENT,
            "FRIGATE_HC_FRIGATE_URL": self.sim_url,
            "FRIGATE_HC_OBSERVATION_INTERVAL_SECONDS": int(t.observation),
            "FRIGATE_HC_CONSECUTIVE_FAILURES_REQUIRED": t.consecutive,
            "FRIGATE_HC_STARTUP_GRACE_PERIOD_SECONDS": int(t.grace),
            "FRIGATE_HC_MAX_RESTARTS_PER_HOUR": t.max_restarts,
            "FRIGATE_HC_CIRCUIT_WINDOW_SECONDS": int(t.circuit_window),
            "FRIGATE_HC_ESCALATE_AFTER_RESTARTS": t.escalate_after,
            "FRIGATE_HC_INCIDENT_REOPEN_SECONDS": int(t.incident_reopen),
            "FRIGATE_HC_RECOVERY_TIMEOUT_SECONDS": int(t.recovery_timeout),
            "FRIGATE_HC_MAIL_RETRY_SECONDS": int(t.mail_retry),
            "FRIGATE_HC_RESTART_ACTION": self.opt.action,
            "FRIGATE_HC_STATE_STORE": "file", "FRIGATE_HC_STATE_FILE": self.state_file,
            "FRIGATE_HC_SMTP_HOST": "127.0.0.1", "FRIGATE_HC_SMTP_PORT": self.smtp_port,
            "FRIGATE_HC_SMTP_TLS": "none", "FRIGATE_HC_ALERT_EMAIL": MAIL_TO,
            "FRIGATE_HC_EMAIL_FROM": "frigate-remediator@example.test",
            "FRIGATE_HC_FRIGATE_PUBLIC_URL": self.sim_url,
        }
        if self.docker_sock:
            env["FRIGATE_HC_DOCKER_HOST"] = "unix://" + self.docker_sock
        if self.kube_url:
            # No POD_LABEL_SELECTOR: the pods are found by the deployment's own selector (the
            # double serves the official chart's labels and a codeserver sidecar).
            env.update({"FRIGATE_HC_KUBE_API_URL": self.kube_url})
        env.update(self.opt.remediator_env)
        # A remediator killed a moment ago may leave its port in TIME_WAIT: civetweb reuses it,
        # but wait for the old process's socket to be gone.
        wait_until(lambda: port_free(self.remediator_port) or
                   http("GET", self.remediator_url + "/healthz")[0] == 0, 10,
                   "the remediator's port to be free")
        p = self._start("frigate-remediator", [self.remediator_bin], env)
        p.wait_for(r"listening on http://127\.0\.0\.1:\d+")
        return p

    def kill_remediator(self):
        """SIGKILL: no chance to save anything beyond what it already stored."""
        p = self.procs.pop("frigate-remediator")
        p.stop(sig=signal.SIGKILL)

    def stop(self):
        self._bridge_stop.set()
        for name in reversed(list(self.procs)):
            self.procs[name].stop()
        self.procs.clear()
        if self._bridge:
            self._bridge.join(2)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- Kubernetes bridge ---------------------------------------------------------------
    def _rollout_bridge(self):
        last = None
        while not self._bridge_stop.wait(0.1):
            try:
                st = get_json(self.kube_url + "/_double/state", timeout=2)
            except (RuntimeError, ValueError, OSError):
                continue
            stamp = json.dumps(_find_restarted_at(st))
            if last is None:
                last = stamp
            elif stamp != last:
                last = stamp
                self.on_event("rollout", "Kubernetes rollout started: the Frigate pod restarts")
                http("POST", self.sim_control + "/_sim/restart", {})

    def kubelet(self, **change):
        """The kubelet's doing on Frigate's pod in the API double (/_double/container): a failing
        readiness probe (ready=False), a container restart (restart=True, started_seconds_ago),
        CrashLoopBackOff (crashloop=True)."""
        status, body = http("POST", self.kube_url + "/_double/container", change)
        assert status == 200, body
        return json.loads(body)

    def kube_state(self):
        return get_json(self.kube_url + "/_double/state")

    def sim_restart(self):
        """An outside restart of the simulated Frigate (the kubelet restarting its container);
        returns once it answers again."""
        before = time.time()
        status, body = http("POST", self.sim_control + "/_sim/restart", {})
        assert status == 200, body
        # Back means booted after the request (its uptime says so) and answering again.
        wait_until(lambda: time.time() - (self.sim_state().get("uptime") or 1e9) >= before and
                   http("GET", self.sim_url + "/api/version")[0] == 200, 20,
                   "Frigate back after its restart")
        return True

    def kube_patches(self):
        """Restart PATCHes of the deployment the API double received."""
        status, body = http("GET", self.kube_url + "/_double/requests")
        assert status == 200, body
        return [r for r in json.loads(body) if r["method"] == "PATCH"]

    def set_node_ready(self, ready, reason="KubeletNotReady"):
        status, body = http("POST", self.kube_url + "/_double/node",
                            {"name": "node-1", "ready": ready, "reason": reason,
                             "message": "e2e: node set " + ready})
        assert status == 200, body

    # -- Frigate faults ------------------------------------------------------------------
    def fault(self, name, **params):
        status, body = http("POST", self.sim_control + "/_sim/fault", dict(fault=name, **params))
        assert status == 200, body
        return time.time()

    def clear(self, name=None):
        status, body = http("POST", self.sim_control + "/_sim/clear",
                            {"fault": name} if name else {})
        assert status == 200, body
        return time.time()

    def sim_state(self):
        return get_json(self.sim_control + "/_sim/state")

    # -- observations --------------------------------------------------------------------
    def prom_query(self, expr):
        url = self.prometheus_url + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        status, body = http("GET", url)
        if status != 200:
            return []
        return json.loads(body)["data"]["result"]

    def prom_value(self, expr):
        r = self.prom_query(expr)
        return float(r[0]["value"][1]) if r else None

    def prom_alerts(self):
        """Prometheus' alerts: [{labels, state, activeAt}]"""
        status, body = http("GET", self.prometheus_url + "/api/v1/alerts")
        return json.loads(body)["data"]["alerts"] if status == 200 else []

    def firing(self, alertname):
        return any(a["labels"].get("alertname") == alertname and a["state"] == "firing"
                   for a in self.prom_alerts())

    def exporter_health(self):
        status, body = http("GET", self.exporter_url + "/health")
        return json.loads(body) if status in (200, 503) and body.strip().startswith("{") else {}

    def state(self):
        """The remediator's /api/v1/state, or {} while it is down."""
        status, body = http("GET", self.remediator_url + "/api/v1/state")
        return json.loads(body) if status == 200 else {}

    def target(self):
        return self.state().get("targets", {}).get(f"{NAMESPACE}/{DEPLOYMENT}", {})

    def decisions(self):
        return self.target().get("decisions", [])

    def restarts(self):
        """Restart decisions (intent stored, action started), oldest first."""
        return [d for d in self.decisions() if d.get("outcome") == "restart"]

    def mails(self):
        return read_mails(self.maildir)

    def remediator_mails(self, outcome=None):
        return [m for m in self.mails() if m["outcome"] and (outcome is None or
                                                             m["outcome"] == outcome)]

    def alertmanager_mails(self):
        return [m for m in self.mails() if not m["outcome"]]

    def frigate_restarts(self):
        return self.sim_state().get("restart_count", 0)

    def docker_control_call(self, path, payload=None):
        """The Docker double's /_double/ control API (docker action only)."""
        if payload is None:
            return get_json(self.docker_control + "/_double/" + path, timeout=5)
        status, body = http("POST", self.docker_control + "/_double/" + path, payload)
        assert status == 200, body
        return json.loads(body)

    def docker_restarts(self):
        """POST .../restart calls the Docker double received."""
        return [r for r in self.docker_control_call("requests") if r["method"] == "POST"]


def _find_restarted_at(obj):
    """The restartedAt annotations anywhere in the double's state (one per deployment)."""
    found = []

    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if k == "kubectl.kubernetes.io/restartedAt":
                    found.append(v)
                else:
                    walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)

    walk(obj)
    return sorted(set(map(str, found)))

