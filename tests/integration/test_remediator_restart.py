"""frigate-remediator restarting Frigate, and the gates that stop it, against the real binary.

Proves: consecutive failures lead to exactly one restart with RESTART_ACTION=frigate-api
(Frigate simulator) and with RESTART_ACTION=kubernetes + STATE_STORE=configmap (Kubernetes API
double), whose PATCH has kubectl's content type and body shape (tests/fixtures/kube/
kubectl_rollout_restart_patch.json) plus fieldManager=frigate-remediator; the startup grace,
node readiness, paused-deployment and circuit-breaker gates block, the circuit closes again
after CIRCUIT_WINDOW_SECONDS; every verdict is in GET /api/v1/state and on the status page.
Run: FHC_BUILD_DIR=build/<dir> /usr/bin/python3 -m pytest -q tests/integration/test_remediator_restart.py
"""
import datetime
import html
import json

from fhc_testlib import ROOT
from remediator_fixtures import *  # noqa: F401,F403 (fixtures by name)

KUBECTL_PATCH = ROOT / "tests" / "fixtures" / "kube" / "kubectl_rollout_restart_patch.json"


def shape(value):
    """The JSON structure with leaves replaced by their type, to compare bodies by shape."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return type(value).__name__


def restarted(r):
    return r.metric("frigate_remediator_restarts_total", result="ok")


def test_consecutive_failures_restart_frigate_through_its_api_once(remediator, sim):
    s = sim()
    r = remediator(FRIGATE_URL=s.url, RESTART_ACTION="frigate-api")
    status, body = r.post(notification())
    assert status == 200 and body["decisions"][0]["outcome"] == "waiting", body
    assert s.restarts() == 0
    status, body = r.post(notification())
    assert body["decisions"][0]["outcome"] == "restart", body
    wait_until(lambda: restarted(r) == 1, timeout=20, what="restart done")
    assert s.restarts() == 1
    t = r.target()
    assert len(t["restart_times"]) == 1 and t.get("pending_restart") is None
    assert t["consecutive_failures"] == 0
    assert t["restarts_last_hour"] == 1
    r.proc.wait_for(r"restart of nvr/frigate done")


def test_kubernetes_restart_patches_like_kubectl_and_state_lives_in_the_configmap(
        remediator, kube):
    k = kube(rollout_seconds=1)
    r = remediator(**k.settings())
    r.post(notification())
    status, body = r.post(notification())
    assert body["decisions"][0]["outcome"] == "restart", body
    wait_until(lambda: restarted(r) == 1, timeout=20, what="rollout watched to the end")
    patches = k.restarts()
    assert len(patches) == 1, patches
    p = patches[0]
    assert p["content_type"] == "application/strategic-merge-patch+json"
    assert p["params"].get("fieldManager") == ["frigate-remediator"]
    assert p["authorization"] == f"Bearer {KUBE_TOKEN}"
    sent = json.loads(p["body"])
    kubectl = json.loads(KUBECTL_PATCH.read_text())
    assert shape(sent) == shape(kubectl)
    stamp = sent["spec"]["template"]["metadata"]["annotations"][
        "kubectl.kubernetes.io/restartedAt"]
    when = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    assert abs(when.timestamp() - time.time()) < 30, stamp
    # The rollout happened in the double, and the state is in the ConfigMap, not a file.
    dep = k.control("state")["deployments"]["nvr/frigate"]
    assert dep["spec"]["template"]["metadata"]["annotations"][
        "kubectl.kubernetes.io/restartedAt"] == stamp
    cm = k.configmap()
    assert cm is not None
    stored = json.loads(next(iter(cm["data"].values())))
    assert len(stored["targets"]["nvr/frigate"]["restart_times"]) == 1
    writes = k.requests("PUT", "/configmaps/") + k.requests("POST", "/configmaps")
    assert writes, "state was never written to the ConfigMap"


def test_startup_grace_blocks_while_frigate_has_just_started(remediator, sim):
    s = sim(start_uptime=5)
    r = remediator(FRIGATE_URL=s.url, RESTART_ACTION="frigate-api",
                   STARTUP_GRACE_PERIOD_SECONDS=3600, CONSECUTIVE_FAILURES_REQUIRED=1)
    status, body = r.post(notification())
    assert body["decisions"][0] == {"target": "nvr/frigate", "outcome": "blocked",
                                    "gate": "startup_grace"}, body
    d = last_decision(r.target())
    assert d["outcome"] == "blocked" and d["gate"] == "startup_grace"
    assert verdict(d, "startup_grace")["outcome"] == "block"
    assert verdict(d, "consecutive_failures")["outcome"] == "pass"
    assert verdict(d, "node_ready")["outcome"] == "not_applicable"
    page = html.unescape(r.page())
    assert "startup_grace: block" in page
    assert "blocked by startup_grace" in page
    time.sleep(0.3)
    assert s.restarts() == 0
    assert r.metric("frigate_remediator_decisions_total", outcome="blocked",
                    gate="startup_grace") == 1


def test_node_not_ready_blocks(remediator, kube):
    k = kube()
    k.control("node", {"name": "node-1", "ready": "False"})
    r = remediator(CONSECUTIVE_FAILURES_REQUIRED=1, **k.settings())
    status, body = r.post(notification())
    assert body["decisions"][0]["gate"] == "node_ready", body
    d = last_decision(r.target())
    v = verdict(d, "node_ready")
    assert v["outcome"] == "block" and "node-1" in v["reason"], v
    assert "node_ready: block" in html.unescape(r.page())
    # Ready again: the next observation restarts.
    k.control("node", {"name": "node-1", "ready": "True"})
    status, body = r.post(notification())
    assert body["decisions"][0]["outcome"] == "restart", body
    wait_until(lambda: len(k.restarts()) == 1, what="PATCH after the node is Ready")


def test_paused_deployment_blocks(remediator, kube):
    k = kube()
    k.control("deployment", {"spec": {"paused": True}})
    r = remediator(CONSECUTIVE_FAILURES_REQUIRED=1, **k.settings())
    status, body = r.post(notification())
    assert body["decisions"][0]["gate"] == "rollout_sanity", body
    v = verdict(last_decision(r.target()), "rollout_sanity")
    assert v["outcome"] == "block" and "paused" in v["reason"], v
    assert verdict(last_decision(r.target()), "node_ready")["outcome"] == "pass"
    assert "rollout_sanity: block" in html.unescape(r.page())
    time.sleep(0.3)
    assert k.restarts() == []


def test_circuit_breaker_opens_at_the_limit_and_closes_after_the_window(remediator, sim):
    s = sim()
    window = 6
    r = remediator(FRIGATE_URL=s.url, RESTART_ACTION="frigate-api", MAX_RESTARTS_PER_HOUR=1,
                   CIRCUIT_WINDOW_SECONDS=window, CONSECUTIVE_FAILURES_REQUIRED=1)
    status, body = r.post(notification())
    assert body["decisions"][0]["outcome"] == "restart", body
    first = time.time()
    wait_until(lambda: restarted(r) == 1, timeout=20, what="first restart")
    status, body = r.post(notification())
    assert body["decisions"][0] == {"target": "nvr/frigate", "outcome": "blocked",
                                    "gate": "circuit_breaker"}, body
    assert r.target()["circuit_open"] is True
    assert r.metric("frigate_remediator_circuit_open", namespace="nvr", deployment="frigate") == 1
    assert "OPEN" in r.page()
    assert "circuit_breaker: block" in html.unescape(r.page())
    # After the (compressed) window the restart time has slid out: allowed again.
    time.sleep(max(0.0, first + window + 0.5 - time.time()))
    assert r.metric("frigate_remediator_circuit_open", namespace="nvr", deployment="frigate") == 0
    status, body = r.post(notification())
    assert body["decisions"][0]["outcome"] == "restart", body
    wait_until(lambda: restarted(r) == 2, timeout=20, what="second restart")
    assert s.restarts() == 2


# Issue 9 item 5: the kubelet is already restarting a crash-looping Frigate: notify, no rollout
# restart, also while the Deployment's status is stale and still counts the pod available.
def test_crash_looping_frigate_is_left_to_the_kubelet(remediator, kube):
    k = kube()
    k.control("container", {"crashloop": True, "restarts": 4, "update_deployment": False})
    dep = k.control("state")["deployments"]["nvr/frigate"]
    assert dep["status"]["availableReplicas"] == 1  # stale
    r = remediator(CONSECUTIVE_FAILURES_REQUIRED=1, **k.settings())
    status, body = r.post(notification())
    assert body["decisions"][0] == {"target": "nvr/frigate", "outcome": "blocked",
                                    "gate": "crash_loop"}, body
    v = verdict(last_decision(r.target()), "crash_loop")
    assert "CrashLoopBackOff (4 restart(s)" in v["reason"], v
    time.sleep(0.3)
    assert k.restarts() == []


# Issue 9 items 2 and 6: with two allowed targets each is judged on its own pod and node, found
# by its own Deployment's selector (the official chart's labels; no POD_LABEL_SELECTOR).
def test_each_allowed_target_is_judged_on_its_own_pod_and_node(remediator, kube):
    k = kube()
    k.control("deployments", {"name": "garage-frigate", "node": "node-2"})
    k.control("node", {"name": "node-2", "ready": "False"})
    r = remediator(CONSECUTIVE_FAILURES_REQUIRED=1, ALLOWED_TARGETS="nvr/frigate,nvr/garage-frigate",
                   **k.settings())
    garage = alert(deployment="garage-frigate", fingerprint="9a9a9a9a9a9a9a9a")
    status, body = r.post(notification(garage))
    assert body["decisions"][0] == {"target": "nvr/garage-frigate", "outcome": "blocked",
                                    "gate": "node_ready"}, body
    state = r.state()["targets"]["nvr/garage-frigate"]
    v = verdict(last_decision(state), "node_ready")
    assert "node-2" in v["reason"], v
    started = verdict(last_decision(state), "startup_grace")["reason"]
    assert "(from container frigate)" in started, started
    status, body = r.post(notification())
    assert body["decisions"][0] == {"target": "nvr/frigate", "outcome": "restart", "gate": ""}, body
    wait_until(lambda: len(k.restarts()) == 1, what="PATCH of nvr/frigate")
    assert k.requests("PATCH", "/deployments/garage-frigate") == []
