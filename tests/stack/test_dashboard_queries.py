"""Every query of the Grafana dashboard, run through a real Prometheus.

Two scrape setups:
- synthetic: a tiny HTTP server serves fixtures/synthetic-*.prom (every family with DESIGN.md's
  names and labels). Checks the dashboard against the contract, runs today.
- real: the built frigate-exporter and frigate-remediator, the exporter reading the Frigate
  simulator (tests/doubles/frigate_sim.py). Fails with a clear message until they exist.
Both also load alerts/frigate-health.rules.yml and require every rule to evaluate without error.
"""
import json
import os
import pathlib
import re
import subprocess
import sys
import time
import urllib.request

import pytest

from stack_common import DASHBOARD, EXPORTER, REMEDIATOR, REPO, RULES
from prom_harness import Prometheus, TextTarget, free_port

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
FRIGATE_SIM = REPO / "tests" / "doubles" / "frigate_sim.py"

# Grafana's built-in interval variables, as Grafana would expand them for a 5-minute view.
BUILTINS = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "5m"}


def dashboard():
    return json.loads(DASHBOARD.read_text())


def panel_queries(dash):
    """(title, expr) of every panel target, rows' nested panels included."""
    out = []

    def walk(panels):
        for p in panels:
            for t in p.get("targets", []):
                out.append((p["title"], t["expr"]))
            walk(p.get("panels", []))

    walk(dash["panels"])
    return out


def annotation_queries(dash):
    """(name, expr) of the annotation queries: events, so empty most of the time."""
    return [(a["name"], a["expr"]) for a in dash["annotations"]["list"] if a.get("expr")]


def variable_queries(dash):
    """{variable: (selector, label)} for each label_values() variable."""
    out = {}
    for v in dash["templating"]["list"]:
        if v["type"] == "query":
            m = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", v["definition"])
            assert m, f"variable {v['name']}: unexpected query {v['definition']}"
            out[v["name"]] = (m.group(1), m.group(2))
    return out


def substitute(expr: str, values: dict) -> str:
    for name, value in {**BUILTINS, **{f"${k}": v for k, v in values.items()}}.items():
        expr = expr.replace(name, value)
    assert "$" not in expr, f"unsubstituted variable in {expr}"
    return expr


def check_dashboard_against(prom: Prometheus):
    """Asserts every variable yields values and every panel query parses and returns data, with
    the variables at All and at each concrete first value."""
    dash = dashboard()
    chosen = {}
    for name, (selector, label) in variable_queries(dash).items():
        selector = substitute(selector, {k: re.escape(v) for k, v in chosen.items()})
        samples = prom.wait_for(selector, 20)
        values = sorted({s["metric"][label] for s in samples if label in s["metric"]})
        assert values, f"variable ${name}: no {label} label on {selector}"
        chosen[name] = values[0]
    failures = []
    for values in ({k: ".*" for k in chosen}, {k: re.escape(v) for k, v in chosen.items()}):
        for title, expr in panel_queries(dash):
            query = substitute(expr, values)
            result = prom.query(query)
            if result.get("status") != "success":
                failures.append(f"{title}: {query}: {result.get('error')}")
            elif not result["data"]["result"]:
                failures.append(f"{title}: {query}: no data")
        for name, expr in annotation_queries(dash):  # must parse; data only when Frigate restarts
            query = substitute(expr, values)
            result = prom.query(query)
            if result.get("status") != "success":
                failures.append(f"annotation {name}: {query}: {result.get('error')}")
    assert not failures, "\n".join(failures)


def check_rules_loaded(prom: Prometheus):
    rules = [r for g in prom.api("rules")["data"]["groups"] for r in g["rules"]]
    assert len(rules) == RULES.read_text().count("- alert:")
    # Rules are evaluated every second; give them a few rounds, then none may be in error.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        rules = [r for g in prom.api("rules")["data"]["groups"] for r in g["rules"]]
        if all(r["health"] == "ok" for r in rules):
            return
        time.sleep(0.5)
    assert not [r for r in rules if r["health"] != "ok"]


def wait_for_scrapes(prom: Prometheus, jobs, count=4):
    for job in jobs:
        prom.wait_for(f'up{{job="{job}"}} == 1', 30)
        prom.wait_for(f'count_over_time(up{{job="{job}"}}[1m]) >= {count}', 30)


def test_dashboard_is_current_schema_with_datasource_variable():
    dash = dashboard()
    assert dash["schemaVersion"] >= 39
    assert dash["uid"] and dash["tags"]
    kinds = {p["type"] for p in dash["panels"]}
    assert {"timeseries", "stat", "state-timeline"} <= kinds
    assert not kinds & {"graph", "singlestat", "table-old"}, "deprecated panel types"
    variables = {v["name"]: v for v in dash["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    assert {"namespace", "deployment", "camera"} <= variables.keys()
    for p in dash["panels"]:
        if p["type"] != "row":
            assert p["datasource"]["uid"] == "${datasource}", p["title"]
            assert all(t["datasource"]["uid"] == "${datasource}" for t in p["targets"]), p["title"]
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids)), "duplicate panel ids"


def test_dashboard_covers_the_health_and_remediator_families():
    exprs = " ".join(e for _, e in panel_queries(dashboard()))
    for family in ["frigate_unhealthy", "frigate_detector_inference_speed_seconds",
                   "frigate_stuck_detection_events", "frigate_recording_backlog_events",
                   "frigate_camera_fps", "frigate_skipped_fps", "frigate_storage_used_bytes",
                   "frigate_service_uptime_seconds", "frigate_service_info",
                   "frigate_remediator_decisions_total", "frigate_remediator_restarts_total",
                   "frigate_remediator_circuit_open", "frigate_remediator_consecutive_failures",
                   "frigate_remediator_emails_total"]:
        assert family in exprs, family


def test_every_query_returns_data_from_synthetic_targets(tmp_path):
    exporter = TextTarget((FIXTURES / "synthetic-exporter.prom").read_text())
    remediator = TextTarget((FIXTURES / "synthetic-remediator.prom").read_text())
    prom = Prometheus(tmp_path / "prom", {"frigate-exporter": [exporter.address],
                                          "frigate-remediator": [remediator.address]}, [RULES])
    try:
        wait_for_scrapes(prom, ["frigate-exporter", "frigate-remediator"])
        check_rules_loaded(prom)
        check_dashboard_against(prom)
    finally:
        prom.stop()
        exporter.close()
        remediator.close()


def test_a_misspelled_query_is_caught(tmp_path):
    """The check can fail: a family the targets do not expose gives 'no data'."""
    exporter = TextTarget((FIXTURES / "synthetic-exporter.prom").read_text())
    prom = Prometheus(tmp_path / "prom", {"frigate-exporter": [exporter.address]})
    try:
        wait_for_scrapes(prom, ["frigate-exporter"], count=2)
        assert prom.query("frigate_camera_fpz")["data"]["result"] == []
        assert prom.query("sum by (camera (frigate_camera_fps)")["status"] == "error"
    finally:
        prom.stop()
        exporter.close()


# ------------------------------------------------------------------------------------------------
# The real programs. Not skipped when missing: the dashboard's promise is about them.


def start_frigate_sim(tmp_path):
    """Starts the simulator; returns (process, API URL, control URL)."""
    proc = subprocess.Popen([sys.executable, str(FRIGATE_SIM), "--port", "0", "--control-port", "0"],
                            stdout=subprocess.PIPE, stderr=open(tmp_path / "frigate_sim.log", "w"),
                            text=True)
    urls = {}
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and len(urls) < 2:
        line = proc.stdout.readline()
        m = re.search(r"frigate-sim (listening|control) on (http://127\.0\.0\.1:\d+)", line or "")
        if m:
            urls[m.group(1)] = m.group(2)
        elif proc.poll() is not None:
            break
    if len(urls) < 2:
        proc.kill()
        raise AssertionError(f"frigate_sim.py did not print its addresses; see {tmp_path / 'frigate_sim.log'}")
    return proc, urls["listening"], urls["control"]


def sim_log_event(control_url, **body):
    req = urllib.request.Request(f"{control_url}/_sim/log", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200


def start_program(binary, env_settings, log_path, health_path):
    port = free_port()
    env = dict(os.environ, FRIGATE_HC_LISTEN=f"127.0.0.1:{port}",
               **{f"FRIGATE_HC_{k}": v for k, v in env_settings.items()})
    proc = subprocess.Popen([str(binary)], env=env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{binary.name} exited with {proc.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{health_path}", timeout=1):
                return proc, f"127.0.0.1:{port}"
        except urllib.error.HTTPError:  # answering, maybe unhealthy: that is fine here
            return proc, f"127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"{binary.name} did not answer {health_path}; see {log_path}")


def post_firing_alert(address):
    body = json.dumps({
        "version": "4", "groupKey": '{}/{alertname=~"Frigate.+"}:{deployment="frigate", namespace="nvr"}',
        "truncatedAlerts": 0, "status": "firing", "receiver": "frigate-remediator",
        "groupLabels": {"namespace": "nvr", "deployment": "frigate"},
        "commonLabels": {"alertname": "FrigateInferenceSlow", "namespace": "nvr", "deployment": "frigate",
                         "remediate": "restart", "severity": "critical"},
        "commonAnnotations": {"summary": "Frigate detector inference is slow"},
        "externalURL": "http://127.0.0.1:9093",
        "alerts": [{"status": "firing",
                    "labels": {"alertname": "FrigateInferenceSlow", "namespace": "nvr",
                               "deployment": "frigate", "remediate": "restart", "severity": "critical"},
                    "annotations": {"summary": "Frigate detector inference is slow",
                                    "description": "The slowest detector takes 250.5 ms"},
                    "startsAt": "2026-11-28T06:40:44.425Z", "endsAt": "0001-01-01T00:00:00Z",
                    "generatorURL": "http://127.0.0.1:9090/graph", "fingerprint": "864f93fb887d6ba5"}]}).encode()
    req = urllib.request.Request(f"http://{address}/webhook", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200


def test_every_query_returns_data_from_the_real_programs(tmp_path):
    missing = [str(p) for p in (EXPORTER, REMEDIATOR, FRIGATE_SIM) if not p.exists()]
    if missing:
        pytest.fail("not built or not written yet: " + ", ".join(missing) +
                    " (build with scripts/build.sh; the simulator is tests/doubles/frigate_sim.py)")
    procs = []
    prom = None
    try:
        sim, frigate_url, control_url = start_frigate_sim(tmp_path)
        procs.append(sim)
        # Log lines behind the stuck-detection and recording-backlog panels.
        sim_log_event(control_url, event="stuck")
        sim_log_event(control_url, event="backlog", count=2)
        target = {"NAMESPACE": "nvr", "DEPLOYMENT_NAME": "frigate"}
        exporter, exporter_addr = start_program(
            EXPORTER, {**target, "FRIGATE_URL": frigate_url, "TARGET_LABELS": "true"},
            tmp_path / "exporter.log", "/metrics")
        procs.append(exporter)
        # Mail goes to a closed port so the mail counters have a (failed) series; dry-run restarts.
        remediator, remediator_addr = start_program(
            REMEDIATOR, {**target, "WEBHOOK_AUTH": "none", "RESTART_ACTION": "dry-run",
                         "STATE_STORE": "file", "STATE_FILE": str(tmp_path / "state.json"),
                         "ALLOWED_TARGETS": "nvr/frigate", "OBSERVATION_INTERVAL_SECONDS": "1",
                         "CONSECUTIVE_FAILURES_REQUIRED": "2", "STARTUP_GRACE_PERIOD_SECONDS": "0",
                         "FRIGATE_URL": frigate_url, "SMTP_HOST": "127.0.0.1",
                         "SMTP_PORT": str(free_port()), "SMTP_TLS": "none", "SMTP_USER": "hc",
                         "SMTP_PASSWORD": "pw", "ALERT_EMAIL": "ops@example.org"},
            tmp_path / "remediator.log", "/healthz")
        procs.append(remediator)
        # Two observations a little over OBSERVATION_INTERVAL_SECONDS apart: a dry-run restart.
        post_firing_alert(remediator_addr)
        time.sleep(1.5)
        post_firing_alert(remediator_addr)
        prom = Prometheus(tmp_path / "prom", {"frigate-exporter": [exporter_addr],
                                              "frigate-remediator": [remediator_addr]}, [RULES])
        wait_for_scrapes(prom, ["frigate-exporter", "frigate-remediator"])
        check_rules_loaded(prom)
        check_dashboard_against(prom)
    finally:
        if prom:
            prom.stop()
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
