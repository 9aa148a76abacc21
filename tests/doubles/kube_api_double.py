#!/usr/bin/python3
"""A Kubernetes API double for the remediator's and the exporter's tests.

Speaks the paths, content types, status codes and `Status` error bodies of the real API server for
the few objects this project touches: the Frigate Deployment (GET, PATCH with a simulated
Recreate rollout), its ReplicaSets (list, get), its Pods (list by label selector, equality- and
set-based, get, log with follow), Nodes (Ready condition), and ConfigMaps (GET, POST, PUT, PATCH,
DELETE with resourceVersion semantics). Enough discovery (/api, /apis, /api/v1, /apis/apps/v1,
/version) for kubectl to work against it.

The objects have, by default, the shapes of a cluster running the official Frigate chart
(github.com/blakeblackshear/blakeshome-charts, charts/frigate at tag frigate-7.8.0, appVersion
0.14.1): templates/_helpers.tpl gives the labels (app.kubernetes.io/name = the chart name,
app.kubernetes.io/instance = the release; helm.sh/chart, app.kubernetes.io/version and
app.kubernetes.io/managed-by on the Deployment only), templates/deployment.yaml the Deployment
(replicas 1, revisionHistoryLimit 3, strategy from values.strategyType = Recreate, spec.selector
matchLabels name + instance, a container named after the chart, "frigate", with the ports and the
httpGet / liveness and readiness probes of values.yaml: initialDelaySeconds 30, failureThreshold
5, timeoutSeconds 10). The official chart has no sidecar; many installs carry one, so the pod
also runs a "codeserver" container by default, shaped as the k8s-at-home common library adds it
(k8s-at-home/library-charts, charts/stable/common/templates/addons/code-server/_container.tpl and
values.yaml addons.codeserver, which k8s-at-home's own Frigate chart inherits); --no-sidecar
leaves it out.
Kubelet behaviour: containerStatuses sorted by container name (as the kubelet sorts them),
restartCount, state running / waiting CrashLoopBackOff with lastState terminated, ready false
while the readiness probe fails (pod conditions Ready / ContainersReady False with reason
ContainersNotReady). Deployment status as the deployment controller writes it: observedGeneration,
replicas / updatedReplicas / readyReplicas / availableReplicas / unavailableReplicas (omitted when
0, as the API's omitempty does), conditions Available (MinimumReplicasAvailable /
MinimumReplicasUnavailable) and Progressing (NewReplicaSetAvailable once a rollout finished,
ReplicaSetUpdated while one runs, ProgressDeadlineExceeded when a rollout outlives
progressDeadlineSeconds); a pod going unready after a finished rollout changes Available only.
ReplicaSets named <deployment>-<pod-template-hash>, owned by the Deployment, old ones scaled to 0.

Test control lives under /_double/ (no auth): request log, fault injection, state changes.
  GET  /_double/requests            every API request (method, path, query, headers, body)
  POST /_double/requests/reset      forget the log
  GET  /_double/state               every object, rollouts resolved to now
  POST /_double/node                {"name","ready":"True|False|Unknown","reason","message","unschedulable"}
  POST /_double/pod-log             {"namespace","pod" (default: the newest Frigate pod),"lines":[...]}
  POST /_double/latency             {"pattern": regex on the path, "seconds": s}  (seconds 0 removes)
  POST /_double/errors              {"pattern","method"(optional),"status","count"}  next N matches fail
  POST /_double/configmap-conflicts {"count": N}  next N ConfigMap writes get 409 Conflict (as if
                                    another writer got in first: the stored resourceVersion moves)
  POST /_double/forbid              {"verb","resource"}  (resource like "deployments", "pods/log")
  POST /_double/unforbid            {"verb","resource"}  allowed again
  POST /_double/deployment          {"namespace","name","spec":{..},"status":{..},"metadata":{..},
                                     "rollout_seconds": s, "new_pods_ready": bool}  merged into the
                                    object as is; new_pods_ready false: pods of later rollouts never
                                    pass their readiness probe (the rollout then stalls until
                                    progressDeadlineSeconds and fails with ProgressDeadlineExceeded)
  POST /_double/deployments         {"namespace","name","node","sidecar": bool, "labels": {..}}
                                    adds another Frigate release (Deployment, ReplicaSet, pod);
                                    "labels" replaces the chart's pod labels and selector
  POST /_double/container           {"namespace","name" (deployment),"container" (default
                                     "frigate"), "ready": bool, "restart": true,
                                     "started_seconds_ago": s, "crashloop": true,
                                     "update_deployment": bool (default true; false leaves the
                                     Deployment's status stale)}  the kubelet's doing on the current
                                    pod: a failing readiness probe, a container restart, a
                                    container in CrashLoopBackOff
  POST /_double/settings            {"require_resource_version": bool}
"""

import argparse
import copy
import datetime
import hashlib
import json
import random
import re
import ssl
import string
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# ---------------------------------------------------------------------------------------------
# Time and small helpers


def rfc3339(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc3339_nano(ts):
    dt = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%09dZ" % (int(round(ts * 1e9)) % 1_000_000_000)


def rand_suffix(n=5):
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(n))


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch (also what a strategic merge does for the maps we touch)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def status_body(code, reason, message, details=None):
    body = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details is not None:
        body["details"] = details
    return body


class ApiError(Exception):
    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.code = code
        self.body = status_body(code, reason, message, details)


def not_found(resource, name, group=""):
    qualified = resource + ("." + group if group else "")
    return ApiError(404, "NotFound", '%s "%s" not found' % (qualified, name),
                    {"name": name, "group": group, "kind": resource} if group else
                    {"name": name, "kind": resource})


def conflict(resource, name, group=""):
    qualified = resource + ("." + group if group else "")
    return ApiError(409, "Conflict",
                    'Operation cannot be fulfilled on %s "%s": the object has been modified; '
                    "please apply your changes to the latest version and try again" % (qualified, name),
                    {"name": name, "kind": resource})


# ---------------------------------------------------------------------------------------------
# Discovery documents (legacy form; kubectl falls back to it when aggregated discovery is absent)

API_VERSIONS = {
    "kind": "APIVersions",
    "versions": ["v1"],
    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}],
}

API_GROUP_LIST = {
    "kind": "APIGroupList",
    "apiVersion": "v1",
    "groups": [{
        "name": "apps",
        "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
        "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"},
    }],
}


def resource(name, kind, namespaced, verbs, short=None, singular=""):
    r = {"name": name, "singularName": singular, "namespaced": namespaced, "kind": kind,
         "verbs": verbs}
    if short:
        r["shortNames"] = short
    return r


ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

CORE_V1 = {
    "kind": "APIResourceList",
    "groupVersion": "v1",
    "resources": [
        resource("configmaps", "ConfigMap", True, ALL_VERBS, ["cm"], "configmap"),
        resource("namespaces", "Namespace", False, ["create", "delete", "get", "list", "patch",
                                                     "update", "watch"], ["ns"], "namespace"),
        resource("nodes", "Node", False, ALL_VERBS, ["no"], "node"),
        resource("pods", "Pod", True, ALL_VERBS, ["po"], "pod"),
        resource("pods/log", "Pod", True, ["get"]),
        resource("pods/status", "Pod", True, ["get", "patch", "update"]),
    ],
}

APPS_V1 = {
    "kind": "APIResourceList",
    "apiVersion": "v1",
    "groupVersion": "apps/v1",
    "resources": [
        dict(resource("deployments", "Deployment", True, ALL_VERBS, ["deploy"], "deployment"),
             categories=["all"]),
        resource("deployments/scale", "Scale", True, ["get", "patch", "update"]),
        resource("deployments/status", "Deployment", True, ["get", "patch", "update"]),
        dict(resource("replicasets", "ReplicaSet", True, ALL_VERBS, ["rs"], "replicaset"),
             categories=["all"]),
    ],
}

VERSION = {
    "major": "1", "minor": "32", "gitVersion": "v1.32.0-double", "gitCommit": "0" * 40,
    "gitTreeState": "clean", "buildDate": "2024-12-11T00:00:00Z", "goVersion": "go1.23.3",
    "compiler": "gc", "platform": "linux/amd64",
}

FRIGATE_START_LINES = [
    "[INFO] Preparing Frigate...",
    "[INFO] Starting Frigate...",
    "frigate.app INFO    : Starting Frigate (0.14.1-f4f3cfa)",
    "frigate.detectors.plugins.edgetpu_tfl INFO    : Attempting to load TPU as usb",
    "frigate.detectors.plugins.edgetpu_tfl INFO    : TPU found",
]


# ---------------------------------------------------------------------------------------------
# The cluster state


# The official chart's values at frigate-7.8.0 (charts/frigate/Chart.yaml, values.yaml).
CHART_NAME = "frigate"
CHART_VERSION = "7.8.0"
CHART_APP_VERSION = "0.14.1"
FRIGATE_IMAGE = "ghcr.io/blakeblackshear/frigate:" + CHART_APP_VERSION


def chart_pod_labels(release):
    """The pod template's labels and the selector (deployment.yaml: name + instance)."""
    return {"app.kubernetes.io/name": CHART_NAME, "app.kubernetes.io/instance": release}


def chart_labels(release):
    """_helpers.tpl "frigate.labels": the Deployment's own labels."""
    return {"app.kubernetes.io/name": CHART_NAME,
            "helm.sh/chart": "%s-%s" % (CHART_NAME, CHART_VERSION),
            "app.kubernetes.io/instance": release,
            "app.kubernetes.io/version": CHART_APP_VERSION,
            "app.kubernetes.io/managed-by": "Helm"}


def http_probe(initial_delay):
    """values.yaml probes.liveness / probes.readiness, with the API server's defaults filled in
    (periodSeconds 10, successThreshold 1) as a GET returns them."""
    return {"httpGet": {"path": "/", "port": "http", "scheme": "HTTP"},
            "initialDelaySeconds": initial_delay, "timeoutSeconds": 10, "periodSeconds": 10,
            "successThreshold": 1, "failureThreshold": 5}


def frigate_container():
    """deployment.yaml's one container: named .Chart.Name, the ports, the probes."""
    ports = [("http", 5000, "TCP"), ("http-auth", 8971, "TCP"), ("rtmp", 1935, "TCP"),
             ("rtsp", 8554, "TCP"), ("webrtc-udp", 8555, "UDP"), ("webrtc-tcp", 8555, "TCP"),
             ("go2rtc-admin", 1984, "TCP")]
    return {
        "name": CHART_NAME, "image": FRIGATE_IMAGE, "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": n, "containerPort": p, "protocol": proto} for n, p, proto in ports],
        "livenessProbe": http_probe(30), "readinessProbe": http_probe(30),
        "volumeMounts": [{"name": "configmap", "mountPath": "/config/config.yml",
                          "subPath": "config.yml"},
                         {"name": "config", "mountPath": "/config"},
                         {"name": "data", "mountPath": "/data"},
                         {"name": "media", "mountPath": "/media"},
                         {"name": "dshm", "mountPath": "/dev/shm"}],
        "resources": {}, "securityContext": {},
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
    }


def codeserver_container():
    """The k8s-at-home common library's code-server addon (k8s-at-home/library-charts,
    charts/stable/common: templates/addons/code-server/_container.tpl and the addons.codeserver
    defaults of values.yaml): container "codeserver", image codercom/code-server:3.9.2, args
    --auth none, then --port 12321 and the working dir (the first volume mount's path), port
    12321 named codeserver, runAsUser 0."""
    return {
        "name": "codeserver", "image": "codercom/code-server:3.9.2",
        "imagePullPolicy": "IfNotPresent",
        "args": ["--auth", "none", "--port", "12321", "/config"],
        "ports": [{"name": "codeserver", "containerPort": 12321, "protocol": "TCP"}],
        "volumeMounts": [{"name": "config", "mountPath": "/config"}],
        "securityContext": {"runAsUser": 0}, "resources": {},
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
    }


def omit_zero(status, *fields):
    """The API's omitempty on int32 status fields: a 0 is not sent at all."""
    for f in fields:
        if not status.get(f):
            status.pop(f, None)
    return status


class Cluster:
    def __init__(self, namespace, deployment, node, rollout_seconds, sidecar=True):
        self.lock = threading.RLock()
        self.log_cond = threading.Condition(self.lock)
        self.rv = 1000
        self.requests = []
        self.latency = []      # [(regex, seconds)]
        self.errors = []       # [{"re", "method", "status", "count"}]
        self.cm_conflicts = 0
        self.forbidden = set()  # {(verb, resource)}
        self.require_resource_version = True
        self.rollout_seconds = rollout_seconds
        self.sidecar = sidecar
        self.nodes = {}
        self.pods = {}          # (ns, name) -> pod object
        self.pod_logs = {}      # (ns, name) -> [(ts, line)]
        self.deployments = {}   # (ns, name) -> {"obj", "rollout", "hash", "pod", "node", ...}
        self.replicasets = {}   # (ns, name) -> ReplicaSet object
        self.configmaps = {}    # (ns, name) -> object
        self.template_counter = 0
        self.pod_node = node
        now = time.time()
        with self.lock:
            self.add_node(node, now)
            self.add_node("node-2", now)
            self.add_deployment(namespace, deployment, now - 3600)

    # -- objects ---------------------------------------------------------------------------

    def next_rv(self):
        self.rv += 1
        return str(self.rv)

    def add_node(self, name, now):
        self.nodes[name] = {
            "kind": "Node", "apiVersion": "v1",
            "metadata": {"name": name, "uid": str(uuid.uuid4()), "resourceVersion": self.next_rv(),
                         "creationTimestamp": rfc3339(now - 86400),
                         "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}},
            "spec": {"podCIDR": "10.244.%d.0/24" % len(self.nodes)},
            "status": {
                "conditions": [
                    {"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory",
                     "message": "kubelet has sufficient memory available",
                     "lastHeartbeatTime": rfc3339(now), "lastTransitionTime": rfc3339(now - 86400)},
                    {"type": "DiskPressure", "status": "False", "reason": "KubeletHasNoDiskPressure",
                     "message": "kubelet has no disk pressure",
                     "lastHeartbeatTime": rfc3339(now), "lastTransitionTime": rfc3339(now - 86400)},
                    {"type": "Ready", "status": "True", "reason": "KubeletReady",
                     "message": "kubelet is posting ready status",
                     "lastHeartbeatTime": rfc3339(now), "lastTransitionTime": rfc3339(now - 86400)},
                ],
                "nodeInfo": {"kubeletVersion": "v1.32.0", "osImage": "Debian GNU/Linux 12 (bookworm)"},
            },
        }

    def template_hash(self):
        self.template_counter += 1
        return hashlib.sha1(str(self.template_counter).encode()).hexdigest()[:10]

    def add_deployment(self, ns, name, created, node=None, sidecar=None, pod_labels=None):
        """A release of the official chart named `name` (fullname == release name)."""
        sidecar = self.sidecar if sidecar is None else sidecar
        labels = dict(pod_labels) if pod_labels else chart_pod_labels(name)
        containers = [frigate_container()] + ([codeserver_container()] if sidecar else [])
        checksum = hashlib.sha256(("configmap of " + name).encode()).hexdigest()
        obj = {
            "kind": "Deployment", "apiVersion": "apps/v1",
            "metadata": {"name": name, "namespace": ns, "uid": str(uuid.uuid4()),
                         "resourceVersion": self.next_rv(), "generation": 1,
                         "creationTimestamp": rfc3339(created),
                         "labels": chart_labels(name) if not pod_labels else dict(labels),
                         "annotations": {"deployment.kubernetes.io/revision": "1",
                                         "meta.helm.sh/release-name": name,
                                         "meta.helm.sh/release-namespace": ns}},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": dict(labels)},
                "strategy": {"type": "Recreate"},
                "revisionHistoryLimit": 3,
                "progressDeadlineSeconds": 600,
                "template": {
                    "metadata": {"labels": dict(labels),
                                 "annotations": {"checksum/configmap": checksum}},
                    "spec": {"containers": containers,
                             "volumes": [{"name": "configmap", "configMap": {"name": name}},
                                         {"name": "config", "emptyDir": {}},
                                         {"name": "data", "emptyDir": {}},
                                         {"name": "media", "emptyDir": {}},
                                         {"name": "dshm", "emptyDir": {"medium": "Memory",
                                                                       "sizeLimit": "1Gi"}}],
                             "restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
                             "terminationGracePeriodSeconds": 30, "schedulerName": "default-scheduler"},
                },
            },
            "status": {},
        }
        dep = {"obj": obj, "rollout": None, "hash": self.template_hash(), "pending": False,
               "node": node or self.pod_node, "new_pods_ready": True}
        self.deployments[(ns, name)] = dep
        self.make_replicaset(dep, created + 0.5, 1)
        self.make_pod(dep, created + 1, ready=True)
        self.set_steady_status(dep, created + 30)
        return dep

    def make_replicaset(self, dep, when, replicas):
        meta = dep["obj"]["metadata"]
        spec = dep["obj"]["spec"]
        ns, name = meta["namespace"], meta["name"]
        rs_name = "%s-%s" % (name, dep["hash"])
        template = copy.deepcopy(spec["template"])
        template["metadata"].setdefault("labels", {})["pod-template-hash"] = dep["hash"]
        selector = copy.deepcopy(spec["selector"])
        selector.setdefault("matchLabels", {})["pod-template-hash"] = dep["hash"]
        rs = {
            "kind": "ReplicaSet", "apiVersion": "apps/v1",
            "metadata": {
                "name": rs_name, "namespace": ns, "uid": str(uuid.uuid4()),
                "resourceVersion": self.next_rv(), "generation": 1,
                "creationTimestamp": rfc3339(when),
                "labels": dict(template["metadata"]["labels"]),
                "annotations": {
                    "deployment.kubernetes.io/desired-replicas": str(spec.get("replicas", 1)),
                    "deployment.kubernetes.io/max-replicas": str(spec.get("replicas", 1)),
                    "deployment.kubernetes.io/revision":
                        meta.get("annotations", {}).get("deployment.kubernetes.io/revision", "1")},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name,
                                     "uid": meta["uid"], "controller": True,
                                     "blockOwnerDeletion": True}],
            },
            "spec": {"replicas": replicas, "selector": selector, "template": template},
            "status": {},
        }
        self.replicasets[(ns, rs_name)] = rs
        self.set_rs_status(rs, replicas, 0)
        dep["rs"] = rs_name
        # revisionHistoryLimit: the oldest scaled-down ReplicaSets go.
        old = sorted((r for (rns, _), r in self.replicasets.items()
                      if rns == ns and r["metadata"]["ownerReferences"][0]["uid"] == meta["uid"]
                      and r["metadata"]["name"] != rs_name),
                     key=lambda r: int(r["metadata"]["resourceVersion"]))
        limit = spec.get("revisionHistoryLimit", 10)
        for r in old[:max(0, len(old) - limit)]:
            self.replicasets.pop((ns, r["metadata"]["name"]), None)
        return rs

    def set_rs_status(self, rs, replicas, ready):
        rs["spec"]["replicas"] = rs["spec"]["replicas"] if replicas is None else replicas
        rs["status"] = omit_zero({
            "replicas": replicas if replicas is not None else rs["spec"]["replicas"],
            "fullyLabeledReplicas": replicas, "readyReplicas": ready, "availableReplicas": ready,
            "observedGeneration": rs["metadata"]["generation"]},
            "replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas")
        rs["status"].setdefault("replicas", 0)  # RS status.replicas is not omitempty
        rs["metadata"]["resourceVersion"] = self.next_rv()

    def make_pod(self, dep, start, ready):
        meta = dep["obj"]["metadata"]
        ns, name = meta["namespace"], meta["name"]
        spec = dep["obj"]["spec"]
        pod_name = "%s-%s-%s" % (name, dep["hash"], rand_suffix())
        rs = self.replicasets.get((ns, dep.get("rs", "")))
        containers = copy.deepcopy(spec["template"]["spec"]["containers"])
        pod = {
            "kind": "Pod", "apiVersion": "v1",
            "metadata": {
                "name": pod_name, "namespace": ns, "uid": str(uuid.uuid4()),
                "resourceVersion": self.next_rv(), "creationTimestamp": rfc3339(start),
                "generateName": "%s-%s-" % (name, dep["hash"]),
                "labels": dict(spec["template"]["metadata"].get("labels", {}),
                               **{"pod-template-hash": dep["hash"]}),
                "annotations": dict(spec["template"]["metadata"].get("annotations", {})),
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                     "name": "%s-%s" % (name, dep["hash"]),
                                     "uid": rs["metadata"]["uid"] if rs else str(uuid.uuid4()),
                                     "controller": True, "blockOwnerDeletion": True}],
            },
            "spec": dict(copy.deepcopy(spec["template"]["spec"]), nodeName=dep["node"],
                         containers=containers, serviceAccountName="default"),
            "status": {
                "phase": "Running", "hostIP": "192.168.1.10",
                "podIP": "10.244.0.%d" % random.randint(2, 250),
                "startTime": rfc3339(start), "qosClass": "BestEffort",
                "conditions": [],
                # The kubelet sorts container statuses by name (kubelet_pods.go,
                # SortedContainerStatuses): a "codeserver" sidecar comes before "frigate".
                "containerStatuses": sorted(({
                    "name": c["name"], "ready": ready, "started": True, "restartCount": 0,
                    "image": c["image"],
                    "imageID": c["image"].split(":")[0] + "@sha256:" +
                    hashlib.sha256(c["image"].encode()).hexdigest(),
                    "containerID": "containerd://" + uuid.uuid4().hex + uuid.uuid4().hex,
                    "state": {"running": {"startedAt": rfc3339(start + 2)}},
                    "lastState": {},
                } for c in containers), key=lambda cs: cs["name"]),
            },
        }
        self.set_pod_ready(pod, ready, start + 2)
        self.pods[(ns, pod_name)] = pod
        self.pod_logs[(ns, pod_name)] = [(start + 2 + i * 0.01, line)
                                         for i, line in enumerate(FRIGATE_START_LINES)]
        dep["pod"] = pod_name
        self.log_cond.notify_all()
        return pod

    def set_pod_ready(self, pod, ready, when, containers=None):
        """Readiness as the kubelet reports it: the named containers' ready flags (all when
        containers is None), then the pod's Ready/ContainersReady from all of them."""
        for cs in pod["status"]["containerStatuses"]:
            if containers is None or cs["name"] in containers:
                cs["ready"] = ready
        unready = [cs["name"] for cs in pod["status"]["containerStatuses"] if not cs["ready"]]
        flag = "False" if unready else "True"
        old = {c["type"]: c for c in pod["status"].get("conditions", [])}

        def cond(kind, status, reason=None, message=None, since=when):
            prev = old.get(kind)
            c = {"type": kind, "status": status,
                 "lastProbeTime": None,
                 "lastTransitionTime": prev["lastTransitionTime"]
                 if prev and prev["status"] == status else rfc3339(since)}
            if reason:
                c["reason"], c["message"] = reason, message
            return c
        why = ("ContainersNotReady", "containers with unready status: [%s]" % " ".join(unready)) \
            if unready else (None, None)
        pod["status"]["conditions"] = [
            cond("PodReadyToStartContainers", "True", since=when - 2),
            cond("Initialized", "True", since=when - 2),
            cond("Ready", flag, *why),
            cond("ContainersReady", flag, *why),
            cond("PodScheduled", "True", since=when - 2),
        ]
        pod["metadata"]["resourceVersion"] = self.next_rv()

    def pod_available(self, pod):
        ready = [c for c in pod["status"]["conditions"] if c["type"] == "Ready"]
        return bool(ready) and ready[0]["status"] == "True" and \
            not pod["metadata"].get("deletionTimestamp")

    def set_steady_status(self, dep, when):
        """A finished rollout: Progressing=NewReplicaSetAvailable; the counts from the pod."""
        obj = dep["obj"]
        obj["status"] = {"observedGeneration": obj["metadata"]["generation"], "conditions": [
            {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
             "message": "Deployment has minimum availability.",
             "lastUpdateTime": rfc3339(when), "lastTransitionTime": rfc3339(when)},
            {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
             "message": 'ReplicaSet "%s-%s" has successfully progressed.'
                        % (obj["metadata"]["name"], dep["hash"]),
             "lastUpdateTime": rfc3339(when), "lastTransitionTime": rfc3339(when)},
        ]}
        self.refresh_counts(dep, when)

    def refresh_counts(self, dep, when):
        """What the deployment controller recomputes on every pod change: the replica counts
        and the Available condition. Progressing moves only with a rollout (a pod that turns
        unready after a finished rollout leaves it at NewReplicaSetAvailable)."""
        obj = dep["obj"]
        ns, name = obj["metadata"]["namespace"], obj["metadata"]["name"]
        replicas = obj["spec"].get("replicas", 1)
        mine = [p for (pns, _), p in self.pods.items()
                if pns == ns and p["metadata"]["ownerReferences"][0]["name"].startswith(name + "-")
                and p["metadata"]["labels"].get("pod-template-hash") in self.owned_hashes(dep)
                and not p["metadata"].get("deletionTimestamp")]
        updated = [p for p in mine if p["metadata"]["labels"].get("pod-template-hash") == dep["hash"]]
        available = [p for p in mine if self.pod_available(p)]
        status = obj["status"]
        for f in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas",
                  "unavailableReplicas"):
            status.pop(f, None)
        status.update({"replicas": len(mine), "updatedReplicas": len(updated),
                       "readyReplicas": len(available), "availableReplicas": len(available),
                       "unavailableReplicas": max(0, replicas - len(available))})
        omit_zero(status, "replicas", "updatedReplicas", "readyReplicas", "availableReplicas",
                  "unavailableReplicas")
        # Keep the key order of a real object: counts first, then conditions.
        conditions = status.pop("conditions", [])
        want = "True" if len(available) >= replicas else "False"
        for c in conditions:
            if c["type"] == "Available" and c["status"] != want:
                c.update({"status": want,
                          "reason": "MinimumReplicasAvailable" if want == "True"
                          else "MinimumReplicasUnavailable",
                          "message": "Deployment has minimum availability." if want == "True"
                          else "Deployment does not have minimum availability.",
                          "lastUpdateTime": rfc3339(when), "lastTransitionTime": rfc3339(when)})
        status["conditions"] = conditions
        rs = self.replicasets.get((ns, dep.get("rs", "")))
        if rs is not None:
            self.set_rs_status(rs, len(updated), len([p for p in updated
                                                      if self.pod_available(p)]))
        obj["metadata"]["resourceVersion"] = self.next_rv()

    def owned_hashes(self, dep):
        uid = dep["obj"]["metadata"]["uid"]
        return {r["metadata"]["labels"].get("pod-template-hash")
                for r in self.replicasets.values()
                if r["metadata"]["ownerReferences"][0]["uid"] == uid}

    def set_progressing(self, dep, status, reason, message, now):
        obj = dep["obj"]
        conds = [c for c in obj["status"].get("conditions", []) if c["type"] != "Progressing"]
        conds.append({"type": "Progressing", "status": status, "reason": reason,
                      "message": message, "lastUpdateTime": rfc3339(now),
                      "lastTransitionTime": rfc3339(now)})
        obj["status"]["conditions"] = conds

    # -- the kubelet's doing on a running pod ----------------------------------------------

    def container_event(self, dep, body, now):
        """Readiness probe result, container restart or CrashLoopBackOff on the current pod."""
        ns = dep["obj"]["metadata"]["namespace"]
        pod = self.pods.get((ns, dep.get("pod")))
        if pod is None:
            return None, "no current pod"
        name = body.get("container", CHART_NAME)
        cs = next((c for c in pod["status"]["containerStatuses"] if c["name"] == name), None)
        if cs is None:
            return None, "pod %s has no container %s" % (pod["metadata"]["name"], name)
        if body.get("restart") or body.get("crashloop"):
            started = cs["state"].get("running", {}).get("startedAt", rfc3339(now - 60))
            cs["restartCount"] += max(1, int(body.get("restarts", 1)))
            cs["lastState"] = {"terminated": {
                "exitCode": 1, "reason": "Error", "startedAt": started,
                "finishedAt": rfc3339(now - body.get("started_seconds_ago", 0)),
                "containerID": cs["containerID"]}}
            cs["containerID"] = "containerd://" + uuid.uuid4().hex + uuid.uuid4().hex
        if body.get("crashloop"):
            cs["state"] = {"waiting": {
                "reason": "CrashLoopBackOff",
                "message": "back-off 5m0s restarting failed container=%s pod=%s_%s(%s)"
                           % (name, pod["metadata"]["name"], ns, pod["metadata"]["uid"])}}
            cs["started"] = False
            self.set_pod_ready(pod, False, now, [name])
        elif body.get("restart") or "started_seconds_ago" in body:
            at = now - float(body.get("started_seconds_ago", 0))
            cs["state"] = {"running": {"startedAt": rfc3339(at)}}
            cs["started"] = True
            # Not ready until the readiness probe passed again (initialDelaySeconds 30).
            self.set_pod_ready(pod, bool(body.get("ready", now - at >= 30)), now, [name])
        if "ready" in body and not body.get("crashloop"):
            self.set_pod_ready(pod, bool(body["ready"]), now, [name])
        if body.get("update_deployment", True):
            self.refresh_counts(dep, now)
        return pod, ""

    # -- the simulated rollout (resolved lazily against the wall clock) ---------------------

    def start_rollout(self, dep, now):
        dep["hash"] = self.template_hash()
        dep["pending"] = False
        dep["rollout"] = {"start": now, "seconds": dep.get("rollout_seconds", self.rollout_seconds),
                          "phase": "observing", "old": dep.get("pod"), "old_rs": dep.get("rs")}

    def tick(self, now=None):
        now = time.time() if now is None else now
        for dep in self.deployments.values():
            ro = dep["rollout"]
            if ro is None:
                continue
            obj = dep["obj"]
            ns, name = obj["metadata"]["namespace"], obj["metadata"]["name"]
            replicas = obj["spec"].get("replicas", 1)
            elapsed = now - ro["start"]
            total = ro["seconds"]
            observe_at, create_at = min(0.1, total / 10), total / 2
            if ro["phase"] == "observing" and elapsed >= observe_at:
                # Recreate: the old ReplicaSet is scaled to 0 and its pod terminates.
                ro["phase"] = "terminating"
                old = self.pods.get((ns, ro["old"])) if ro["old"] else None
                if old is not None:
                    old["metadata"]["deletionTimestamp"] = rfc3339(now + 30)
                    old["metadata"]["deletionGracePeriodSeconds"] = 30
                    self.set_pod_ready(old, False, now)
                old_rs = self.replicasets.get((ns, ro.get("old_rs") or ""))
                if old_rs is not None:
                    self.set_rs_status(old_rs, 0, 0)
                obj["status"]["observedGeneration"] = obj["metadata"]["generation"]
                self.set_progressing(dep, "True", "ReplicaSetUpdated",
                                     'ReplicaSet "%s-%s" is progressing.' % (name, dep["hash"]), now)
                self.refresh_counts(dep, now)
            if ro["phase"] == "terminating" and elapsed >= create_at:
                ro["phase"] = "starting"
                if ro["old"]:
                    self.pods.pop((ns, ro["old"]), None)
                    self.log_cond.notify_all()  # ends follows of the old pod
                self.make_replicaset(dep, now, replicas)
                self.make_pod(dep, now, ready=False)
                self.set_progressing(dep, "True", "ReplicaSetUpdated",
                                     'ReplicaSet "%s-%s" is progressing.' % (name, dep["hash"]), now)
                self.refresh_counts(dep, now)
            if ro["phase"] == "starting" and elapsed >= total:
                pod = self.pods.get((ns, dep["pod"]))
                if dep.get("new_pods_ready", True):
                    if pod is not None:
                        self.set_pod_ready(pod, True, now)
                    dep["rollout"] = None
                    self.set_steady_status(dep, now)
                elif elapsed >= obj["spec"].get("progressDeadlineSeconds", 600):
                    # The readiness probe never passed: the controller gives up on the rollout.
                    dep["rollout"] = None
                    self.set_progressing(dep, "False", "ProgressDeadlineExceeded",
                                         'ReplicaSet "%s-%s" has timed out progressing.'
                                         % (name, dep["hash"]), now)
                    self.refresh_counts(dep, now)

    # -- reads -----------------------------------------------------------------------------

    def frigate_pod(self, ns):
        for (dns, _), dep in self.deployments.items():
            if dns == ns and dep.get("pod") and (ns, dep["pod"]) in self.pods:
                return dep["pod"]
        return None

    def snapshot(self):
        self.tick()
        return {
            "resourceVersion": str(self.rv),
            "nodes": self.nodes,
            "deployments": {"%s/%s" % k: v["obj"] for k, v in self.deployments.items()},
            "rollouts": {"%s/%s" % k: v["rollout"] for k, v in self.deployments.items()},
            "replicasets": {"%s/%s" % k: v for k, v in self.replicasets.items()},
            "pods": {"%s/%s" % k: v for k, v in self.pods.items()},
            "configmaps": {"%s/%s" % k: v for k, v in self.configmaps.items()},
            "pod_logs": {"%s/%s" % k: [line for _, line in v] for k, v in self.pod_logs.items()},
            "settings": {"require_resource_version": self.require_resource_version,
                         "rollout_seconds": self.rollout_seconds},
        }


# ---------------------------------------------------------------------------------------------
# Label selectors: the API server's syntax (k8s.io/apimachinery/pkg/labels), equality-based
# (a=b, a==b, a!=b) and set-based (a in (x,y), a notin (x,y), a, !a), terms joined by commas.

SELECTOR_TERM = re.compile(
    r"\s*(?:(?P<not>!)\s*(?P<nkey>[A-Za-z0-9./_-]+)"
    r"|(?P<skey>[A-Za-z0-9./_-]+)\s+(?P<op>in|notin)\s*\((?P<values>[^)]*)\)"
    r"|(?P<ekey>[A-Za-z0-9./_-]+)\s*(?P<eop>==|!=|=)\s*(?P<value>[A-Za-z0-9._-]*)"
    r"|(?P<key>[A-Za-z0-9./_-]+))\s*(?:,|$)")


def parse_selector(selector):
    """[(kind, key, values)] or raises ApiError 400 like the API server for a bad selector."""
    terms, pos = [], 0
    text = selector.strip()
    while pos < len(text):
        m = SELECTOR_TERM.match(text, pos)
        if not m or m.end() == pos:
            raise ApiError(400, "BadRequest", 'unable to parse requirement: found \'%s\', '
                           "expected: identifier" % text[pos:pos + 1])
        if m.group("nkey"):
            terms.append(("!", m.group("nkey"), None))
        elif m.group("skey"):
            values = {v.strip() for v in m.group("values").split(",") if v.strip()}
            terms.append((m.group("op"), m.group("skey"), values))
        elif m.group("ekey"):
            op = "!=" if m.group("eop") == "!=" else "="
            terms.append((op, m.group("ekey"), {m.group("value")}))
        else:
            terms.append(("exists", m.group("key"), None))
        pos = m.end()
    return terms


def selector_matches(selector, labels):
    for kind, key, values in parse_selector(selector or ""):
        have = key in labels
        if kind == "!" and have:
            return False
        if kind == "exists" and not have:
            return False
        if kind in ("=", "in") and (not have or labels[key] not in values):
            return False
        if kind in ("!=", "notin") and have and labels[key] in values:
            return False
    return True


# ---------------------------------------------------------------------------------------------
# HTTP


ROUTES = []


def route(method, pattern):
    def wrap(fn):
        ROUTES.append((method, re.compile("^" + pattern + "$"), fn))
        return fn
    return wrap


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kube-api-double/1"

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    @property
    def cluster(self):
        return self.server.cluster

    # -- plumbing --------------------------------------------------------------------------

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send_json(self, code, obj, extra_headers=None):
        data = json.dumps(obj, indent=None).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Audit-Id", str(uuid.uuid4()))
        for k, v in (extra_headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_status(self, err):
        self.send_json(err.code, err.body)

    def json_body(self, raw):
        try:
            obj = json.loads(raw.decode() or "null")
        except (UnicodeDecodeError, ValueError) as e:
            raise ApiError(400, "BadRequest", "the body of the request was in an unknown format - "
                           "accepted media types include: application/json, application/yaml: %s" % e)
        if not isinstance(obj, dict):
            raise ApiError(400, "BadRequest", "the body of the request must be a JSON object")
        return obj

    def handle_any(self):
        split = urlsplit(self.path)
        path, query = split.path, parse_qs(split.query, keep_blank_values=True)
        raw = self.read_body()
        if path.startswith("/_double/"):
            return self.control(path, raw)
        cluster = self.cluster
        headers = {k.lower(): v for k, v in self.headers.items()}
        with cluster.lock:
            cluster.requests.append({
                "time": time.time(), "method": self.command, "path": path, "query": split.query,
                "params": query, "headers": headers,
                "content_type": headers.get("content-type", ""),
                "authorization": headers.get("authorization", ""),
                "body": raw.decode("utf-8", "replace"),
            })
            delay = sum(s for r, s in cluster.latency if r.search(path))
        if delay > 0:
            time.sleep(delay)
        try:
            token = self.server.token
            if token and headers.get("authorization", "") != "Bearer " + token:
                raise ApiError(401, "Unauthorized", "Unauthorized")
            with cluster.lock:
                for inj in cluster.errors:
                    if inj["count"] > 0 and inj["re"].search(path) and \
                            inj["method"] in ("", self.command):
                        inj["count"] -= 1
                        raise injected_error(inj["status"], path)
                cluster.tick()
            for method, pattern, fn in ROUTES:
                m = pattern.match(path)
                if m and method == self.command:
                    return fn(self, query, raw, **m.groupdict())
            if any(p.match(path) for _, p, _ in ROUTES):
                raise ApiError(405, "MethodNotAllowed",
                               "the server does not allow this method on the requested resource")
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        except ApiError as e:
            self.send_status(e)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    def authorize(self, verb, res, ns, name="", group=""):
        if (verb, res) in self.cluster.forbidden:
            user = "system:serviceaccount:%s:frigate-remediator" % (ns or "default")
            qualified = res.split("/")[0] + ("." + group if group else "")
            target = ' "%s"' % name if name else ""
            where = ' in the namespace "%s"' % ns if ns else " at the cluster scope"
            raise ApiError(403, "Forbidden",
                           '%s%s is forbidden: User "%s" cannot %s resource "%s" in API group "%s"%s'
                           % (qualified, target, user, verb, res, group, where),
                           {"name": name, "group": group, "kind": res.split("/")[0]})

    # -- control API -----------------------------------------------------------------------

    def control(self, path, raw):
        cluster = self.cluster
        try:
            body = json.loads(raw.decode() or "{}") if raw else {}
        except ValueError as e:
            return self.send_json(400, {"error": "bad JSON: %s" % e})
        with cluster.lock:
            if path == "/_double/requests" and self.command == "GET":
                return self.send_json(200, cluster.requests)
            if path == "/_double/requests/reset":
                cluster.requests.clear()
                return self.send_json(200, {"ok": True})
            if path == "/_double/state":
                return self.send_json(200, cluster.snapshot())
            if path == "/_double/node":
                node = cluster.nodes.get(body.get("name", ""))
                if node is None:
                    now = time.time()
                    cluster.add_node(body.get("name", "node-x"), now)
                    node = cluster.nodes[body.get("name", "node-x")]
                if "unschedulable" in body:
                    node["spec"]["unschedulable"] = bool(body["unschedulable"])
                if "ready" in body:
                    for c in node["status"]["conditions"]:
                        if c["type"] == "Ready":
                            ready = body["ready"]
                            c["status"] = ready
                            c["reason"] = body.get("reason", {
                                "True": "KubeletReady", "False": "KubeletNotReady",
                                "Unknown": "NodeStatusUnknown"}.get(ready, ""))
                            c["message"] = body.get("message", {
                                "True": "kubelet is posting ready status",
                                "False": "container runtime network not ready",
                                "Unknown": "Kubelet stopped posting node status."}.get(ready, ""))
                            c["lastTransitionTime"] = rfc3339(time.time())
                node["metadata"]["resourceVersion"] = cluster.next_rv()
                return self.send_json(200, node)
            if path == "/_double/pod-log":
                ns = body.get("namespace", self.server.namespace)
                pod = body.get("pod") or cluster.frigate_pod(ns)
                if (ns, pod) not in cluster.pod_logs:
                    return self.send_json(404, {"error": "no pod %s/%s" % (ns, pod)})
                now = time.time()
                for line in body.get("lines", []):
                    cluster.pod_logs[(ns, pod)].append((now, line))
                cluster.log_cond.notify_all()
                return self.send_json(200, {"pod": pod, "lines": len(cluster.pod_logs[(ns, pod)])})
            if path == "/_double/latency":
                cluster.latency = [(r, s) for r, s in cluster.latency if r.pattern != body["pattern"]]
                if float(body.get("seconds", 0)) > 0:
                    cluster.latency.append((re.compile(body["pattern"]), float(body["seconds"])))
                return self.send_json(200, {"ok": True})
            if path == "/_double/errors":
                cluster.errors.append({"re": re.compile(body.get("pattern", ".*")),
                                       "method": body.get("method", ""),
                                       "status": int(body.get("status", 500)),
                                       "count": int(body.get("count", 1))})
                return self.send_json(200, {"ok": True})
            if path == "/_double/configmap-conflicts":
                cluster.cm_conflicts = int(body.get("count", 1))
                return self.send_json(200, {"ok": True})
            if path == "/_double/forbid":
                cluster.forbidden.add((body["verb"], body["resource"]))
                return self.send_json(200, {"ok": True})
            if path == "/_double/unforbid":
                cluster.forbidden.discard((body["verb"], body["resource"]))
                return self.send_json(200, {"ok": True})
            if path == "/_double/settings":
                if "require_resource_version" in body:
                    cluster.require_resource_version = bool(body["require_resource_version"])
                return self.send_json(200, {"ok": True})
            if path == "/_double/deployment":
                key = (body.get("namespace", self.server.namespace),
                       body.get("name", self.server.deployment))
                dep = cluster.deployments.get(key)
                if dep is None:
                    return self.send_json(404, {"error": "no deployment %s/%s" % key})
                for part in ("metadata", "spec", "status"):
                    if part in body:
                        dep["obj"][part] = merge_patch(dep["obj"][part], body[part])
                if "rollout_seconds" in body:
                    dep["rollout_seconds"] = float(body["rollout_seconds"])
                if "new_pods_ready" in body:
                    dep["new_pods_ready"] = bool(body["new_pods_ready"])
                dep["obj"]["metadata"]["resourceVersion"] = cluster.next_rv()
                return self.send_json(200, dep["obj"])
            if path == "/_double/deployments":
                key = (body.get("namespace", self.server.namespace), body.get("name", ""))
                if not key[1] or key in cluster.deployments:
                    return self.send_json(409, {"error": "deployment %s/%s exists or has no name"
                                                % key})
                node = body.get("node") or cluster.pod_node
                if node not in cluster.nodes:
                    cluster.add_node(node, time.time())
                dep = cluster.add_deployment(key[0], key[1], time.time() - 3600, node=node,
                                             sidecar=body.get("sidecar"),
                                             pod_labels=body.get("labels"))
                return self.send_json(200, dep["obj"])
            if path == "/_double/container":
                key = (body.get("namespace", self.server.namespace),
                       body.get("name", self.server.deployment))
                dep = cluster.deployments.get(key)
                if dep is None:
                    return self.send_json(404, {"error": "no deployment %s/%s" % key})
                pod, error = cluster.container_event(dep, body, time.time())
                if pod is None:
                    return self.send_json(404, {"error": error})
                return self.send_json(200, pod)
        return self.send_json(404, {"error": "unknown control path " + path})


def injected_error(code, path):
    reasons = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
               409: "Conflict", 429: "TooManyRequests", 500: "InternalError",
               503: "ServiceUnavailable", 504: "Timeout"}
    messages = {500: "Internal error occurred: injected failure",
                503: "the server is currently unable to handle the request",
                429: "too many requests, please try again later",
                504: "the server was unable to return a response in the time allotted"}
    return ApiError(code, reasons.get(code, "Unknown"),
                    messages.get(code, "injected %d for %s" % (code, path)))


# -- discovery ------------------------------------------------------------------------------


@route("GET", "/version/?")
def get_version(h, q, raw):
    h.send_json(200, VERSION)


@route("GET", "/api/?")
def get_api(h, q, raw):
    h.send_json(200, API_VERSIONS)


@route("GET", "/apis/?")
def get_apis(h, q, raw):
    h.send_json(200, API_GROUP_LIST)


@route("GET", "/api/v1/?")
def get_core_v1(h, q, raw):
    h.send_json(200, CORE_V1)


@route("GET", "/apis/apps/?")
def get_apps(h, q, raw):
    h.send_json(200, dict(API_GROUP_LIST["groups"][0], kind="APIGroup", apiVersion="v1"))


@route("GET", "/apis/apps/v1/?")
def get_apps_v1(h, q, raw):
    h.send_json(200, APPS_V1)


# -- namespaces (kubectl looks its namespace up after a NotFound) ---------------------------


def namespaces(cluster):
    names = {"default", "kube-system"} | {ns for ns, _ in cluster.deployments} | \
        {ns for ns, _ in cluster.configmaps}
    return {n: {"kind": "Namespace", "apiVersion": "v1",
                "metadata": {"name": n, "labels": {"kubernetes.io/metadata.name": n}},
                "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}
            for n in sorted(names)}


@route("GET", "/api/v1/namespaces")
def list_namespaces(h, q, raw):
    h.authorize("list", "namespaces", "")
    with h.cluster.lock:
        h.send_json(200, {"kind": "NamespaceList", "apiVersion": "v1",
                          "metadata": {"resourceVersion": str(h.cluster.rv)},
                          "items": list(namespaces(h.cluster).values())})


@route("GET", "/api/v1/namespaces/(?P<name>[^/]+)")
def get_namespace(h, q, raw, name):
    h.authorize("get", "namespaces", "", name)
    with h.cluster.lock:
        ns = namespaces(h.cluster).get(name)
        if ns is None:
            raise not_found("namespaces", name)
        h.send_json(200, ns)


# -- nodes ----------------------------------------------------------------------------------


@route("GET", "/api/v1/nodes")
def list_nodes(h, q, raw):
    h.authorize("list", "nodes", "")
    with h.cluster.lock:
        h.send_json(200, {"kind": "NodeList", "apiVersion": "v1",
                          "metadata": {"resourceVersion": str(h.cluster.rv)},
                          "items": list(h.cluster.nodes.values())})


@route("GET", "/api/v1/nodes/(?P<name>[^/]+)")
def get_node(h, q, raw, name):
    h.authorize("get", "nodes", "", name)
    with h.cluster.lock:
        node = h.cluster.nodes.get(name)
        if node is None:
            raise not_found("nodes", name)
        h.send_json(200, node)


# -- pods -----------------------------------------------------------------------------------


@route("GET", "/api/v1/namespaces/(?P<ns>[^/]+)/pods")
def list_pods(h, q, raw, ns):
    h.authorize("list", "pods", ns)
    selector = q.get("labelSelector", [""])[0]
    with h.cluster.lock:
        items = [p for (pns, _), p in h.cluster.pods.items()
                 if pns == ns and selector_matches(selector, p["metadata"].get("labels", {}))]
        h.send_json(200, {"kind": "PodList", "apiVersion": "v1",
                          "metadata": {"resourceVersion": str(h.cluster.rv)}, "items": items})


@route("GET", "/api/v1/namespaces/(?P<ns>[^/]+)/pods/(?P<name>[^/]+)")
def get_pod(h, q, raw, ns, name):
    h.authorize("get", "pods", ns, name)
    with h.cluster.lock:
        pod = h.cluster.pods.get((ns, name))
        if pod is None:
            raise not_found("pods", name)
        h.send_json(200, pod)


def int_param(q, name):
    if name not in q:
        return None
    try:
        return int(q[name][0])
    except ValueError:
        raise ApiError(400, "BadRequest", 'invalid %s "%s"' % (name, q[name][0]))


@route("GET", "/api/v1/namespaces/(?P<ns>[^/]+)/pods/(?P<name>[^/]+)/log")
def get_pod_log(h, q, raw, ns, name):
    h.authorize("get", "pods/log", ns, name)
    cluster = h.cluster
    follow = q.get("follow", ["false"])[0] == "true"
    timestamps = q.get("timestamps", ["false"])[0] == "true"
    since = int_param(q, "sinceSeconds")
    tail = int_param(q, "tailLines")
    if since is not None and "sinceTime" in q:
        raise ApiError(422, "Invalid", "PodLogOptions \"%s\" is invalid: sinceSeconds: Forbidden: "
                       "at most one of `sinceTime` or `sinceSeconds` may be specified" % name)
    with cluster.lock:
        pod = cluster.pods.get((ns, name))
        if pod is None:
            raise not_found("pods", name)
        containers = [c["name"] for c in pod["spec"]["containers"]]
        container = q.get("container", [""])[0]
        if container and container not in containers:
            raise ApiError(400, "BadRequest", "container %s is not valid for pod %s"
                           % (container, name))
        if not container and len(containers) > 1:
            # The API server's rule (pkg/registry/core/pod/strategy.go, LogLocation): with more
            # than one container the caller must name one; kubectl picks one client-side.
            raise ApiError(400, "BadRequest", "a container name must be specified for pod %s, "
                           "choose one of: [%s]" % (name, " ".join(containers)))
        lines = list(cluster.pod_logs.get((ns, name), []))
    if since is not None:
        cutoff = time.time() - since
        lines = [entry for entry in lines if entry[0] >= cutoff]
    if tail is not None:
        lines = lines[-tail:] if tail > 0 else []

    def render(entries):
        return "".join(("%s %s\n" % (rfc3339_nano(ts), text) if timestamps else text + "\n")
                       for ts, text in entries).encode()

    if not follow:
        data = render(lines)
        h.send_response(200)
        h.send_header("Content-Type", "text/plain")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)
        return
    h.send_response(200)
    h.send_header("Content-Type", "text/plain")
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()

    def chunk(data):
        if data:
            h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            h.wfile.flush()

    chunk(render(lines))
    with cluster.lock:
        sent = len(cluster.pod_logs.get((ns, name), []))
    while not h.server.stopping:
        with cluster.lock:
            cluster.tick()
            if (ns, name) not in cluster.pods:
                break  # the container is gone: the kubelet ends the stream
            log = cluster.pod_logs.get((ns, name), [])
            if len(log) <= sent:
                cluster.log_cond.wait(timeout=0.2)
                log = cluster.pod_logs.get((ns, name), [])
            fresh = log[sent:]
            sent = len(log)
        chunk(render(fresh))
    h.wfile.write(b"0\r\n\r\n")
    h.wfile.flush()
    h.close_connection = True


# -- deployments ----------------------------------------------------------------------------


@route("GET", "/apis/apps/v1/namespaces/(?P<ns>[^/]+)/deployments")
def list_deployments(h, q, raw, ns):
    h.authorize("list", "deployments", ns, group="apps")
    selector = q.get("labelSelector", [""])[0]
    with h.cluster.lock:
        items = [d["obj"] for (dns, _), d in h.cluster.deployments.items() if dns == ns and
                 selector_matches(selector, d["obj"]["metadata"].get("labels", {}))]
        h.send_json(200, {"kind": "DeploymentList", "apiVersion": "apps/v1",
                          "metadata": {"resourceVersion": str(h.cluster.rv)}, "items": items})


def find_deployment(h, ns, name):
    dep = h.cluster.deployments.get((ns, name))
    if dep is None:
        raise not_found("deployments", name, "apps")
    return dep


@route("GET", "/apis/apps/v1/namespaces/(?P<ns>[^/]+)/deployments/(?P<name>[^/]+)")
def get_deployment(h, q, raw, ns, name):
    h.authorize("get", "deployments", ns, name, "apps")
    with h.cluster.lock:
        h.send_json(200, find_deployment(h, ns, name)["obj"])


PATCH_TYPES = ("application/strategic-merge-patch+json", "application/merge-patch+json")


def patch_type(h):
    ct = (h.headers.get("Content-Type") or "").split(";")[0].strip()
    if ct not in PATCH_TYPES:
        raise ApiError(415, "UnsupportedMediaType",
                       '%s is unsupported patch type in this double (supported: %s)'
                       % (ct or "no content type", ", ".join(PATCH_TYPES)))
    return ct


@route("PATCH", "/apis/apps/v1/namespaces/(?P<ns>[^/]+)/deployments/(?P<name>[^/]+)")
def patch_deployment(h, q, raw, ns, name):
    h.authorize("patch", "deployments", ns, name, "apps")
    patch_type(h)
    patch = h.json_body(raw)
    cluster = h.cluster
    with cluster.lock:
        dep = find_deployment(h, ns, name)
        obj = dep["obj"]
        rv = (patch.get("metadata") or {}).get("resourceVersion")
        if rv is not None and rv != obj["metadata"]["resourceVersion"]:
            raise conflict("deployments", name, "apps")
        before = copy.deepcopy(obj)
        patched = merge_patch(obj, patch)
        for fixed in ("name", "namespace", "uid", "generation", "creationTimestamp"):
            patched["metadata"][fixed] = before["metadata"][fixed]
        patched["status"] = before["status"]
        dep["obj"] = obj = patched
        now = time.time()
        template_changed = obj["spec"].get("template") != before["spec"].get("template")
        if obj["spec"] != before["spec"]:
            obj["metadata"]["generation"] += 1
        if template_changed:
            dep["pending"] = True
            rev = int(obj["metadata"].get("annotations", {}).get("deployment.kubernetes.io/revision", "1"))
            obj["metadata"].setdefault("annotations", {})["deployment.kubernetes.io/revision"] = str(rev + 1)
        if dep["pending"] and not obj["spec"].get("paused", False):
            cluster.start_rollout(dep, now)
        elif obj["spec"] != before["spec"] and dep["rollout"] is None:
            # A paused deployment still records that it saw the new spec.
            obj["status"]["observedGeneration"] = obj["metadata"]["generation"]
        obj["metadata"]["resourceVersion"] = cluster.next_rv()
        h.send_json(200, obj)


# -- replicasets ----------------------------------------------------------------------------


@route("GET", "/apis/apps/v1/namespaces/(?P<ns>[^/]+)/replicasets")
def list_replicasets(h, q, raw, ns):
    h.authorize("list", "replicasets", ns, group="apps")
    selector = q.get("labelSelector", [""])[0]
    with h.cluster.lock:
        items = [r for (rns, _), r in h.cluster.replicasets.items() if rns == ns and
                 selector_matches(selector, r["metadata"].get("labels", {}))]
        h.send_json(200, {"kind": "ReplicaSetList", "apiVersion": "apps/v1",
                          "metadata": {"resourceVersion": str(h.cluster.rv)}, "items": items})


@route("GET", "/apis/apps/v1/namespaces/(?P<ns>[^/]+)/replicasets/(?P<name>[^/]+)")
def get_replicaset(h, q, raw, ns, name):
    h.authorize("get", "replicasets", ns, name, "apps")
    with h.cluster.lock:
        rs = h.cluster.replicasets.get((ns, name))
        if rs is None:
            raise not_found("replicasets", name, "apps")
        h.send_json(200, rs)


# -- configmaps -----------------------------------------------------------------------------


CONFIGMAP_MAX_BYTES = 1024 * 1024


def cm_check_injected_conflict(h, ns, name):
    cluster = h.cluster
    if cluster.cm_conflicts > 0:
        cluster.cm_conflicts -= 1
        cm = cluster.configmaps.get((ns, name))
        if cm is not None:  # another writer got in first
            cm["metadata"]["resourceVersion"] = cluster.next_rv()
        raise conflict("configmaps", name)


def cm_store(h, ns, obj, created=None):
    cluster = h.cluster
    meta = obj.setdefault("metadata", {})
    meta["namespace"] = ns
    meta["resourceVersion"] = cluster.next_rv()
    meta["uid"] = created["metadata"]["uid"] if created else str(uuid.uuid4())
    meta["creationTimestamp"] = created["metadata"]["creationTimestamp"] if created \
        else rfc3339(time.time())
    obj["kind"], obj["apiVersion"] = "ConfigMap", "v1"
    total = 0
    for key, value in (obj.get("data") or {}).items():
        if not isinstance(value, str):
            raise ApiError(400, "BadRequest", "ConfigMap.data[%s] must be a string" % key)
        total += len(value.encode())
    # kubernetes pkg/apis/core/validation/validation.go ValidateConfigMap (v1.30): the values of
    # data and binaryData together may hold at most core.MaxSecretSize = 1 MiB; the error names
    # the whole object (field path "").
    if total > CONFIGMAP_MAX_BYTES:
        message = "Too long: must have at most %d bytes" % CONFIGMAP_MAX_BYTES
        raise ApiError(422, "Invalid", 'ConfigMap "%s" is invalid: []: %s' % (meta.get("name"), message),
                       {"name": meta.get("name"), "kind": "ConfigMap",
                        "causes": [{"reason": "FieldValueTooLong", "message": message,
                                    "field": "[]"}]})
    cluster.configmaps[(ns, meta["name"])] = obj
    return obj


@route("GET", "/api/v1/namespaces/(?P<ns>[^/]+)/configmaps")
def list_configmaps(h, q, raw, ns):
    h.authorize("list", "configmaps", ns)
    with h.cluster.lock:
        items = [c for (cns, _), c in h.cluster.configmaps.items() if cns == ns]
        h.send_json(200, {"kind": "ConfigMapList", "apiVersion": "v1",
                          "metadata": {"resourceVersion": str(h.cluster.rv)}, "items": items})


@route("POST", "/api/v1/namespaces/(?P<ns>[^/]+)/configmaps")
def create_configmap(h, q, raw, ns):
    h.authorize("create", "configmaps", ns)
    obj = h.json_body(raw)
    meta = obj.get("metadata") or {}
    name = meta.get("name", "")
    if not name:
        raise ApiError(422, "Invalid", 'ConfigMap "" is invalid: metadata.name: Required value: '
                       "name or generateName is required",
                       {"kind": "ConfigMap", "causes": [{"reason": "FieldValueRequired",
                                                         "field": "metadata.name"}]})
    if meta.get("namespace") not in (None, "", ns):
        raise ApiError(400, "BadRequest", "the namespace of the provided object does not match "
                       "the namespace sent on the request")
    if meta.get("resourceVersion"):
        raise ApiError(500, "InternalError", "Internal error occurred: resourceVersion should not "
                       "be set on objects to be created")
    with h.cluster.lock:
        if (ns, name) in h.cluster.configmaps:
            raise ApiError(409, "AlreadyExists", 'configmaps "%s" already exists' % name,
                           {"name": name, "kind": "configmaps"})
        cm_check_injected_conflict(h, ns, name)
        h.send_json(201, cm_store(h, ns, obj))


def find_configmap(h, ns, name):
    cm = h.cluster.configmaps.get((ns, name))
    if cm is None:
        raise not_found("configmaps", name)
    return cm


@route("GET", "/api/v1/namespaces/(?P<ns>[^/]+)/configmaps/(?P<name>[^/]+)")
def get_configmap(h, q, raw, ns, name):
    h.authorize("get", "configmaps", ns, name)
    with h.cluster.lock:
        h.send_json(200, find_configmap(h, ns, name))


@route("PUT", "/api/v1/namespaces/(?P<ns>[^/]+)/configmaps/(?P<name>[^/]+)")
def replace_configmap(h, q, raw, ns, name):
    h.authorize("update", "configmaps", ns, name)
    obj = h.json_body(raw)
    meta = obj.get("metadata") or {}
    if meta.get("name") != name:
        raise ApiError(400, "BadRequest", "the name of the object (%s) does not match the name "
                       "on the URL (%s)" % (meta.get("name"), name))
    with h.cluster.lock:
        current = find_configmap(h, ns, name)
        cm_check_injected_conflict(h, ns, name)
        rv = meta.get("resourceVersion")
        if rv is None and h.cluster.require_resource_version:
            # Stricter than the real server (which allows an unconditional update of a
            # ConfigMap): our clients must always be conditional.
            raise ApiError(409, "Conflict", 'Operation cannot be fulfilled on configmaps "%s": '
                           "resourceVersion is required by this double" % name,
                           {"name": name, "kind": "configmaps"})
        if rv is not None and rv != current["metadata"]["resourceVersion"]:
            raise conflict("configmaps", name)
        h.send_json(200, cm_store(h, ns, obj, created=current))


@route("PATCH", "/api/v1/namespaces/(?P<ns>[^/]+)/configmaps/(?P<name>[^/]+)")
def patch_configmap(h, q, raw, ns, name):
    h.authorize("patch", "configmaps", ns, name)
    patch_type(h)
    patch = h.json_body(raw)
    with h.cluster.lock:
        current = find_configmap(h, ns, name)
        cm_check_injected_conflict(h, ns, name)
        rv = (patch.get("metadata") or {}).get("resourceVersion")
        if rv is not None and rv != current["metadata"]["resourceVersion"]:
            raise conflict("configmaps", name)
        patched = merge_patch(current, patch)
        patched["metadata"]["name"] = name
        h.send_json(200, cm_store(h, ns, patched, created=current))


@route("DELETE", "/api/v1/namespaces/(?P<ns>[^/]+)/configmaps/(?P<name>[^/]+)")
def delete_configmap(h, q, raw, ns, name):
    h.authorize("delete", "configmaps", ns, name)
    with h.cluster.lock:
        find_configmap(h, ns, name)
        h.cluster.configmaps.pop((ns, name))
        h.send_json(200, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                          "status": "Success", "details": {"name": name, "kind": "configmaps"}})


# ---------------------------------------------------------------------------------------------
# Server


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, tls_context, **kw):
        self.tls_context = tls_context
        self.stopping = False
        for k, v in kw.items():
            setattr(self, k, v)
        super().__init__(addr, Handler)

    def finish_request(self, request, client_address):
        # TLS handshake in the worker thread, so one slow client cannot hold up accept().
        if self.tls_context is not None:
            try:
                request = self.tls_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)


def main(argv=None):
    p = argparse.ArgumentParser(
        description="Kubernetes API double (Deployment rollout, Pods and logs, Nodes, ConfigMaps) "
                    "with a /_double/ control API for tests.")
    p.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="listen port; 0 picks a free one (default)")
    p.add_argument("--token", default="", help="require 'Authorization: Bearer TOKEN' (401 otherwise)")
    p.add_argument("--tls-cert", default="", help="serve https with this certificate (PEM)")
    p.add_argument("--tls-key", default="", help="private key of --tls-cert (PEM)")
    p.add_argument("--namespace", default="nvr", help="namespace of the Frigate deployment (nvr)")
    p.add_argument("--deployment", default="frigate", help="name of the Frigate deployment (frigate)")
    p.add_argument("--node", default="node-1", help="node the Frigate pod runs on (node-1)")
    p.add_argument("--rollout-seconds", type=float, default=3.0,
                   help="how long a simulated rollout takes (3)")
    p.add_argument("--no-sidecar", action="store_true",
                   help="Frigate pods have only the official chart's container (default: also a "
                        "codeserver sidecar)")
    args = p.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        p.error("--tls-cert and --tls-key go together")
    ctx = None
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
    server = Server((args.host, args.port), ctx, token=args.token, namespace=args.namespace,
                    deployment=args.deployment,
                    cluster=Cluster(args.namespace, args.deployment, args.node, args.rollout_seconds,
                                    sidecar=not args.no_sidecar))
    scheme = "https" if ctx else "http"
    print("kube-api-double listening on %s://%s:%d" % (scheme, args.host, server.server_address[1]),
          flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stopping = True
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
