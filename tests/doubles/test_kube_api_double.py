"""Self-tests of the Kubernetes API double: every path, the Status bodies, resourceVersion rules,
log following and the simulated rollout. Run: /usr/bin/python3 -m pytest -q tests/doubles/test_kube_api_double.py
"""

import datetime
import http.client
import json
import os
import re
import ssl
import subprocess
import sys
import time
import urllib.parse

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
DOUBLE = os.path.join(HERE, "kube_api_double.py")
TOKEN = "s3cret-token"


class DoubleProcess:
    """Starts kube_api_double.py on a free port and talks to it over http.client."""

    def __init__(self, *args, ca_file=None):
        self.proc = subprocess.Popen([sys.executable, DOUBLE, "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"kube-api-double listening on (https?)://127\.0\.0\.1:(\d+)", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("double did not start: %r %s" % (line, self.proc.stderr.read()))
        self.scheme, self.port = m.group(1), int(m.group(2))
        self.url = "%s://127.0.0.1:%d" % (self.scheme, self.port)
        self.ca_file = ca_file

    def connection(self, timeout=10):
        if self.scheme == "https":
            ctx = ssl.create_default_context(cafile=self.ca_file)
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout, context=ctx)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def call(self, method, path, body=None, content_type="application/json", token=TOKEN,
             headers=None):
        conn = self.connection()
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, str)) else json.dumps(body)
            hdrs["Content-Type"] = content_type
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        raw = resp.read()
        conn.close()
        ctype = resp.getheader("Content-Type", "")
        parsed = json.loads(raw) if ctype.startswith("application/json") and raw else raw.decode()
        return resp.status, parsed, resp

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def control(self, path, body=None):
        status, obj, _ = self.call("POST" if body is not None else "GET", "/_double/" + path,
                                   body=body, token=None)
        assert status == 200, obj
        return obj

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.proc.stdout.close()
        self.proc.stderr.close()


@pytest.fixture
def double():
    d = DoubleProcess("--token", TOKEN, "--rollout-seconds", "1.0")
    yield d
    d.stop()


def parse_time(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def assert_status(obj, code, reason, message=None):
    assert obj["kind"] == "Status"
    assert obj["apiVersion"] == "v1"
    assert obj["metadata"] == {}
    assert obj["status"] == "Failure"
    assert obj["code"] == code
    assert obj["reason"] == reason
    if message is not None:
        assert obj["message"] == message


def wait_for(predicate, timeout=5.0, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


# ---------------------------------------------------------------------------------------------


def test_help_lists_the_options():
    out = subprocess.run([sys.executable, DOUBLE, "--help"], capture_output=True, text=True,
                         check=True).stdout
    for flag in ("--port", "--token", "--tls-cert", "--tls-key", "--rollout-seconds"):
        assert flag in out


def test_discovery_documents_name_the_served_resources(double):
    status, api, _ = double.get("/api")
    assert status == 200 and api["kind"] == "APIVersions" and api["versions"] == ["v1"]
    _, apis, _ = double.get("/apis")
    assert apis["groups"][0]["preferredVersion"]["groupVersion"] == "apps/v1"
    _, core, _ = double.get("/api/v1")
    names = {r["name"] for r in core["resources"]}
    assert {"pods", "pods/log", "nodes", "configmaps"} <= names
    _, apps, _ = double.get("/apis/apps/v1")
    assert apps["groupVersion"] == "apps/v1"
    assert "deployments" in {r["name"] for r in apps["resources"]}
    _, version, _ = double.get("/version")
    assert version["major"] == "1"


def test_missing_or_wrong_token_is_401_status(double):
    status, obj, _ = double.get("/api/v1/nodes/node-1", token=None)
    assert status == 401
    assert_status(obj, 401, "Unauthorized", "Unauthorized")
    status, obj, _ = double.get("/api/v1/nodes/node-1", token="wrong")
    assert status == 401
    status, _, _ = double.get("/api/v1/nodes/node-1")
    assert status == 200


def test_unknown_path_is_404_status(double):
    status, obj, _ = double.get("/api/v1/namespaces/nvr/widgets")
    assert status == 404
    assert_status(obj, 404, "NotFound", "the server could not find the requested resource")


CHART_SELECTOR = "app.kubernetes.io/name=frigate,app.kubernetes.io/instance=frigate"


def pods_by(double, selector, ns="nvr"):
    status, pods, _ = double.get("/api/v1/namespaces/%s/pods?labelSelector=%s"
                                 % (ns, urllib.parse.quote(selector)))
    assert status == 200, pods
    return pods["items"]


def test_pod_list_by_selector_is_realistic(double):
    status, pods, _ = double.get("/api/v1/namespaces/nvr/pods?labelSelector=" +
                                 urllib.parse.quote(CHART_SELECTOR))
    assert status == 200 and pods["kind"] == "PodList"
    assert len(pods["items"]) == 1
    pod = pods["items"][0]
    assert pod["metadata"]["name"].startswith("frigate-")
    assert pod["metadata"]["namespace"] == "nvr"
    assert pod["spec"]["nodeName"] == "node-1"
    assert pod["status"]["phase"] == "Running"
    parse_time(pod["status"]["startTime"])
    started = pod["status"]["containerStatuses"][0]["state"]["running"]["startedAt"]
    assert parse_time(started) >= parse_time(pod["status"]["startTime"])
    ready = [c for c in pod["status"]["conditions"] if c["type"] == "Ready"]
    assert ready[0]["status"] == "True"
    # The official chart's labels, not the old "app=frigate".
    assert pods_by(double, "app=frigate") == []
    assert pods_by(double, "app.kubernetes.io/name=other") == []
    assert pods_by(double, "app.kubernetes.io/name!=frigate") == []
    assert pods_by(double, CHART_SELECTOR, ns="default") == []


def test_get_pod_and_missing_pod(double):
    _, pods, _ = double.get("/api/v1/namespaces/nvr/pods")
    name = pods["items"][0]["metadata"]["name"]
    status, pod, _ = double.get("/api/v1/namespaces/nvr/pods/" + name)
    assert status == 200 and pod["metadata"]["name"] == name
    status, obj, _ = double.get("/api/v1/namespaces/nvr/pods/nope")
    assert status == 404
    assert_status(obj, 404, "NotFound", 'pods "nope" not found')
    assert obj["details"] == {"name": "nope", "kind": "pods"}


def test_namespaces_exist_for_known_objects_only(double):
    status, ns, _ = double.get("/api/v1/namespaces/nvr")
    assert status == 200 and ns["kind"] == "Namespace" and ns["status"]["phase"] == "Active"
    status, obj, _ = double.get("/api/v1/namespaces/elsewhere")
    assert status == 404
    assert_status(obj, 404, "NotFound", 'namespaces "elsewhere" not found')


def test_node_ready_condition_is_settable(double):
    status, node, _ = double.get("/api/v1/nodes/node-1")
    assert status == 200
    ready = [c for c in node["status"]["conditions"] if c["type"] == "Ready"][0]
    assert (ready["status"], ready["reason"]) == ("True", "KubeletReady")
    assert not node["spec"].get("unschedulable", False)
    double.control("node", {"name": "node-1", "ready": "Unknown", "unschedulable": True})
    _, node, _ = double.get("/api/v1/nodes/node-1")
    ready = [c for c in node["status"]["conditions"] if c["type"] == "Ready"][0]
    assert (ready["status"], ready["reason"]) == ("Unknown", "NodeStatusUnknown")
    assert node["spec"]["unschedulable"] is True
    double.control("node", {"name": "node-1", "ready": "False"})
    _, node, _ = double.get("/api/v1/nodes/node-1")
    assert [c for c in node["status"]["conditions"] if c["type"] == "Ready"][0]["status"] == "False"
    status, obj, _ = double.get("/api/v1/nodes/node-9")
    assert status == 404
    assert_status(obj, 404, "NotFound", 'nodes "node-9" not found')


def test_deployment_get_and_missing(double):
    status, dep, _ = double.get("/apis/apps/v1/namespaces/nvr/deployments/frigate")
    assert status == 200 and dep["kind"] == "Deployment"
    assert dep["status"]["observedGeneration"] == dep["metadata"]["generation"]
    assert dep["status"]["availableReplicas"] == dep["spec"]["replicas"] == 1
    status, obj, _ = double.get("/apis/apps/v1/namespaces/nvr/deployments/other")
    assert status == 404
    assert_status(obj, 404, "NotFound", 'deployments.apps "other" not found')
    assert obj["details"]["group"] == "apps"


RESTART = {"spec": {"template": {"metadata": {"annotations": {
    "kubectl.kubernetes.io/restartedAt": "2024-05-01T12:00:00+02:00"}}}}}
DEPLOYMENT = "/apis/apps/v1/namespaces/nvr/deployments/frigate"


def frigate_pods(double):
    return pods_by(double, CHART_SELECTOR)


def test_restart_patch_runs_a_recreate_rollout_and_replaces_the_pod(double):
    old_pod = frigate_pods(double)[0]
    _, before, _ = double.get(DEPLOYMENT)
    status, after, _ = double.call("PATCH", DEPLOYMENT + "?fieldManager=frigate-remediator",
                                   RESTART, "application/strategic-merge-patch+json")
    assert status == 200
    gen = before["metadata"]["generation"] + 1
    assert after["metadata"]["generation"] == gen
    assert after["spec"]["template"]["metadata"]["annotations"][
        "kubectl.kubernetes.io/restartedAt"] == "2024-05-01T12:00:00+02:00"
    assert int(after["metadata"]["resourceVersion"]) > int(before["metadata"]["resourceVersion"])

    # The controller observes the new generation; the old pod terminates, nothing is updated yet.
    def terminating():
        _, d, _ = double.get(DEPLOYMENT)
        return d if d["status"].get("observedGeneration") == gen else None
    dep = wait_for(terminating, what="observedGeneration")
    # Zero counts are omitted, as the API's omitempty does.
    if dep["status"].get("updatedReplicas", 0) == 0:
        assert "availableReplicas" not in dep["status"]
        pods = frigate_pods(double)
        assert pods and pods[0]["metadata"].get("deletionTimestamp")

    # A new pod with a new name, started after the restart, not ready at first.
    def new_pod():
        pods = [p for p in frigate_pods(double) if p["metadata"]["name"] != old_pod["metadata"]["name"]]
        return pods[0] if pods else None
    pod = wait_for(new_pod, what="new pod")
    assert parse_time(pod["status"]["startTime"]) >= parse_time(old_pod["status"]["startTime"])
    assert pod["spec"]["nodeName"] == "node-1"

    # Complete: every replica updated and available, the new pod Ready.
    def complete():
        _, d, _ = double.get(DEPLOYMENT)
        s = d["status"]
        return d if s.get("updatedReplicas") == s.get("availableReplicas") == 1 and \
            s["observedGeneration"] == gen and s.get("unavailableReplicas", 0) == 0 else None
    dep = wait_for(complete, what="rollout complete")
    assert [c for c in dep["status"]["conditions"] if c["type"] == "Progressing"][0]["reason"] == \
        "NewReplicaSetAvailable"
    pods = frigate_pods(double)
    assert len(pods) == 1 and pods[0]["metadata"]["name"] == pod["metadata"]["name"]
    assert [c for c in pods[0]["status"]["conditions"] if c["type"] == "Ready"][0]["status"] == "True"
    log = double.control("requests")
    patch = [r for r in log if r["method"] == "PATCH"][0]
    assert patch["params"]["fieldManager"] == ["frigate-remediator"]


def test_rollout_passes_through_intermediate_counts(double):
    double.control("deployment", {"rollout_seconds": 2.0})
    double.call("PATCH", DEPLOYMENT, RESTART, "application/merge-patch+json")
    seen = set()
    deadline = time.time() + 5
    while time.time() < deadline:
        _, d, _ = double.get(DEPLOYMENT)
        s = d["status"]
        seen.add((s.get("updatedReplicas", 0), s.get("availableReplicas", 0)))
        if (1, 1) in seen and len(seen) >= 3:
            break
        time.sleep(0.05)
    assert {(0, 0), (1, 0), (1, 1)} <= seen


def test_paused_deployment_takes_the_patch_but_does_not_roll_out(double):
    double.control("deployment", {"spec": {"paused": True}})
    old = frigate_pods(double)[0]["metadata"]["name"]
    status, dep, _ = double.call("PATCH", DEPLOYMENT, RESTART,
                                 "application/strategic-merge-patch+json")
    assert status == 200 and dep["spec"]["paused"] is True
    time.sleep(0.7)
    _, dep, _ = double.get(DEPLOYMENT)
    assert dep["status"]["observedGeneration"] == dep["metadata"]["generation"]
    assert [p["metadata"]["name"] for p in frigate_pods(double)] == [old]
    # Resuming starts the pending rollout.
    double.call("PATCH", DEPLOYMENT, {"spec": {"paused": None}}, "application/merge-patch+json")
    wait_for(lambda: old not in [p["metadata"]["name"] for p in frigate_pods(double)],
             what="rollout after resume")


def test_unsupported_patch_types_are_415(double):
    status, obj, _ = double.call("PATCH", DEPLOYMENT, [{"op": "add", "path": "/x", "value": 1}],
                                 "application/json-patch+json")
    assert status == 415
    assert_status(obj, 415, "UnsupportedMediaType")


def test_forbidden_is_an_rbac_like_403(double):
    double.control("forbid", {"verb": "patch", "resource": "deployments"})
    status, obj, _ = double.call("PATCH", DEPLOYMENT, RESTART,
                                 "application/strategic-merge-patch+json")
    assert status == 403
    assert_status(obj, 403, "Forbidden",
                  'deployments.apps "frigate" is forbidden: User '
                  '"system:serviceaccount:nvr:frigate-remediator" cannot patch resource '
                  '"deployments" in API group "apps" in the namespace "nvr"')
    assert double.get(DEPLOYMENT)[0] == 200  # get is still allowed
    double.control("forbid", {"verb": "get", "resource": "pods/log"})
    pod = frigate_pods(double)[0]["metadata"]["name"]
    status, obj, _ = double.get("/api/v1/namespaces/nvr/pods/%s/log" % pod)
    assert status == 403 and 'cannot get resource "pods/log" in API group ""' in obj["message"]


# -- ConfigMaps and resourceVersion -----------------------------------------------------------

CMS = "/api/v1/namespaces/nvr/configmaps"


def new_cm(name="frigate-health-state", data=None):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "nvr"},
            "data": data or {"state.json": "{}"}}


def test_configmap_create_get_and_already_exists(double):
    status, obj, _ = double.get(CMS + "/frigate-health-state")
    assert status == 404
    assert_status(obj, 404, "NotFound", 'configmaps "frigate-health-state" not found')
    status, created, _ = double.call("POST", CMS, new_cm())
    assert status == 201
    rv = created["metadata"]["resourceVersion"]
    assert isinstance(rv, str) and rv.isdigit()
    status, got, _ = double.get(CMS + "/frigate-health-state")
    assert status == 200 and got["data"] == {"state.json": "{}"}
    assert got["metadata"]["resourceVersion"] == rv
    status, obj, _ = double.call("POST", CMS, new_cm())
    assert status == 409
    assert_status(obj, 409, "AlreadyExists", 'configmaps "frigate-health-state" already exists')
    assert obj["details"] == {"name": "frigate-health-state", "kind": "configmaps"}


def test_resource_version_is_a_global_counter(double):
    _, a, _ = double.call("POST", CMS, new_cm("a"))
    double.control("node", {"name": "node-1", "ready": "False"})
    _, b, _ = double.call("POST", CMS, new_cm("b"))
    assert int(b["metadata"]["resourceVersion"]) > int(a["metadata"]["resourceVersion"]) + 1


def test_put_requires_the_current_resource_version(double):
    _, created, _ = double.call("POST", CMS, new_cm())
    rv = created["metadata"]["resourceVersion"]
    update = new_cm(data={"state.json": '{"n":1}'})
    update["metadata"]["resourceVersion"] = rv
    status, replaced, _ = double.call("PUT", CMS + "/frigate-health-state", update)
    assert status == 200 and replaced["data"] == {"state.json": '{"n":1}'}
    new_rv = replaced["metadata"]["resourceVersion"]
    assert new_rv != rv
    assert replaced["metadata"]["uid"] == created["metadata"]["uid"]
    # The same write again carries a stale version now.
    status, obj, _ = double.call("PUT", CMS + "/frigate-health-state", update)
    assert status == 409
    assert_status(obj, 409, "Conflict",
                  'Operation cannot be fulfilled on configmaps "frigate-health-state": the object '
                  "has been modified; please apply your changes to the latest version and try again")
    # Without a version at all: refused by default (our clients must be conditional) ...
    status, obj, _ = double.call("PUT", CMS + "/frigate-health-state", new_cm())
    assert status == 409 and obj["reason"] == "Conflict"
    # ... and accepted like the real server once that strictness is switched off.
    double.control("settings", {"require_resource_version": False})
    status, _, _ = double.call("PUT", CMS + "/frigate-health-state", new_cm())
    assert status == 200
    status, obj, _ = double.call("PUT", CMS + "/missing", new_cm("missing"))
    assert status == 404


def test_put_with_a_mismatched_name_is_400(double):
    double.call("POST", CMS, new_cm())
    status, obj, _ = double.call("PUT", CMS + "/frigate-health-state", new_cm("other"))
    assert status == 400 and obj["reason"] == "BadRequest"


def test_merge_patch_with_resource_version_precondition(double):
    _, created, _ = double.call("POST", CMS, new_cm(data={"a": "1", "b": "2"}))
    rv = created["metadata"]["resourceVersion"]
    patch = {"metadata": {"resourceVersion": rv}, "data": {"a": "10", "b": None}}
    status, patched, _ = double.call("PATCH", CMS + "/frigate-health-state", patch,
                                     "application/merge-patch+json")
    assert status == 200 and patched["data"] == {"a": "10"}
    status, obj, _ = double.call("PATCH", CMS + "/frigate-health-state", patch,
                                 "application/merge-patch+json")
    assert status == 409 and obj["reason"] == "Conflict"


def test_injected_conflicts_move_the_version_like_another_writer(double):
    _, created, _ = double.call("POST", CMS, new_cm())
    double.control("configmap-conflicts", {"count": 2})
    update = new_cm(data={"state.json": "x"})
    rv = created["metadata"]["resourceVersion"]
    for _ in range(2):
        update["metadata"]["resourceVersion"] = rv
        status, obj, _ = double.call("PUT", CMS + "/frigate-health-state", update)
        assert status == 409 and obj["reason"] == "Conflict"
        _, current, _ = double.get(CMS + "/frigate-health-state")
        assert current["metadata"]["resourceVersion"] != rv
        rv = current["metadata"]["resourceVersion"]
    update["metadata"]["resourceVersion"] = rv
    status, _, _ = double.call("PUT", CMS + "/frigate-health-state", update)
    assert status == 200


def test_configmap_delete(double):
    double.call("POST", CMS, new_cm())
    status, obj, _ = double.call("DELETE", CMS + "/frigate-health-state")
    assert status == 200 and obj["status"] == "Success"
    assert double.get(CMS + "/frigate-health-state")[0] == 404


# -- fault injection and the request log -----------------------------------------------------


def test_injected_errors_fail_the_next_n_matching_requests(double):
    double.control("errors", {"pattern": "/nodes/", "status": 500, "count": 2})
    for _ in range(2):
        status, obj, _ = double.get("/api/v1/nodes/node-1")
        assert status == 500
        assert_status(obj, 500, "InternalError")
    assert double.get("/api/v1/nodes/node-1")[0] == 200
    double.control("errors", {"pattern": "/configmaps", "method": "POST", "status": 503})
    assert double.get(CMS + "/x")[0] == 404  # GET unaffected
    status, obj, _ = double.call("POST", CMS, new_cm())
    assert status == 503 and obj["reason"] == "ServiceUnavailable"


def test_injected_latency_delays_matching_paths(double):
    double.control("latency", {"pattern": "/nodes/", "seconds": 0.4})
    t0 = time.time()
    double.get("/api/v1/nodes/node-1")
    assert time.time() - t0 >= 0.4
    t0 = time.time()
    double.get("/api")
    assert time.time() - t0 < 0.4
    double.control("latency", {"pattern": "/nodes/", "seconds": 0})
    t0 = time.time()
    double.get("/api/v1/nodes/node-1")
    assert time.time() - t0 < 0.4


def test_request_log_records_method_path_query_headers_body(double):
    double.control("requests/reset", {})
    double.call("PATCH", DEPLOYMENT + "?fieldManager=kubectl-rollout", RESTART,
                "application/strategic-merge-patch+json")
    log = double.control("requests")
    assert len(log) == 1
    r = log[0]
    assert r["method"] == "PATCH" and r["path"] == DEPLOYMENT
    assert r["query"] == "fieldManager=kubectl-rollout"
    assert r["content_type"] == "application/strategic-merge-patch+json"
    assert r["authorization"] == "Bearer " + TOKEN
    assert r["headers"]["content-type"] == "application/strategic-merge-patch+json"
    assert json.loads(r["body"]) == RESTART
    double.control("requests/reset", {})
    assert double.control("requests") == []


def test_state_dump_has_every_object(double):
    state = double.control("state")
    assert "nvr/frigate" in state["deployments"]
    assert "node-1" in state["nodes"]
    assert any(k.startswith("nvr/frigate-") for k in state["pods"])


# -- pod logs ---------------------------------------------------------------------------------


def log_path(double, query="", container="frigate"):
    """The log path of the Frigate pod; the pod has a sidecar, so a container is named."""
    pod = frigate_pods(double)[0]["metadata"]["name"]
    if container and "container=" not in query:
        query = "?container=" + container + ("&" + query[1:] if query else "")
    return "/api/v1/namespaces/nvr/pods/%s/log%s" % (pod, query)


def test_log_plain_tail_timestamps_since_and_container(double):
    status, text, resp = double.get(log_path(double))
    assert status == 200 and resp.getheader("Content-Type") == "text/plain"
    lines = text.splitlines()
    assert len(lines) >= 3 and "Starting Frigate" in text
    _, tail, _ = double.get(log_path(double, "?tailLines=2"))
    assert tail.splitlines() == lines[-2:]
    _, stamped, _ = double.get(log_path(double, "?timestamps=true&tailLines=1"))
    stamp, rest = stamped.rstrip("\n").split(" ", 1)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z", stamp) and rest == lines[-1]
    # The start lines are an hour old; a fresh line is inside a 60 s window.
    double.control("pod-log", {"lines": ["frigate.watchdog INFO    : fresh line"]})
    _, recent, _ = double.get(log_path(double, "?sinceSeconds=60"))
    assert recent.splitlines() == ["frigate.watchdog INFO    : fresh line"]
    assert double.get(log_path(double, "?container=frigate"))[0] == 200
    assert double.get(log_path(double, "?container=codeserver"))[0] == 200
    status, obj, _ = double.get(log_path(double, "?container=nope"))
    assert status == 400 and obj["message"].startswith("container nope is not valid for pod")
    status, obj, _ = double.get(log_path(double, "?sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z"))
    assert status == 422


def read_stream(resp, want, timeout=5.0):
    """Reads lines from a chunked response until `want` lines arrived."""
    got = []
    buf = b""
    deadline = time.time() + timeout
    while len(got) < want and time.time() < deadline:
        data = resp.read1(65536)
        if not data:
            break
        buf += data
        *complete, buf = buf.split(b"\n")
        got.extend(line.decode() for line in complete)
    return got


def test_log_follow_streams_appended_lines_and_ends_when_the_pod_goes(double):
    path = log_path(double, "?follow=true&tailLines=1")
    conn = double.connection()
    conn.request("GET", path, headers={"Authorization": "Bearer " + TOKEN})
    resp = conn.getresponse()
    assert resp.status == 200
    assert resp.getheader("Transfer-Encoding") == "chunked"
    first = read_stream(resp, 1)
    assert len(first) == 1
    double.control("pod-log", {"lines": ["line A", "line B"]})
    assert read_stream(resp, 2) == ["line A", "line B"]
    time.sleep(0.3)
    double.control("pod-log", {"lines": ["line C"]})
    assert read_stream(resp, 1) == ["line C"]
    # A restart removes the pod: the stream ends, as the kubelet ends it.
    double.call("PATCH", DEPLOYMENT, RESTART, "application/strategic-merge-patch+json")
    t0 = time.time()
    rest = resp.read()  # returns at the terminating chunk
    assert time.time() - t0 < 5 and rest == b""
    conn.close()


# -- TLS ----------------------------------------------------------------------------------------


def make_cert(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def test_tls_with_bearer_token(tmp_path):
    cert, key = make_cert(tmp_path)
    d = DoubleProcess("--token", TOKEN, "--tls-cert", str(cert), "--tls-key", str(key),
                      ca_file=str(cert))
    try:
        assert d.url.startswith("https://")
        status, node, _ = d.get("/api/v1/nodes/node-1")
        assert status == 200 and node["kind"] == "Node"
        assert d.get("/api/v1/nodes/node-1", token=None)[0] == 401
        log = d.control("requests")
        assert log[0]["authorization"] == "Bearer " + TOKEN
        # A client that does not trust the certificate is refused at the handshake.
        plain = http.client.HTTPSConnection("127.0.0.1", d.port, timeout=5,
                                            context=ssl.create_default_context())
        with pytest.raises(ssl.SSLError):
            plain.request("GET", "/api")
            plain.getresponse()
    finally:
        d.stop()


# -- the official chart's shapes and the kubelet's behaviour ----------------------------------
# blakeshome-charts charts/frigate at tag frigate-7.8.0: templates/_helpers.tpl (labels),
# templates/deployment.yaml (selector, container, probes), values.yaml (probe numbers).


def condition(obj, kind):
    return next(c for c in obj["status"]["conditions"] if c["type"] == kind)


def container_status(pod, name):
    return next(c for c in pod["status"]["containerStatuses"] if c["name"] == name)


def test_deployment_has_the_official_charts_labels_selector_and_probes(double):
    _, dep, _ = double.get(DEPLOYMENT)
    labels = dep["metadata"]["labels"]
    assert labels["app.kubernetes.io/name"] == "frigate"
    assert labels["app.kubernetes.io/instance"] == "frigate"
    assert labels["helm.sh/chart"] == "frigate-7.8.0"
    assert labels["app.kubernetes.io/managed-by"] == "Helm"
    assert dep["spec"]["selector"] == {"matchLabels": {
        "app.kubernetes.io/name": "frigate", "app.kubernetes.io/instance": "frigate"}}
    assert dep["spec"]["strategy"] == {"type": "Recreate"}
    assert dep["spec"]["revisionHistoryLimit"] == 3
    template = dep["spec"]["template"]
    assert template["metadata"]["labels"] == dep["spec"]["selector"]["matchLabels"]
    frigate = template["spec"]["containers"][0]
    assert frigate["name"] == "frigate"
    for probe in ("readinessProbe", "livenessProbe"):
        assert frigate[probe]["httpGet"] == {"path": "/", "port": "http", "scheme": "HTTP"}
        assert (frigate[probe]["initialDelaySeconds"], frigate[probe]["failureThreshold"],
                frigate[probe]["timeoutSeconds"]) == (30, 5, 10)
    assert [c["name"] for c in template["spec"]["containers"]] == ["frigate", "codeserver"]


def test_container_statuses_are_sorted_by_name_like_the_kubelet(double):
    pod = frigate_pods(double)[0]
    assert [c["name"] for c in pod["spec"]["containers"]] == ["frigate", "codeserver"]
    assert [c["name"] for c in pod["status"]["containerStatuses"]] == ["codeserver", "frigate"]
    assert all(c["ready"] and "running" in c["state"] for c in pod["status"]["containerStatuses"])
    assert pod["metadata"]["labels"]["app.kubernetes.io/name"] == "frigate"
    assert "pod-template-hash" in pod["metadata"]["labels"]


def test_no_sidecar_option_leaves_only_the_charts_container():
    d = DoubleProcess("--no-sidecar")
    try:
        pod = pods_by(d, CHART_SELECTOR)[0]
        assert [c["name"] for c in pod["status"]["containerStatuses"]] == ["frigate"]
        # One container: the log needs no container name.
        status, _, _ = d.get("/api/v1/namespaces/nvr/pods/%s/log" % pod["metadata"]["name"])
        assert status == 200
    finally:
        d.stop()


def test_log_of_a_pod_with_a_sidecar_needs_a_container_name(double):
    pod = frigate_pods(double)[0]["metadata"]["name"]
    status, obj, _ = double.get("/api/v1/namespaces/nvr/pods/%s/log" % pod)
    assert status == 400
    assert_status(obj, 400, "BadRequest", "a container name must be specified for pod %s, "
                  "choose one of: [frigate codeserver]" % pod)


def test_set_based_selectors_match_like_the_api_server(double):
    assert len(pods_by(double, "app.kubernetes.io/instance in (frigate,other)")) == 1
    assert pods_by(double, "app.kubernetes.io/instance notin (frigate)") == []
    assert len(pods_by(double, "app.kubernetes.io/name,!app")) == 1
    assert pods_by(double, "!app.kubernetes.io/name") == []
    assert len(pods_by(double, "app.kubernetes.io/name==frigate, pod-template-hash")) == 1
    status, obj, _ = double.get("/api/v1/namespaces/nvr/pods?labelSelector=" +
                                urllib.parse.quote("a in (b"))
    assert status == 400 and obj["reason"] == "BadRequest"


def test_failing_readiness_probe_makes_the_pod_and_deployment_unavailable(double):
    double.control("container", {"ready": False})
    pod = frigate_pods(double)[0]
    assert container_status(pod, "frigate")["ready"] is False
    assert container_status(pod, "codeserver")["ready"] is True
    assert "running" in container_status(pod, "frigate")["state"]
    ready = condition(pod, "Ready")
    assert (ready["status"], ready["reason"]) == ("False", "ContainersNotReady")
    assert ready["message"] == "containers with unready status: [frigate]"
    _, dep, _ = double.get(DEPLOYMENT)
    s = dep["status"]
    assert s["observedGeneration"] == dep["metadata"]["generation"]
    assert s["updatedReplicas"] == s["replicas"] == 1
    assert "availableReplicas" not in s and "readyReplicas" not in s
    assert s["unavailableReplicas"] == 1
    assert condition(dep, "Available")["reason"] == "MinimumReplicasUnavailable"
    # No rollout: the last one finished, and that is what Progressing still says.
    assert condition(dep, "Progressing")["reason"] == "NewReplicaSetAvailable"
    double.control("container", {"ready": True})
    _, dep, _ = double.get(DEPLOYMENT)
    assert dep["status"]["availableReplicas"] == 1
    assert condition(dep, "Available")["status"] == "True"


def test_kubelet_restart_of_the_frigate_container_leaves_the_sidecar_alone(double):
    before = frigate_pods(double)[0]
    double.control("container", {"restart": True, "started_seconds_ago": 60})
    pod = frigate_pods(double)[0]
    assert pod["metadata"]["name"] == before["metadata"]["name"]
    frigate = container_status(pod, "frigate")
    assert frigate["restartCount"] == 1
    assert frigate["lastState"]["terminated"]["reason"] == "Error"
    started = parse_time(frigate["state"]["running"]["startedAt"])
    assert abs(time.time() - 60 - started) < 5
    assert frigate["ready"] is True  # 60 s is past the probe's initialDelaySeconds 30
    sidecar = container_status(pod, "codeserver")
    assert sidecar["restartCount"] == 0
    assert sidecar["state"] == container_status(before, "codeserver")["state"]


def test_crashloop_backoff_waits_with_the_last_termination(double):
    double.control("container", {"crashloop": True, "restarts": 5})
    pod = frigate_pods(double)[0]
    frigate = container_status(pod, "frigate")
    assert frigate["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert frigate["state"]["waiting"]["message"].startswith(
        "back-off 5m0s restarting failed container=frigate pod=")
    assert frigate["restartCount"] == 5 and frigate["ready"] is False
    assert frigate["started"] is False
    assert frigate["lastState"]["terminated"]["exitCode"] == 1
    _, dep, _ = double.get(DEPLOYMENT)
    assert "availableReplicas" not in dep["status"]


def test_a_stale_deployment_status_can_be_kept(double):
    double.control("container", {"crashloop": True, "update_deployment": False})
    _, dep, _ = double.get(DEPLOYMENT)
    assert dep["status"]["availableReplicas"] == 1  # not yet updated by the controller
    assert condition(frigate_pods(double)[0], "Ready")["status"] == "False"


def test_replicasets_are_owned_by_the_deployment_and_scaled_down_by_a_rollout(double):
    _, dep, _ = double.get(DEPLOYMENT)
    status, rsl, _ = double.get("/apis/apps/v1/namespaces/nvr/replicasets?labelSelector=" +
                                urllib.parse.quote(CHART_SELECTOR))
    assert status == 200 and rsl["kind"] == "ReplicaSetList" and len(rsl["items"]) == 1
    rs = rsl["items"][0]
    owner = rs["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"], owner["uid"]) == ("Deployment", "frigate",
                                                            dep["metadata"]["uid"])
    pod = frigate_pods(double)[0]
    assert pod["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"]
    assert rs["metadata"]["name"] == "frigate-" + rs["metadata"]["labels"]["pod-template-hash"]
    assert (rs["spec"]["replicas"], rs["status"]["readyReplicas"]) == (1, 1)
    double.call("PATCH", DEPLOYMENT, RESTART, "application/strategic-merge-patch+json")

    def two_sets():
        _, l, _ = double.get("/apis/apps/v1/namespaces/nvr/replicasets")
        return l["items"] if len(l["items"]) == 2 else None
    sets = wait_for(two_sets, what="a new ReplicaSet")
    old = next(r for r in sets if r["metadata"]["name"] == rs["metadata"]["name"])
    assert old["spec"]["replicas"] == 0 and old["status"]["replicas"] == 0
    status, got, _ = double.get("/apis/apps/v1/namespaces/nvr/replicasets/" +
                                rs["metadata"]["name"])
    assert status == 200 and got["kind"] == "ReplicaSet"
    assert double.get("/apis/apps/v1/namespaces/nvr/replicasets/nope")[0] == 404


def test_a_rollout_whose_pod_never_gets_ready_exceeds_its_progress_deadline(double):
    double.control("deployment", {"spec": {"progressDeadlineSeconds": 2}, "new_pods_ready": False,
                                  "rollout_seconds": 0.4})
    double.call("PATCH", DEPLOYMENT, RESTART, "application/strategic-merge-patch+json")
    time.sleep(0.6)
    _, dep, _ = double.get(DEPLOYMENT)
    assert condition(dep, "Progressing")["reason"] == "ReplicaSetUpdated"
    assert dep["status"]["updatedReplicas"] == 1 and "availableReplicas" not in dep["status"]

    def failed():
        _, d, _ = double.get(DEPLOYMENT)
        c = condition(d, "Progressing")
        return d if c["reason"] == "ProgressDeadlineExceeded" else None
    dep = wait_for(failed, timeout=5, what="ProgressDeadlineExceeded")
    assert condition(dep, "Progressing")["status"] == "False"
    assert condition(dep, "Available")["status"] == "False"


def test_a_second_release_has_its_own_labels_pod_and_node(double):
    double.control("deployments", {"name": "garage-frigate", "node": "node-2"})
    mine = pods_by(double, "app.kubernetes.io/name=frigate,app.kubernetes.io/instance=garage-frigate")
    assert len(mine) == 1 and mine[0]["spec"]["nodeName"] == "node-2"
    assert len(pods_by(double, CHART_SELECTOR)) == 1
    assert len(pods_by(double, "app.kubernetes.io/name=frigate")) == 2
    _, dep, _ = double.get("/apis/apps/v1/namespaces/nvr/deployments/garage-frigate")
    assert dep["spec"]["selector"]["matchLabels"]["app.kubernetes.io/instance"] == "garage-frigate"
