"""Fixtures and helpers for the frigate-remediator integration tests (test_remediator_*.py).

Kept apart from tests/conftest.py so other helpers can extend that file at the same time. Import
in a test module with `from remediator_fixtures import *` (fixtures must be visible by name).

- `notification(...)`: an Alertmanager version-4 body shaped like a real one (see
  shared/reference/alertmanager-webhook.md).
- `remediator(**settings)`: starts the real binary on a free loopback port; settings are
  FRIGATE_HC_* names without the prefix. Returns a `Remediator` with post/state/metrics helpers.
  The same state file or ConfigMap may be handed to a second process (restart-after-crash,
  two replicas).
- `smtp(...)`: the aiosmtpd server of tests/doubles/smtp_server.py with STARTTLS, login and a
  maildir; the test CA is made once per session.
- `kube(...)`: the Kubernetes API double with a bearer token, plus its control API.
"""
import json
import os
import pathlib
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from fhc_testlib import (KUBE_DOUBLE, PY, REMEDIATOR, ROOT, Proc, free_port, http_get,
                      http_post_json, parse_metrics, require_binary, wait_until)

SMTP_SERVER = ROOT / "tests" / "doubles" / "smtp_server.py"
TOKEN = "am-token-7f3c"
TARGET = {"namespace": "nvr", "deployment": "frigate"}


def alert(status="firing", remediate=True, reason="detection_stuck", fingerprint="864f93fb887d6ba5",
          starts_at="2026-11-28T06:40:44.425Z", alertname="FrigateDetectionStuck", **labels):
    lab = {"alertname": alertname, "severity": "critical", **TARGET, "reason": reason}
    if remediate:
        lab["remediate"] = "restart"
    lab.update(labels)
    return {
        "status": status, "labels": lab,
        "annotations": {"summary": f"Frigate {reason}", "description": "value 3 over 2 in 10m"},
        "startsAt": starts_at,
        "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-11-28T06:50:44.425Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=frigate_unhealthy&g0.tab=1",
        "fingerprint": fingerprint,
    }


def notification(*alerts, status=None, receiver="frigate-remediator"):
    alerts = list(alerts) or [alert()]
    common = dict(alerts[0]["labels"])
    return {
        "receiver": receiver,
        "status": status or ("firing" if any(a["status"] == "firing" for a in alerts)
                             else "resolved"),
        "alerts": alerts,
        "groupLabels": {"alertname": common["alertname"]},
        "commonLabels": common,
        "commonAnnotations": alerts[0]["annotations"],
        "externalURL": "http://alertmanager:9093",
        "version": "4",
        "groupKey": '{}/{remediate="restart"}:{alertname="%s"}' % common["alertname"],
        "truncatedAlerts": 0,
    }


def post_raw(url, data, headers=None, timeout=10, context=None):
    """(status, parsed JSON or text) of a POST with a raw body."""
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    req = urllib.request.Request(url, data=data, headers=h, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=context) as r:
            status, text = r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode("utf-8", "replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


class Remediator:
    def __init__(self, proc, url, env):
        self.proc, self.url, self.env = proc, url, env

    def post(self, body, token=TOKEN, headers=None):
        h = {"Authorization": f"Bearer {token}"} if token else {}
        h.update(headers or {})
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return post_raw(self.url + "/webhook", data, h)

    def state(self):
        status, _, body = http_get(self.url + "/api/v1/state")
        assert status == 200, body
        return json.loads(body)

    def target(self, key="nvr/frigate"):
        return self.state()["targets"].get(key, {})

    def metrics(self):
        status, _, body = http_get(self.url + "/metrics")
        assert status == 200, body
        return body

    def metric(self, name, **labels):
        want = set(labels.items())
        hits = [v for (n, ls), v in parse_metrics(self.metrics()).items()
                if n == name and want <= set(ls)]
        return sum(hits) if hits else 0.0

    def page(self):
        status, _, body = http_get(self.url + "/")
        assert status == 200, body
        return body

    def killed_by_sigkill(self, timeout=15):
        self.proc.p.wait(timeout)
        return self.proc.p.returncode == -signal.SIGKILL


@pytest.fixture
def rproc():
    """Processes started by these fixtures, stopped by their own id at the end."""
    started = []

    def start(argv, env=None, name=None):
        p = Proc(argv, env, name)
        started.append(p)
        return p

    yield start
    for p in reversed(started):
        p.stop()


def remediator_env(tmp_path, settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRIGATE_HC_")}
    env.pop("FHC_TEST_CRASH_AT", None)
    base = {
        "LISTEN": "127.0.0.1:0", "WEBHOOK_TOKEN": TOKEN, "NAMESPACE": "nvr",
        "DEPLOYMENT_NAME": "frigate", "STATE_STORE": "file",
        "STATE_FILE": str(tmp_path / "state" / "remediator-state.json"),
        "OBSERVATION_INTERVAL_SECONDS": "0", "STARTUP_GRACE_PERIOD_SECONDS": "0",
        "CONSECUTIVE_FAILURES_REQUIRED": "2", "RECOVERY_TIMEOUT_SECONDS": "20",
        "MAIL_RETRY_SECONDS": "1", "API_TIMEOUT_SECONDS": "3",
    }
    crash = settings.pop("FHC_TEST_CRASH_AT", None)
    base.update({k: str(v) for k, v in settings.items() if v is not None})
    for k in [k for k, v in settings.items() if v is None]:
        base.pop(k, None)
    env.update({f"FRIGATE_HC_{k}": v for k, v in base.items()})
    if crash:
        env["FHC_TEST_CRASH_AT"] = crash
    return env


@pytest.fixture
def remediator(rproc, tmp_path):
    """remediator(**settings) -> Remediator (waits for its listening line)."""
    (tmp_path / "state").mkdir(exist_ok=True)

    def start(args=(), **settings):
        env = remediator_env(tmp_path, settings)
        p = rproc([require_binary(REMEDIATOR), *args], env=env, name="frigate-remediator")
        url = p.wait_for(r"listening on (https?://127\.0\.0\.1:\d+)").group(1)
        return Remediator(p, url, env)

    return start


def run_remediator(tmp_path, timeout=10, **settings):
    """Runs the binary to completion (for start-up failures): CompletedProcess."""
    (tmp_path / "state").mkdir(exist_ok=True)
    env = remediator_env(tmp_path, settings)
    return subprocess.run([str(require_binary(REMEDIATOR))], env=env, capture_output=True,
                          text=True, timeout=timeout)


# --- SMTP -------------------------------------------------------------------------------------

SMTP_USER, SMTP_PASSWORD = "remediator@example.test", "mail-pw-19a"


class Smtp:
    def __init__(self, proc, port, ca, maildir):
        self.proc, self.port, self.ca, self.maildir = proc, port, ca, pathlib.Path(maildir)

    def settings(self):
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": self.port, "SMTP_TLS": "starttls",
                "SMTP_CA_FILE": self.ca, "SMTP_USER": SMTP_USER, "SMTP_PASSWORD": SMTP_PASSWORD,
                "ALERT_EMAIL": "ops@example.test", "GRAFANA_URL": "http://grafana:3000/d/frigate",
                "FRIGATE_PUBLIC_URL": "http://frigate.example.test:5000"}

    def mails(self):
        """Decoded messages in arrival order (the .eml of each, as a mail client reads it)."""
        out = []
        for eml in sorted(self.maildir.glob("*.eml")):
            r = subprocess.run([PY, str(SMTP_SERVER), "--decode", str(eml)], capture_output=True,
                               text=True, timeout=20, check=True)
            msg = json.loads(r.stdout)
            msg["envelope"] = json.loads(eml.with_suffix(".json").read_text())
            msg["raw"] = eml.read_text(errors="replace")
            out.append(msg)
        return out

    def outcomes(self):
        out = []
        for m in self.mails():
            for line in m["raw"].splitlines():
                if line.lower().startswith("x-frigate-remediator-outcome:"):
                    out.append(line.split(":", 1)[1].strip())
        return out


@pytest.fixture(scope="session")
def smtp_certs(tmp_path_factory):
    return tmp_path_factory.mktemp("smtp-certs")


@pytest.fixture
def smtp(rproc, tmp_path, smtp_certs):
    """smtp(port=0) -> Smtp with STARTTLS, required login and the session's test CA."""

    def start(port=0, maildir=None):
        maildir = maildir or tmp_path / "maildir"
        p = rproc([PY, SMTP_SERVER, "--port", str(port), "--tls", "starttls", "--cert-dir",
                   smtp_certs, "--maildir", maildir, "--user", SMTP_USER, "--password",
                   SMTP_PASSWORD, "--require-auth"], name="smtp-server")
        got = int(p.wait_for(r"^PORT (\d+)").group(1))
        ca = p.wait_for(r"^CA (\S+)").group(1)
        return Smtp(p, got, ca, maildir)

    return start


# --- Kubernetes API double --------------------------------------------------------------------

KUBE_TOKEN = "kube-token-5d1e"


class Kube:
    def __init__(self, proc, url, token_file):
        self.proc, self.url, self.token_file = proc, url, token_file

    def control(self, path, payload=None):
        if payload is None:
            status, _, body = http_get(self.url + "/_double/" + path)
        else:
            status, body = http_post_json(self.url + "/_double/" + path, payload)
        assert status == 200, body
        return json.loads(body)

    def requests(self, method=None, pattern=""):
        return [r for r in self.control("requests")
                if (method is None or r["method"] == method) and pattern in r["path"]]

    def settings(self, store=True):
        s = {"RESTART_ACTION": "kubernetes", "KUBE_API_URL": self.url,
             "KUBE_TOKEN_FILE": self.token_file}
        if store:
            s.update({"STATE_STORE": "configmap", "CONFIGMAP_NAME": "frigate-health-state"})
        return s

    def configmap(self, name="frigate-health-state", ns="nvr"):
        return self.control("state")["configmaps"].get(f"{ns}/{name}")

    def restarts(self):
        """PATCHes of the Frigate deployment the double received."""
        return self.requests("PATCH", "/deployments/frigate")


@pytest.fixture
def kube(rproc, tmp_path):
    """kube(rollout_seconds=1) -> Kube: the API double requiring a bearer token."""

    def start(rollout_seconds=1.0):
        token_file = tmp_path / "kube-token"
        token_file.write_text(KUBE_TOKEN + "\n")
        p = rproc([PY, KUBE_DOUBLE, "--port", "0", "--token", KUBE_TOKEN, "--rollout-seconds",
                   str(rollout_seconds)], name="kube-api-double")
        url = p.wait_for(r"kube-api-double listening on (http://\S+)").group(1)
        return Kube(p, url, str(token_file))

    return start


# --- Frigate simulator --------------------------------------------------------------------------


class Sim:
    def __init__(self, proc, url, control):
        self.proc, self.url, self.control = proc, url, control

    def state(self):
        status, _, body = http_get(self.control + "/_sim/state")
        assert status == 200, body
        return json.loads(body)

    def restarts(self):
        return self.state()["restart_count"]


@pytest.fixture
def sim(rproc):
    """sim(start_uptime=3600, downtime=1) -> Sim (Frigate 0.16 simulator)."""

    def start(start_uptime=3600, downtime=1, extra=()):
        p = rproc([PY, ROOT / "tests" / "doubles" / "frigate_sim.py", "--port", "0",
                   "--control-port", "0", "--restart-downtime", str(downtime), "--start-uptime",
                   str(start_uptime), "--cameras", "2", *extra], name="frigate-sim")
        url = p.wait_for(r"frigate-sim listening on (http://\S+)").group(1)
        control = p.wait_for(r"frigate-sim control on (http://\S+)").group(1)
        return Sim(p, url, control)

    return start


def last_decision(target):
    decisions = target.get("decisions", [])
    return decisions[-1] if decisions else {}


def verdict(decision, gate):
    for v in decision.get("verdicts", []):
        if v["gate"] == gate:
            return v
    return None


def ssl_context_trusting(ca_file):
    ctx = ssl.create_default_context(cafile=str(ca_file))
    return ctx


__all__ = [
    "TOKEN", "KUBE_TOKEN", "alert", "notification", "post_raw", "Remediator", "rproc",
    "remediator", "run_remediator", "smtp_certs", "smtp", "Smtp", "kube", "Kube", "sim", "Sim",
    "last_decision", "verdict", "ssl_context_trusting", "wait_until", "http_get", "free_port",
    "parse_metrics", "time",
]
