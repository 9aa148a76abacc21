"""Shared paths and helpers for the stack tests (alerts, dashboard, chart, image).

Not named conftest.py: tests/conftest.py already owns that module name on sys.path.
"""
import os
import pathlib
import shutil
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
RULES = REPO / "alerts" / "frigate-health.rules.yml"
DASHBOARD = REPO / "grafana" / "frigate-health-dashboard.json"
CHART = REPO / "charts" / "frigate-health"
HELM = REPO / "tools" / "helm" / "helm"
# The build the lead's scripts/test.sh points at (FHC_BUILD_DIR), else build/default.
BUILD = pathlib.Path(os.environ.get("FHC_BUILD_DIR", REPO / "build" / "default"))
EXPORTER = BUILD / "exporter" / "frigate-exporter"
REMEDIATOR = BUILD / "remediator" / "frigate-remediator"
NODE_MODULES = REPO / "tools" / "node_modules"

# Alert name -> reason of frigate_unhealthy it reports; restartable reasons per the design.
REASON_ALERTS = {
    "api_unresponsive": "FrigateApiUnresponsive",
    "stats_stale": "FrigateStatsStale",
    "inference_slow": "FrigateInferenceSlow",
    "detector_stuck": "FrigateDetectorStuck",
    "detection_stuck": "FrigateDetectionStuck",
    "detector_hung": "FrigateDetectorHung",
    "edgetpu_missing": "FrigateEdgeTpuMissing",
    "recording_backlog": "FrigateRecordingBacklog",
    "no_frames": "FrigateNoFrames",
    "high_skip_ratio": "FrigateHighSkipRatio",
    "edgetpu_wrong_model": "FrigateEdgeTpuWrongModel",
    "recording_storage_slow": "FrigateRecordingStorageSlow",
}
RESTARTABLE = {"api_unresponsive", "inference_slow", "detector_stuck", "detection_stuck",
               "detector_hung", "recording_backlog"}
# Reasons whose alert says a person must act (remediate: manual): restarts are held meanwhile.
MANUAL = {"edgetpu_missing", "edgetpu_wrong_model", "recording_storage_slow"}


def require_tool(path_or_name: str, hint: str) -> str:
    """Returns the tool's path or fails the test with a message saying how to get it."""
    found = shutil.which(path_or_name) if "/" not in str(path_or_name) else (
        str(path_or_name) if pathlib.Path(path_or_name).exists() else None)
    if not found:
        pytest.fail(f"{path_or_name} not found: {hint}")
    return found


def run(cmd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=120, **kw)


# The prometheus-operator APIs of a kube-prometheus-stack cluster: the chart renders its
# ServiceMonitors, PrometheusRule and AlertmanagerConfig only where the cluster serves them.
OPERATOR_APIS = ["monitoring.coreos.com/v1/ServiceMonitor", "monitoring.coreos.com/v1/PrometheusRule",
                 "monitoring.coreos.com/v1alpha1/AlertmanagerConfig"]


def helm_template(sets=(), namespace="nvr") -> list:
    """The chart's objects as `helm template` renders them for a cluster with the operator."""
    import yaml
    helm = require_tool(str(HELM), "run scripts/install-deps.sh (installs Helm into tools/)")
    args = [helm, "template", "fh", CHART, "--namespace", namespace]
    for api in OPERATOR_APIS:
        args += ["--api-versions", api]
    for s in sets:
        args += ["--set", s]
    result = run(args)
    assert result.returncode == 0, result.stderr
    return [d for d in yaml.safe_load_all(result.stdout) if d]
