"""frigate-exporter against the Frigate simulator of each supported version, over loopback.

Proves, per Frigate 0.12 / 0.13.0-beta2 / 0.13 / 0.14 / 0.16 / 0.17 / 0.18 body shape: /metrics is
served, the real `promtool check metrics` accepts the real output with no finding, a healthy Frigate is judged
healthy (metrics and /health), and storage comes out in true bytes whatever unit the version
reports (MB up to 0.12, MiB after). Also: TARGET_LABELS=true puts frigate_namespace/frigate_deployment on every
frigate_* series and the output stays lint-clean.
Run: FHC_BUILD_DIR=build/<dir> /usr/bin/python3 -m pytest -q tests/integration/test_exporter_versions.py
"""
import json

import pytest

from fhc_testlib import http_get, metric, metric_l, parse_metrics, promtool_check_metrics, wait_until

VERSIONS = ["0.12", "0.13.0-beta2", "0.13", "0.14", "0.16", "0.17", "0.18"]
# What service.version starts with (0.13.0-beta2 reports "0.13.0-<hash>").
VERSION_PREFIX = {"0.13.0-beta2": "0.13.0-"}
# What the simulator's disks really hold, in bytes, and the unit each version reports them in.
RECORDINGS_TOTAL_BYTES = 1_000_203_091_968
RECORDINGS_USED_BYTES = 412_345_678_848
UNIT_BYTES = {"0.12": 1e6, "0.13.0-beta2": 2**20, "0.13": 2**20, "0.14": 2**20, "0.16": 2**20,
              "0.17": 2**20, "0.18": 2**20}


def scrape(url):
    status, headers, text = http_get(url + "/metrics")
    assert status == 200, text
    return headers, text


@pytest.mark.parametrize("version", VERSIONS)
def test_each_version_is_served_lint_clean_healthy_with_storage_in_bytes(
        version, frigate_sim, exporter):
    sim = frigate_sim(version=version, cameras=3)
    _, url = exporter(sim.url, LOG_SOURCE="frigate-api", LOG_POLL_SECONDS="0.5",
                      STATS_MAX_AGE_SECONDS="0")
    wait_until(lambda: metric(scrape(url)[1], "frigate_log_source_up") == 1,
               what="log source up", timeout=10)
    headers, text = scrape(url)
    assert headers.get("Content-Type", "").startswith("text/plain; version=0.0.4")

    code, findings = promtool_check_metrics(text)
    assert (code, findings) == (0, ""), f"promtool on {version} output:\n{findings}"

    m = parse_metrics(text)
    assert metric(m, "frigate_up") == 1
    assert metric(m, "frigate_healthy") == 1
    reasons = {dict(ls)["reason"]: v for (n, ls), v in m.items() if n == "frigate_unhealthy"}
    assert len(reasons) == 12 and set(reasons.values()) == {0.0}, reasons
    for cam in ("cam1", "cam2", "cam3"):
        assert metric(m, "frigate_camera_fps", camera_name=cam) > 0
        assert metric(m, "frigate_detection_enabled", camera_name=cam) == 1
    assert 0 < metric_l(m, "frigate_detector_inference_speed_seconds", {"name": "coral"}) < 0.1
    assert metric(m, "frigate_service_info")  # one series with the version labels
    prefix = VERSION_PREFIX.get(version, version)
    assert any(n == "frigate_service_info" and dict(ls)["version"].startswith(prefix)
               for (n, ls), _ in m.items())

    # Storage in true bytes: the simulator rounds to 0.1 of the version's unit.
    unit = UNIT_BYTES[version]
    total = metric(m, "frigate_storage_total_bytes", storage="/media/frigate/recordings")
    used = metric(m, "frigate_storage_used_bytes", storage="/media/frigate/recordings")
    assert abs(total - RECORDINGS_TOTAL_BYTES) <= 0.05 * unit + 1, (version, total)
    assert abs(used - RECORDINGS_USED_BYTES) <= 0.05 * unit + 1, (version, used)
    assert total == pytest.approx(round(RECORDINGS_TOTAL_BYTES / unit, 1) * unit, abs=1)

    status, _, body = http_get(url + "/health")
    verdict = json.loads(body)
    assert status == 200, body
    assert verdict["status"] == "healthy" and verdict["failing"] == []
    assert verdict["frigate"]["version"].startswith(prefix)
    assert verdict["log_source"] == {"type": "frigate-api", "up": True, "window_minutes": 5}


def test_process_series_and_0_18_gpu_families_as_frigates_own_metrics_name_them(
        frigate_sim, exporter):
    # Frigate's /api/metrics (frigate/stats/prometheus.py, v0.16.4 to v0.18.0-beta1): every pid,
    # unclaimed ones as type="Other" named by their command line, a detector's pid also as
    # type="detectors", `processes` entries as type=<name>; 0.18's GPU encoder/decoder/compute.
    sim = frigate_sim(version="0.18", cameras=2, extra=["--gpus", "intel,nvidia"])
    _, url = exporter(sim.url, LOG_SOURCE="none", STATS_MAX_AGE_SECONDS="0")
    _, text = scrape(url)
    assert promtool_check_metrics(text) == (0, "")
    m = parse_metrics(text)
    by_type = {}
    for (n, ls), _ in m.items():
        if n == "frigate_cpu_usage_percent":
            labels = dict(ls)
            by_type.setdefault(labels["type"], set()).add(labels["name"])
    assert {"python3 -u -m frigate", "nginx: master process nginx", "s6-supervise frigate",
            "/package/admin/s6/command/s6-svscan -d4 -- /run/service"} <= by_type["Other"]
    assert by_type["Detector"] == {"coral"} and by_type["detectors"] == {"coral"}
    assert by_type["go2rtc"] == {"go2rtc"} and by_type["recording"] == {"recording"}
    assert by_type["Camera"] == {"cam1", "cam2"}
    assert "cmdline" not in text
    nvidia, intel = "NVIDIA GeForce RTX 3060", "Core i5-12500 iGPU"
    assert metric(m, "frigate_gpu_encoder_usage_percent", gpu_name=nvidia) == 12.0
    assert metric(m, "frigate_gpu_decoder_usage_percent", gpu_name=nvidia) == 27.0
    assert metric(m, "frigate_gpu_compute_usage_percent", gpu_name=intel) == 4.25
    assert metric(m, "frigate_gpu_decoder_usage_percent", gpu_name=intel) == 8.25
    assert metric(m, "frigate_gpu_usage_percent", gpu_name=intel) == 12.5


def test_cmdline_label_is_opt_in_and_on_every_process_series(frigate_sim, exporter):
    sim = frigate_sim(version="0.16", cameras=1)
    _, url = exporter(sim.url, LOG_SOURCE="none", CMDLINE_LABEL="true")
    _, text = scrape(url)
    assert promtool_check_metrics(text) == (0, "")
    series = [dict(ls) for (n, ls), _ in parse_metrics(text).items()
              if n in ("frigate_cpu_usage_percent", "frigate_mem_usage_percent")]
    assert series and all("cmdline" in s for s in series)
    assert {"type": "detectors", "cmdline": "frigate.detector.coral"}.items() <= next(
        s for s in series if s["type"] == "detectors").items()
    # The detect stream's URL as Frigate masks it (clean_camera_user_pass).
    assert any("rtsp://*:*@" in s["cmdline"] for s in series if s["type"] == "Camera")


def test_target_labels_put_frigate_namespace_and_deployment_on_every_frigate_series(
        frigate_sim, exporter):
    sim = frigate_sim(version="0.16", cameras=2)
    _, url = exporter(sim.url, LOG_SOURCE="frigate-api", LOG_POLL_SECONDS="0.5",
                      TARGET_LABELS="true", NAMESPACE="nvr", DEPLOYMENT_NAME="frigate-main")
    wait_until(lambda: metric(scrape(url)[1], "frigate_log_source_up",
                              frigate_namespace="nvr") == 1, what="log source up", timeout=10)
    _, text = scrape(url)
    code, findings = promtool_check_metrics(text)
    assert (code, findings) == (0, ""), findings
    m = parse_metrics(text)
    frigate_series = [(n, dict(ls)) for (n, ls), _ in m.items() if n.startswith("frigate_")]
    assert len(frigate_series) > 40
    for name, labels in frigate_series:
        assert labels.get("frigate_namespace") == "nvr", name
        assert labels.get("frigate_deployment") == "frigate-main", name
        # Labels a scrape adds (namespace, pod, service, job, instance) stay the scrape's.
        assert not {"namespace", "deployment", "pod", "service", "job", "instance"} & set(labels), name
    # The exporter's own process metrics are not about the target.
    process = [dict(ls) for (n, ls), _ in m.items() if n.startswith("process_")]
    assert process and all("frigate_namespace" not in ls for ls in process)
    assert metric(m, "frigate_unhealthy", reason="inference_slow", frigate_namespace="nvr",
                  frigate_deployment="frigate-main") == 0


def test_without_target_labels_no_namespace_label_appears(frigate_sim, exporter):
    sim = frigate_sim(version="0.14", cameras=1)
    _, url = exporter(sim.url, LOG_SOURCE="none")
    _, text = scrape(url)
    assert 'namespace="' not in text and 'deployment="' not in text  # frigate_* ones neither
