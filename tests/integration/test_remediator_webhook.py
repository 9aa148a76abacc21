"""frigate-remediator's webhook as Alertmanager and an attacker see it, against the real binary.

Proves: the status codes of DESIGN.md (200 accepted/ignored, 400 malformed with a JSON message,
401 missing or wrong credentials for bearer and basic auth, 413 over 1 MiB); secrets from
*_FILE; bad settings stop the program with exit 2 and one line naming the setting; Alertmanager's
duplicates and an HA pair's double delivery count as one observation; targets outside
ALLOWED_TARGETS and notify-only alerts never restart; /metrics passes `promtool check metrics`;
the optional TLS listener serves the webhook over https.
Run: FHC_BUILD_DIR=build/<dir> /usr/bin/python3 -m pytest -q tests/integration/test_remediator_webhook.py
"""
import base64
import json
import subprocess
import threading

import pytest

from fhc_testlib import parse_metrics, promtool_check_metrics
from remediator_fixtures import *  # noqa: F401,F403 (fixtures by name)


def test_firing_remediable_notification_is_accepted_and_counted(remediator):
    r = remediator(RESTART_ACTION="dry-run", CONSECUTIVE_FAILURES_REQUIRED=3)
    status, body = r.post(notification())
    assert status == 200, body
    assert body["status"] == "accepted" and body["counted"] == 1
    assert body["decisions"][0]["outcome"] == "waiting"
    assert r.target()["consecutive_failures"] == 1
    assert r.metric("frigate_remediator_webhooks_total", result="accepted") == 1


@pytest.mark.parametrize("name,data", [
    ("not JSON", b"this is not json {"),
    ("empty body", b""),
    ("version 3", json.dumps(dict(notification(), version="3")).encode()),
    ("alerts is a string", json.dumps(dict(notification(), alerts="many")).encode()),
    ("labels is a list", json.dumps(dict(notification(), alerts=[
        dict(alert(), labels=["namespace", "nvr"])])).encode()),
    ("status is a number", json.dumps(dict(notification(), alerts=[
        dict(alert(), status=5)])).encode()),
    ("missing alerts", json.dumps({k: v for k, v in notification().items()
                                   if k != "alerts"}).encode()),
    ("nested 100 levels", (b'{"version":"4","status":"firing","alerts":[' + b"[" * 100
                           + b"]" * 100 + b"]}")),
    ("top level is a list", b"[1,2,3]"),
])
def test_malformed_bodies_get_400_with_a_json_message(remediator, name, data):
    r = remediator(RESTART_ACTION="dry-run")
    status, body = r.post(data)
    assert status == 400, (name, body)
    assert isinstance(body, dict) and body.get("error"), (name, body)
    assert r.metric("frigate_remediator_webhooks_total", result="malformed") == 1
    # The program is still there and the state is untouched.
    assert r.proc.p.poll() is None
    assert r.state()["targets"] == {}


def test_missing_or_wrong_bearer_token_gets_401(remediator):
    r = remediator(RESTART_ACTION="dry-run")
    for token in (None, "wrong-token", TOKEN + "x", TOKEN[:-1]):
        status, body = r.post(notification(), token=token)
        assert status == 401, (token, body)
        assert body["error"]
    status, body = r.post(notification(), token=None, headers={"Authorization": "Basic " +
                          base64.b64encode(f"x:{TOKEN}".encode()).decode()})
    assert status == 401
    assert r.metric("frigate_remediator_webhooks_total", result="unauthorized") == 5
    assert r.state()["targets"] == {}
    assert TOKEN not in r.proc.output()


def test_basic_auth_accepts_only_the_right_user_and_password(remediator):
    r = remediator(RESTART_ACTION="dry-run", WEBHOOK_AUTH="basic", WEBHOOK_TOKEN=None,
                   WEBHOOK_USER="alertmanager", WEBHOOK_PASSWORD="pa:ss-w0rd")

    def basic(user, pw):
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()}

    for user, pw in (("alertmanager", "wrong"), ("other", "pa:ss-w0rd"), ("alertmanager", "")):
        status, _ = r.post(notification(), token=None, headers=basic(user, pw))
        assert status == 401, (user, pw)
    status, _ = r.post(notification(), token=None)
    assert status == 401
    status, body = r.post(notification(), token=None, headers=basic("alertmanager", "pa:ss-w0rd"))
    assert status == 200, body
    assert "pa:ss-w0rd" not in r.proc.output()


def test_bearer_token_from_a_file(remediator, tmp_path):
    secret = tmp_path / "webhook-token"
    secret.write_text("from-a-file-91\n")
    r = remediator(RESTART_ACTION="dry-run", WEBHOOK_TOKEN=None,
                   WEBHOOK_TOKEN_FILE=str(secret))
    assert r.post(notification(), token="from-a-file-91")[0] == 200
    assert r.post(notification(), token=TOKEN)[0] == 401
    assert "from-a-file-91" not in r.proc.output()


def test_body_over_one_mib_gets_413(remediator):
    r = remediator(RESTART_ACTION="dry-run")
    n = notification()
    n["commonAnnotations"] = {"padding": "x" * (1024 * 1024 + 10)}
    status, body = r.post(n)
    assert status == 413, body
    assert body["error"]
    # Just under the limit is still read and judged.
    n["commonAnnotations"] = {"padding": "x" * (1000 * 1000)}
    assert r.post(n)[0] == 200
    assert r.metric("frigate_remediator_webhooks_total", result="too_large") == 1


@pytest.mark.parametrize("settings,named", [
    ({"WEBHOOK_AUTH": "bearer", "WEBHOOK_TOKEN": None}, "WEBHOOK_TOKEN"),
    ({"WEBHOOK_AUTH": "basic", "WEBHOOK_USER": "am"}, "WEBHOOK_PASSWORD"),
    ({"WEBHOOK_AUTH": "digest"}, "WEBHOOK_AUTH"),
    ({"RESTART_ACTION": "foo"}, "RESTART_ACTION"),
    ({"STATE_STORE": "etcd"}, "STATE_STORE"),
    ({"OBSERVATION_INTERVAL_SECONDS": "-1"}, "OBSERVATION_INTERVAL_SECONDS"),
    ({"MAX_RESTARTS_PER_HOUR": "many"}, "MAX_RESTARTS_PER_HOUR"),
    ({"ALLOWED_TARGETS": "nvr"}, "ALLOWED_TARGETS"),
    ({"SMTP_TLS": "ssl"}, "SMTP_TLS"),
    ({"FRIGATE_CONTAINER": "Frigate Main"}, "FRIGATE_CONTAINER"),
    ({"TLS_CERT_FILE": "/x.pem"}, "TLS_KEY_FILE"),
    ({"WEBHOOK_TOKEN": None, "WEBHOOK_TOKEN_FILE": "/nonexistent/token"}, "WEBHOOK_TOKEN"),
])
def test_bad_settings_exit_2_with_one_line_naming_the_setting(tmp_path, settings, named):
    r = run_remediator(tmp_path, **settings)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, r.stderr
    assert named in lines[0], lines[0]


def test_duplicates_and_an_ha_pairs_double_delivery_count_once(remediator):
    r = remediator(RESTART_ACTION="dry-run", OBSERVATION_INTERVAL_SECONDS=60,
                   CONSECUTIVE_FAILURES_REQUIRED=2)
    n = notification()
    # Alertmanager retrying, then both replicas of an HA pair delivering at the same moment.
    assert r.post(n)[0] == 200
    assert r.post(n)[0] == 200
    results = []
    threads = [threading.Thread(target=lambda: results.append(r.post(n))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [s for s, _ in results] == [200, 200]
    assert r.target()["consecutive_failures"] == 1
    assert r.metric("frigate_remediator_consecutive_failures", namespace="nvr",
                    deployment="frigate") == 1
    outcomes = [d["outcome"] for d in r.target()["decisions"]]
    assert outcomes == ["waiting"], outcomes


def test_target_outside_allowed_targets_is_ignored_logged_and_counted(remediator, sim):
    s = sim()
    r = remediator(FRIGATE_URL=s.url, RESTART_ACTION="frigate-api",
                   CONSECUTIVE_FAILURES_REQUIRED=1)
    stranger = alert(namespace="cctv", deployment="frigate-other")
    for _ in range(3):
        status, body = r.post(notification(stranger))
        assert status == 200 and body["status"] == "ignored", body
        assert body["ignored_alerts"] == 1
    assert r.metric("frigate_remediator_webhooks_total", result="ignored") == 3
    r.proc.wait_for(r"cctv/frigate-other ignored: not in ALLOWED_TARGETS")
    st = r.state()
    assert "cctv/frigate-other" not in st["targets"]
    assert st["ignored_alerts"]["cctv/frigate-other"] == 3
    time.sleep(0.5)
    assert s.restarts() == 0


def test_notify_only_alerts_are_kept_as_diagnostics_and_never_restart(remediator, sim):
    s = sim()
    r = remediator(FRIGATE_URL=s.url, RESTART_ACTION="frigate-api",
                   CONSECUTIVE_FAILURES_REQUIRED=1)
    info = alert(remediate=False, alertname="FrigateEdgeTpuMissing", reason="edgetpu_missing",
                 fingerprint="aaaa000011112222")
    for _ in range(4):
        status, body = r.post(notification(info))
        assert status == 200 and body["status"] == "accepted", body
        assert body["counted"] == 0 and body["decisions"] == []
    t = r.target()
    assert t["consecutive_failures"] == 0
    assert [a["alertname"] for a in t["diagnostics"]] == ["FrigateEdgeTpuMissing"]
    assert t["firing"] == []
    time.sleep(0.5)
    assert s.restarts() == 0
    assert r.metric("frigate_remediator_restarts_total") == 0


def test_metrics_pass_promtool_after_every_kind_of_webhook(remediator):
    r = remediator(RESTART_ACTION="dry-run", CONSECUTIVE_FAILURES_REQUIRED=1)
    r.post(notification())
    r.post(b"nope")
    r.post(notification(), token="bad")
    r.post(notification(alert(namespace="x", deployment="y")))
    wait_until(lambda: r.metric("frigate_remediator_restarts_total") >= 1, what="dry-run restart")
    text = r.metrics()
    code, findings = promtool_check_metrics(text)
    assert code == 0 and findings == "", findings
    for family in ("frigate_remediator_webhooks_total", "frigate_remediator_decisions_total",
                   "frigate_remediator_restarts_total", "frigate_remediator_consecutive_failures",
                   "frigate_remediator_circuit_open", "frigate_remediator_emails_total",
                   "frigate_remediator_state_writes_total", "process_resident_memory_bytes"):
        assert f"\n{family}" in "\n" + text, family


def test_webhook_over_https_with_the_optional_tls_listener(remediator, tmp_path):
    cert, key = tmp_path / "tls.pem", tmp_path / "tls.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    r = remediator(RESTART_ACTION="dry-run", TLS_CERT_FILE=str(cert), TLS_KEY_FILE=str(key))
    assert r.url.startswith("https://"), r.url
    ctx = ssl_context_trusting(cert)
    status, body = post_raw(r.url + "/webhook", json.dumps(notification()).encode(),
                            {"Authorization": f"Bearer {TOKEN}"}, context=ctx)
    assert status == 200 and body["status"] == "accepted", body
    # Plain http on the TLS port gets no answer that could be mistaken for success.
    plain = r.url.replace("https://", "http://")
    assert http_get(plain + "/healthz", timeout=3)[0] != 200


def test_every_counter_series_exists_at_zero_before_anything_happens(remediator):
    """increase() and rate() see a first event only when the series existed before it: a counter
    born at 1 (the first failed mail, the first blocked decision) is invisible to
    FrigateRemediatorMailFailing and to the dashboard. Every known label set starts at 0."""
    r = remediator(RESTART_ACTION="dry-run")
    series = {(n, tuple(sorted(ls))): v for (n, ls), v in parse_metrics(r.metrics()).items()}

    def at_zero(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        assert series.get(key) == 0, (key, [k for k in series if k[0] == name])

    for result in ("sent", "failed"):
        at_zero("frigate_remediator_emails_total", result=result)
    for result in ("accepted", "ignored", "malformed", "unauthorized", "too_large", "unavailable"):
        at_zero("frigate_remediator_webhooks_total", result=result)
    for outcome, gate in (("none", ""), ("restart", ""), ("waiting", "consecutive_failures"),
                          ("blocked", "startup_grace"), ("blocked", "circuit_breaker"),
                          ("blocked", "node_ready"), ("blocked", "rollout_sanity")):
        at_zero("frigate_remediator_decisions_total", outcome=outcome, gate=gate)
    for result in ("ok", "error"):
        at_zero("frigate_remediator_state_writes_total", result=result)
