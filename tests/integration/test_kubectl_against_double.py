"""kubectl 1.32 against the Kubernetes API double, over TLS with a bearer token.

Proves that a real client accepts the double (discovery, objects, patch) and records the body
kubectl sends for `rollout restart` to tests/fixtures/kube/kubectl_rollout_restart_patch.json,
which the C++ test RestartPatchBody.HasTheShapeOfTheBodyKubectlWasRecordedSending compares with
the body our client sends.
Run: /usr/bin/python3 -m pytest -q tests/integration/test_kubectl_against_double.py
"""

import datetime
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "doubles"))
from test_kube_api_double import DoubleProcess  # noqa: E402

KUBECTL = "/usr/bin/kubectl"
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "kube", "kubectl_rollout_restart_patch.json")
TOKEN = "kubectl-test-token"
ANNOTATION = "kubectl.kubernetes.io/restartedAt"
# Go's time.RFC3339 at second precision: "Z" or a +hh:mm offset.
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")


def make_ca_and_server_cert(d):
    """A throwaway CA and a server certificate for 127.0.0.1 signed by it."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=d)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test-ca",
        "-keyout", "ca.key", "-out", "ca.crt")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=kube-apiserver",
        "-keyout", "server.key", "-out", "server.csr")
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "1", "-extfile", "ext.cnf", "-out", "server.crt")
    return [os.path.join(d, n) for n in ("ca.crt", "server.crt", "server.key")]


@pytest.fixture
def cluster(tmp_path):
    if not os.path.exists(KUBECTL):
        pytest.skip("/usr/bin/kubectl is not installed on this machine")
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed to make the test CA")
    ca, cert, key = make_ca_and_server_cert(str(tmp_path))
    double = DoubleProcess("--token", TOKEN, "--tls-cert", cert, "--tls-key", key,
                           "--rollout-seconds", "1.0", ca_file=ca)
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "double", "cluster": {"server": double.url,
                                                    "certificate-authority": ca}}],
        "users": [{"name": "remediator", "user": {"token": TOKEN}}],
        "contexts": [{"name": "double", "context": {"cluster": "double", "user": "remediator",
                                                    "namespace": "nvr"}}],
        "current-context": "double",
    }))
    env = dict(os.environ, KUBECONFIG=str(kubeconfig), HOME=str(tmp_path))

    def kubectl(*args):
        # A private discovery cache so runs never see another server's answers.
        return subprocess.run([KUBECTL, "--cache-dir", str(tmp_path / "cache"), *args],
                              capture_output=True, text=True, env=env, timeout=60)
    yield double, kubectl
    double.stop()


def test_kubectl_gets_the_deployment(cluster):
    double, kubectl = cluster
    r = kubectl("get", "deployment", "frigate", "-n", "nvr", "-o", "json")
    assert r.returncode == 0, r.stderr
    dep = json.loads(r.stdout)
    assert dep["kind"] == "Deployment" and dep["metadata"]["name"] == "frigate"
    # Every API request carried the token over TLS.
    api = [x for x in double.control("requests") if not x["path"].startswith("/_double")]
    assert api and all(x["authorization"] == "Bearer " + TOKEN for x in api)


def test_kubectl_gets_the_node(cluster):
    double, kubectl = cluster
    double.control("node", {"name": "node-1", "ready": "False"})
    r = kubectl("get", "node", "node-1", "-o", "json")
    assert r.returncode == 0, r.stderr
    node = json.loads(r.stdout)
    assert [c["status"] for c in node["status"]["conditions"] if c["type"] == "Ready"] == ["False"]


def test_kubectl_reports_the_double_status_messages(cluster):
    _, kubectl = cluster
    r = kubectl("get", "deployment", "nope", "-n", "nvr")
    assert r.returncode != 0
    assert 'deployments.apps "nope" not found' in r.stderr


def test_kubectl_refuses_without_a_trusted_ca(cluster, tmp_path):
    double, _ = cluster
    r = subprocess.run([KUBECTL, "--server", double.url, "--token", TOKEN, "--cache-dir",
                        str(tmp_path / "c2"), "get", "node", "node-1"],
                       capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, KUBECONFIG="/dev/null", HOME=str(tmp_path)))
    assert r.returncode != 0
    assert "certificate" in r.stderr


def test_kubectl_rollout_restart_sends_the_documented_patch(cluster):
    double, kubectl = cluster
    double.control("requests/reset", {})
    r = kubectl("rollout", "restart", "deployment/frigate", "-n", "nvr")
    assert r.returncode == 0, r.stderr
    assert "deployment.apps/frigate restarted" in r.stdout
    patches = [x for x in double.control("requests") if x["method"] == "PATCH"]
    assert len(patches) == 1
    p = patches[0]
    assert p["path"] == "/apis/apps/v1/namespaces/nvr/deployments/frigate"
    assert p["params"]["fieldManager"] == ["kubectl-rollout"]
    assert p["content_type"] == "application/strategic-merge-patch+json"
    assert p["authorization"] == "Bearer " + TOKEN
    body = json.loads(p["body"])
    # Exactly the documented structure: one key at every level down to the annotation.
    assert list(body) == ["spec"]
    assert list(body["spec"]) == ["template"]
    assert list(body["spec"]["template"]) == ["metadata"]
    assert list(body["spec"]["template"]["metadata"]) == ["annotations"]
    annotations = body["spec"]["template"]["metadata"]["annotations"]
    assert list(annotations) == [ANNOTATION]
    stamp = annotations[ANNOTATION]
    assert RFC3339.match(stamp), stamp
    when = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    assert abs((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds()) < 120
    # The double accepted it and rolled out.
    dep = json.loads(kubectl("get", "deployment", "frigate", "-n", "nvr", "-o", "json").stdout)
    assert dep["spec"]["template"]["metadata"]["annotations"][ANNOTATION] == stamp
    assert dep["metadata"]["generation"] == 2
    # Keep kubectl's body as the fixture the C++ client's test compares with. A recorded body of
    # the same shape stays as it is (only its timestamp would differ), so runs leave no diff.
    if shape_of_file(FIXTURE) != shape(body):
        os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
        with open(FIXTURE, "w") as f:
            f.write(p["body"] + "\n")
    assert shape_of_file(FIXTURE) == shape(body)


def shape(value):
    """Keys at every level with string leaves blanked: equal shapes mean the same structure."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    return type(value).__name__


def shape_of_file(path):
    try:
        with open(path) as f:
            return shape(json.load(f))
    except (OSError, ValueError):
        return None


def test_kubectl_rollout_restart_refuses_a_paused_deployment(cluster):
    double, kubectl = cluster
    double.control("deployment", {"spec": {"paused": True}})
    r = kubectl("rollout", "restart", "deployment/frigate", "-n", "nvr")
    assert r.returncode != 0
    # Our client's kPausedRestartMessage is this text, word for word.
    assert "can't restart paused deployment (run rollout resume first)" in r.stderr
    assert not [x for x in double.control("requests") if x["method"] == "PATCH"]


# -- the official chart's shapes, read by kubectl -----------------------------------------------


def test_kubectl_finds_the_charts_pods_with_the_deployments_own_selector(cluster):
    double, kubectl = cluster
    r = kubectl("get", "deployment", "frigate", "-n", "nvr", "-o",
                "jsonpath={.spec.selector.matchLabels}")
    assert r.returncode == 0, r.stderr
    labels = json.loads(r.stdout)
    selector = ",".join("%s=%s" % kv for kv in sorted(labels.items()))
    assert selector == "app.kubernetes.io/instance=frigate,app.kubernetes.io/name=frigate"
    r = kubectl("get", "pods", "-n", "nvr", "-l", selector, "-o", "json")
    assert r.returncode == 0, r.stderr
    pods = json.loads(r.stdout)["items"]
    assert len(pods) == 1
    assert [c["name"] for c in pods[0]["status"]["containerStatuses"]] == ["codeserver", "frigate"]
    # Set-based selectors as kubectl sends them.
    r = kubectl("get", "pods", "-n", "nvr", "-l",
                "app.kubernetes.io/instance in (frigate, other),!app", "-o", "name")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "pod/" + pods[0]["metadata"]["name"]
    r = kubectl("get", "pods", "-n", "nvr", "-l", "app=frigate", "-o", "name")
    assert r.returncode == 0 and r.stdout.strip() == ""


def test_kubectl_reads_replicasets_and_the_frigate_containers_log(cluster):
    double, kubectl = cluster
    r = kubectl("get", "rs", "-n", "nvr", "-o", "json")
    assert r.returncode == 0, r.stderr
    sets = json.loads(r.stdout)["items"]
    assert len(sets) == 1 and sets[0]["metadata"]["ownerReferences"][0]["kind"] == "Deployment"
    pod = json.loads(kubectl("get", "pods", "-n", "nvr", "-o", "json").stdout)["items"][0]
    name = pod["metadata"]["name"]
    r = kubectl("logs", "-n", "nvr", name, "-c", "frigate", "--tail", "1")
    assert r.returncode == 0, r.stderr
    assert "TPU found" in r.stdout
    # Without -c kubectl picks the first container itself (client-side) and says so: the API
    # server would refuse a log request without a container for this two-container pod.
    r = kubectl("logs", "-n", "nvr", name, "--tail", "1")
    assert r.returncode == 0, r.stderr
    assert 'Defaulted container "frigate" out of: frigate, codeserver' in r.stderr
    logs = [x for x in double.control("requests") if x["path"].endswith("/log")]
    assert all(x["params"].get("container") == ["frigate"] for x in logs), logs


def test_kubectl_sees_an_unready_pod_and_a_crash_loop(cluster):
    double, kubectl = cluster
    double.control("container", {"ready": False})
    r = kubectl("get", "deployment", "frigate", "-n", "nvr", "-o", "json")
    dep = json.loads(r.stdout)
    conds = {c["type"]: c for c in dep["status"]["conditions"]}
    assert conds["Available"]["status"] == "False"
    assert conds["Progressing"]["reason"] == "NewReplicaSetAvailable"
    double.control("container", {"crashloop": True, "restarts": 3})
    r = kubectl("get", "pods", "-n", "nvr", "-o",
                "jsonpath={.items[0].status.containerStatuses[?(@.name==\"frigate\")].state."
                "waiting.reason} {.items[0].status.containerStatuses[?(@.name==\"frigate\")]."
                "restartCount}")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["CrashLoopBackOff", "3"]
