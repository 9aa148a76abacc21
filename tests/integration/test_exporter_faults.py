"""Every Frigate simulator fault, seen through the real frigate-exporter over loopback.

Each test injects one failure the way Frigate shows it (stats body or log lines) and checks the
reason the exporter reports in frigate_unhealthy{reason}, /health (503, listed as failing) and the
related gauges; API failures must leave the exporter serving with frigate_up 0 and the right
frigate_exporter_stats_errors_total{cause}.
Run: FHC_BUILD_DIR=build/<dir> /usr/bin/python3 -m pytest -q tests/integration/test_exporter_faults.py
"""
import datetime
import json
import time
import urllib.request

import pytest

from fhc_testlib import (http_get, http_post_json, metric, metric_l, parse_metrics, process_rss_kib,
                      promtool_check_metrics, wait_until)

FAST_LOGS = {"LOG_SOURCE": "frigate-api", "LOG_POLL_SECONDS": "0.3", "STATS_MAX_AGE_SECONDS": "0"}
NO_LOGS = {"LOG_SOURCE": "none", "STATS_MAX_AGE_SECONDS": "0"}


def scrape(url):
    status, _, text = http_get(url + "/metrics")
    assert status == 200, text
    return parse_metrics(text)


def health(url):
    status, _, body = http_get(url + "/health")
    return status, json.loads(body)


def reason(url, name):
    return metric(scrape(url), "frigate_unhealthy", reason=name)


def assert_only_failing(url, *names):
    """/health is 503 and lists exactly `names`; the gauges agree."""
    status, verdict = health(url)
    assert status == 503, verdict
    assert sorted(verdict["failing"]) == sorted(names), verdict
    m = scrape(url)
    for (n, ls), v in m.items():
        if n == "frigate_unhealthy":
            assert v == (1 if dict(ls)["reason"] in names else 0), (dict(ls), v)
    assert metric(m, "frigate_healthy") == 0
    return verdict


def s6_line(when, logger, level, message):
    """A Frigate log line as s6 writes it, stamped `when` (UTC datetime)."""
    stamp = when.strftime("%Y-%m-%d %H:%M:%S") + ".%09d" % (when.microsecond * 1000)
    return "%s  [%s] %-30s %-8s: %s" % (stamp, when.strftime("%Y-%m-%d %H:%M:%S"), logger,
                                        level, message)


# -- from the stats ----------------------------------------------------------------------------


def test_slow_inference_is_inference_slow(frigate_sim, exporter):
    sim = frigate_sim(version="0.16")
    _, url = exporter(sim.url, INFERENCE_THRESHOLD_MS="100", **NO_LOGS)
    assert reason(url, "inference_slow") == 0
    sim.fault("slow_inference", ms=150)
    wait_until(lambda: reason(url, "inference_slow") == 1, what="inference_slow")
    verdict = assert_only_failing(url, "inference_slow")
    assert "150.00 ms" in verdict["reasons"]["inference_slow"]["detail"]
    assert metric_l(scrape(url), "frigate_detector_inference_speed_seconds",
                    {"name": "coral"}) == pytest.approx(0.150)
    sim.clear("slow_inference")
    wait_until(lambda: health(url)[0] == 200, what="healthy again")


def test_stuck_detector_is_detector_stuck_with_its_name(frigate_sim, exporter):
    sim = frigate_sim(version="0.14", extra=["--detectors", "coral,cpu1:cpu"])
    _, url = exporter(sim.url, **NO_LOGS)
    sim.fault("stuck_detector", detector="cpu1", age_seconds=30)
    wait_until(lambda: reason(url, "detector_stuck") == 1, what="detector_stuck")
    m = scrape(url)
    assert metric_l(m, "frigate_detector_stuck", {"name": "cpu1"}) == 1
    assert metric_l(m, "frigate_detector_stuck", {"name": "coral"}) == 0
    verdict = assert_only_failing(url, "detector_stuck")
    assert "cpu1" in verdict["reasons"]["detector_stuck"]["detail"]


def test_cameras_at_zero_fps_are_no_frames(frigate_sim, exporter):
    sim = frigate_sim(version="0.17", cameras=3)
    _, url = exporter(sim.url, **NO_LOGS)
    # One dark camera of three is that camera's problem, not Frigate's.
    sim.fault("cameras_offline", cameras=["cam2"])
    wait_until(lambda: metric(scrape(url), "frigate_camera_fps", camera_name="cam2") == 0,
               what="cam2 dark")
    assert reason(url, "no_frames") == 0
    sim.fault("cameras_offline", cameras="all")
    wait_until(lambda: reason(url, "no_frames") == 1, what="no_frames")
    assert_only_failing(url, "no_frames")


def test_high_skip_ratio_on_most_cameras_is_high_skip_ratio(frigate_sim, exporter):
    sim = frigate_sim(version="0.13", cameras=3)
    _, url = exporter(sim.url, SKIP_RATIO_THRESHOLD="0.8", **NO_LOGS)
    sim.fault("high_skip", ratio=0.5)  # below the threshold
    wait_until(lambda: (metric(scrape(url), "frigate_skipped_fps", camera_name="cam1") or 0) > 0,
               what="skipping")
    assert reason(url, "high_skip_ratio") == 0
    sim.fault("high_skip", ratio=0.9)
    wait_until(lambda: reason(url, "high_skip_ratio") == 1, what="high_skip_ratio")
    assert_only_failing(url, "high_skip_ratio")


def test_unknown_fields_percent_junk_and_null_pids_still_parse(frigate_sim, exporter):
    sim = frigate_sim(version="0.16", cameras=3)
    _, url = exporter(sim.url, **NO_LOGS)
    for fault in ("unknown_fields", "percent_junk", "camera_pid_null"):
        sim.fault(fault)
    status, _, text = http_get(url + "/metrics")
    assert status == 200
    assert promtool_check_metrics(text) == (0, "")
    m = parse_metrics(text)
    assert metric(m, "frigate_up") == 1 and metric(m, "frigate_healthy") == 1
    # The simulator puts the junk on the first pids (logger, go2rtc: not exported); the other
    # processes' figures must come through untouched.
    assert metric(m, "frigate_cpu_usage_percent", process="system") == 23.4
    assert metric(m, "frigate_mem_usage_percent", process="system") == 41.7
    for cam in ("cam1", "cam2", "cam3"):
        assert metric_l(m, "frigate_cpu_usage_percent", {"name": cam, "process": "capture"}) > 0
    for cam in ("cam1", "cam2", "cam3"):  # pid null: the camera is still reported
        assert metric(m, "frigate_camera_fps", camera_name=cam) > 0
    # gpu "" and "-%" are no value, not zero.
    assert not [k for k in m if k[0] == "frigate_gpu_usage_percent"]
    status, verdict = health(url)
    assert status == 200, verdict


# -- from the log ------------------------------------------------------------------------------


def test_stuck_detection_lines_over_the_threshold_are_detection_stuck(frigate_sim, exporter):
    sim = frigate_sim(version="0.16", extra=["--log-interval", "0"])
    _, url = exporter(sim.url, STUCK_DETECTION_THRESHOLD="2", **FAST_LOGS)
    wait_until(lambda: metric(scrape(url), "frigate_log_source_up") == 1, what="log up")
    sim.fault("stuck_lines", count=2, once=True)
    wait_until(lambda: metric(scrape(url), "frigate_stuck_detection_events") == 2, what="2 lines")
    assert reason(url, "detection_stuck") == 0  # at the threshold, not over it
    sim.log(event="stuck")
    wait_until(lambda: metric(scrape(url), "frigate_stuck_detection_events") == 3, what="3 lines")
    m = scrape(url)
    assert metric(m, "frigate_unhealthy", reason="detection_stuck") == 1
    assert metric(m, "frigate_log_events_total", event="detection_stuck") == 3
    # Every stuck detector came back with a new one: not hung.
    assert metric(m, "frigate_log_events_total", event="detector_started") == 1 + 3
    assert_only_failing(url, "detection_stuck")


def backlog_by_camera(url):
    return {dict(ls)["camera"]: v for (n, ls), v in scrape(url).items()
            if n == "frigate_recording_backlog_events"}


def test_backlog_lines_of_every_wording_count_per_camera_and_together(frigate_sim, exporter):
    # 0.17 has both wordings (frigate/record/maintainer.py v0.17.2); the 0.11 one is kept for
    # logs of old images and counts as recording_backlog wherever it appears.
    sim = frigate_sim(version="0.17", cameras=3, extra=["--log-interval", "0"])
    _, url = exporter(sim.url, BACKLOG_THRESHOLD="5", **FAST_LOGS)
    wait_until(lambda: metric(scrape(url), "frigate_log_source_up") == 1, what="log up")
    wordings = {"cam1": "unable_to_keep_up", "cam2": "too_many_unprocessed",
                "cam3": "too_many_segments"}
    for cam, wording in wordings.items():
        sim.fault("backlog_lines", camera=cam, count=3, wording=wording)
    want = {"cam1": 3, "cam2": 3, "cam3": 3}
    wait_until(lambda: backlog_by_camera(url) == want, what=f"backlog {want}")
    m = scrape(url)
    assert metric(m, "frigate_log_events_total", event="recording_backlog") == 3
    assert metric(m, "frigate_log_events_total", event="recording_backlog_unprocessed") == 3
    assert metric(m, "frigate_log_events_total", event="recording_cache_overflow") == 3
    # 6 pipeline lines (> 5) restart; 3 slow-storage lines (not > 5) do not notify yet.
    assert metric(m, "frigate_unhealthy", reason="recording_backlog") == 1
    assert metric(m, "frigate_unhealthy", reason="recording_storage_slow") == 0
    assert_only_failing(url, "recording_backlog")


@pytest.mark.parametrize("version,failing", [
    ("0.13", "recording_backlog"), ("0.14", "recording_backlog"),  # the only wording then
    ("0.16", "recording_storage_slow"), ("0.17", "recording_storage_slow")])
def test_unable_to_keep_up_is_a_backlog_before_0_15_and_slow_storage_after(
        version, failing, frigate_sim, exporter):
    sim = frigate_sim(version=version, cameras=2, extra=["--log-interval", "0"])
    _, url = exporter(sim.url, BACKLOG_THRESHOLD="5", **FAST_LOGS)
    sim.fault("backlog_lines", camera="cam1", count=6, wording="unable_to_keep_up")
    wait_until(lambda: reason(url, failing) == 1, what=failing)
    verdict = assert_only_failing(url, failing)
    assert "6 " in verdict["reasons"][failing]["detail"], verdict
    assert metric(scrape(url), "frigate_recording_backlog_events", camera="cam1") == 6


def test_backlog_repeated_every_10s_for_10_minutes_through_0_16s_collapsed_log(
        frigate_sim, exporter):
    """Issue 8 item 1: 0.16 /api/logs shows the 61 lines as the first one plus "Last message
    repeated 60 times" stamped 10 minutes ago. The fault is going on: it must fail."""
    sim = frigate_sim(version="0.16", cameras=2, extra=["--log-interval", "0",
                                                         "--start-uptime", "900"])
    msg = ("Too many unprocessed recording segments in cache for cam1. This likely indicates an "
           "issue with the detect stream, keeping the 6 most recent segments out of 7 and "
           "discarding the rest...")
    now = datetime.datetime.now(datetime.timezone.utc)
    sim.log(lines=[s6_line(now - datetime.timedelta(seconds=600 - 10 * i),
                           "frigate.record.maintainer", "WARNING", msg) for i in range(61)])
    first, marker = json.loads(http_get(sim.url + "/api/logs/frigate?start=-2")[2])["lines"]
    assert marker.endswith("  [LOGGING] Last message repeated 60 times")
    assert marker[:29] == first[:29]  # stamped with the FIRST line's time
    _, url = exporter(sim.url, BACKLOG_THRESHOLD="5", **FAST_LOGS)
    wait_until(lambda: reason(url, "recording_backlog") == 1, what="recording_backlog")
    in_window = metric(scrape(url), "frigate_recording_backlog_events", camera="cam1")
    assert 28 <= in_window <= 32, in_window  # the last 5 of the 10 minutes
    assert metric(scrape(url), "frigate_log_events_total",
                  event="recording_backlog_unprocessed") == 61
    # It goes on logging: every poll sees the marker grow, and the verdict holds.
    for i in range(1, 6):
        sim.log(lines=[s6_line(datetime.datetime.now(datetime.timezone.utc),
                               "frigate.record.maintainer", "WARNING", msg)])
        wait_until(lambda: metric(scrape(url), "frigate_log_events_total",
                                  event="recording_backlog_unprocessed") == 61 + i,
                   what=f"repeat {i}")
        assert reason(url, "recording_backlog") == 1
    assert_only_failing(url, "recording_backlog")


def test_an_old_collapsed_backlog_that_ended_is_not_counted_now(frigate_sim, exporter):
    # 0.16: 61 repeats an hour ago, then other lines: a fresh exporter must stay healthy.
    sim = frigate_sim(version="0.16", cameras=2, extra=["--log-interval", "0",
                                                         "--start-uptime", "7200"])
    msg = ("Too many unprocessed recording segments in cache for cam1. This likely indicates an "
           "issue with the detect stream, keeping the 6 most recent segments out of 7 and "
           "discarding the rest...")
    t0 = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=3600)
    lines = [s6_line(t0 + datetime.timedelta(seconds=10 * i), "frigate.record.maintainer",
                     "WARNING", msg) for i in range(61)]
    lines.append(s6_line(t0 + datetime.timedelta(seconds=615), "frigate.app", "INFO",
                         "Camera processor started for cam1: 4711"))
    sim.log(lines=lines)
    _, url = exporter(sim.url, BACKLOG_THRESHOLD="5", **FAST_LOGS)
    wait_until(lambda: metric(scrape(url), "frigate_log_events_total",
                              event="recording_backlog_unprocessed") == 61, what="counted")
    assert metric(scrape(url), "frigate_recording_backlog_events", camera="cam1") == 0
    assert health(url)[0] == 200


def test_backlog_at_the_threshold_is_not_unhealthy(frigate_sim, exporter):
    sim = frigate_sim(version="0.16", cameras=2, extra=["--log-interval", "0"])
    _, url = exporter(sim.url, BACKLOG_THRESHOLD="5", **FAST_LOGS)
    sim.fault("backlog_lines", camera="cam1", count=3)
    sim.fault("backlog_lines", camera="cam2", count=2, wording="too_many_unprocessed")
    wait_until(lambda: metric(scrape(url), "frigate_recording_backlog_events",
                              camera="cam2") == 2, what="backlog counted")
    assert metric(scrape(url), "frigate_recording_backlog_events", camera="cam1") == 3
    assert reason(url, "recording_backlog") == 0
    assert health(url)[0] == 200


def test_force_kill_without_a_new_detector_is_detector_hung(frigate_sim, exporter):
    # The watchdog's force-kill must be older than the exporter's 60 s grace before it is judged
    # hung, so the lines are written stamped two minutes ago, after a boot ten minutes ago.
    sim = frigate_sim(version="0.13", extra=["--log-interval", "0", "--start-uptime", "600"])
    ago = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=120)
    lines = [s6_line(ago, "frigate.watchdog", "INFO",
                     "Detection appears to be stuck. Restarting detection process..."),
             s6_line(ago, "root", "INFO", "Waiting for detection process to exit gracefully..."),
             s6_line(ago + datetime.timedelta(seconds=30), "root", "INFO",
                     "Detection process didnt exit. Force killing...")]
    sim.log(lines=lines)
    _, url = exporter(sim.url, **FAST_LOGS)
    wait_until(lambda: reason(url, "detector_hung") == 1, what="detector_hung")
    m = scrape(url)
    assert metric(m, "frigate_log_events_total", event="detector_force_kill") == 1
    assert_only_failing(url, "detector_hung")
    # A new detector starting clears it.
    sim.log(lines=[{"logger": "detector.coral", "message": "Starting detection process: 4242"}])
    wait_until(lambda: reason(url, "detector_hung") == 0, what="detector back")
    assert health(url)[0] == 200


def test_a_fresh_force_kill_is_not_hung_within_the_grace(frigate_sim, exporter):
    sim = frigate_sim(version="0.16", extra=["--log-interval", "0"])
    _, url = exporter(sim.url, **FAST_LOGS)
    sim.fault("force_kill_no_new_detector")
    wait_until(lambda: metric(scrape(url), "frigate_log_events_total",
                              event="detector_force_kill") == 1, what="force kill read")
    assert reason(url, "detector_hung") == 0


def test_edgetpu_missing_is_reported(frigate_sim, exporter):
    sim = frigate_sim(version="0.14", extra=["--log-interval", "0"])
    _, url = exporter(sim.url, **FAST_LOGS)
    sim.fault("edgetpu_missing")
    wait_until(lambda: reason(url, "edgetpu_missing") == 1, what="edgetpu_missing")
    m = scrape(url)
    assert metric(m, "frigate_log_events_total", event="edgetpu_missing") == 1
    status, verdict = health(url)
    assert status == 503 and "edgetpu_missing" in verdict["failing"]


def test_wrong_edgetpu_model_is_its_own_notify_only_reason(frigate_sim, exporter):
    # 0.16+ frigate/detectors/plugins/edgetpu_tfl.py: same crash as a missing Coral, other cause.
    sim = frigate_sim(version="0.16", extra=["--log-interval", "0"])
    _, url = exporter(sim.url, **FAST_LOGS)
    sim.fault("edgetpu_missing", wrong_model=True)
    wait_until(lambda: reason(url, "edgetpu_wrong_model") == 1, what="edgetpu_wrong_model")
    m = scrape(url)
    assert metric(m, "frigate_log_events_total", event="edgetpu_wrong_model") == 1
    assert metric(m, "frigate_log_events_total", event="edgetpu_missing") == 0
    assert reason(url, "edgetpu_missing") == 0
    status, verdict = health(url)
    assert status == 503 and "edgetpu_wrong_model" in verdict["failing"]


# -- the API failing -----------------------------------------------------------------------------

API_FAULTS = [
    ("api_down", {}, "connection"),
    ("api_500", {}, "http_status"),
    ("api_502", {}, "http_status"),
    ("html_instead_of_json", {}, "invalid_body"),
    ("truncated_json", {}, "invalid_body"),
    ("truncated_json", {"mode": "connection"}, None),  # a cut connection: any transport cause
]


def test_api_failures_give_frigate_up_0_with_their_cause_and_the_exporter_keeps_serving(
        frigate_sim, exporter):
    sim = frigate_sim(version="0.16", cameras=2)
    _, url = exporter(sim.url, API_TIMEOUT_SECONDS="3", **NO_LOGS)
    assert metric(scrape(url), "frigate_up") == 1
    for fault, params, cause in API_FAULTS:
        before = scrape(url)
        errors_before = {dict(ls)["cause"]: v for (n, ls), v in before.items()
                         if n == "frigate_exporter_stats_errors_total"}
        sim.fault(fault, **params)
        m = scrape(url)
        assert metric(m, "frigate_up") == 0, fault
        assert metric(m, "frigate_unhealthy", reason="api_unresponsive") == 1, fault
        errors = {dict(ls)["cause"]: v for (n, ls), v in m.items()
                  if n == "frigate_exporter_stats_errors_total"}
        grown = {c for c in errors if errors[c] > errors_before.get(c, 0)}
        if cause:
            assert grown == {cause}, (fault, errors_before, errors)
        else:
            assert len(grown) == 1 and grown <= {"connection", "invalid_body"}, (fault, errors)
        status, verdict = health(url)
        assert status == 503 and verdict["failing"] == ["api_unresponsive"], (fault, verdict)
        assert verdict["frigate"]["stats_usable"] is False and verdict["frigate"]["error"]
        assert http_get(url + "/healthz")[0] == 200
        sim.clear(fault)
        wait_until(lambda: metric(scrape(url), "frigate_up") == 1, what=f"up after {fault}")
    assert health(url)[0] == 200


def test_a_slow_api_never_holds_a_scrape_past_the_timeout(frigate_sim, exporter):
    sim = frigate_sim(version="0.16")
    _, url = exporter(sim.url, API_TIMEOUT_SECONDS="1", **NO_LOGS)
    sim.fault("api_slow", seconds=4, paths=["/api/stats"])
    t0 = time.monotonic()
    status, _, text = http_get(url + "/metrics")
    took = time.monotonic() - t0
    assert status == 200
    assert took < 1.5, f"scrape took {took:.2f} s with API_TIMEOUT_SECONDS=1"
    m = parse_metrics(text)
    assert metric(m, "frigate_up") == 0
    assert metric(m, "frigate_exporter_stats_errors_total", cause="timeout") == 1
    t0 = time.monotonic()
    status, verdict = health(url)
    assert time.monotonic() - t0 < 1.5 and status == 503
    assert verdict["failing"] == ["api_unresponsive"]


def test_a_50_mb_stats_body_is_capped_and_memory_stays_small(frigate_sim, exporter):
    sim = frigate_sim(version="0.16")
    proc, url = exporter(sim.url, **NO_LOGS)
    assert metric(scrape(url), "frigate_up") == 1
    before = process_rss_kib(proc.p.pid)  # 256 idle HTTP workers included
    sim.fault("huge_body", mb=50)
    status, _, text = http_get(url + "/metrics", timeout=30)
    assert status == 200
    m = parse_metrics(text)
    assert metric(m, "frigate_up") == 0
    assert metric(m, "frigate_exporter_stats_errors_total", cause="too_large") == 1
    rss = process_rss_kib(proc.p.pid)
    # Neither the 50 MB nor the 8 MiB cap is ever held: the Content-Length is refused up front.
    assert rss["VmHWM"] < before["VmRSS"] + 4 * 1024, (before, rss)
    assert rss["VmRSS"] < before["VmRSS"] + 4 * 1024, (before, rss)
    sim.clear("huge_body")
    wait_until(lambda: metric(scrape(url), "frigate_up") == 1, what="up again")


def test_a_frigate_restart_shows_as_down_then_up_with_a_fresh_uptime(frigate_sim, exporter):
    sim = frigate_sim(version="0.16", extra=["--start-uptime", "5000", "--restart-downtime",
                                             "1.5"])
    _, url = exporter(sim.url, API_TIMEOUT_SECONDS="2", **NO_LOGS)
    m = scrape(url)
    assert metric(m, "frigate_up") == 1
    assert metric(m, "frigate_service_uptime_seconds") >= 5000
    status, body = http_post_json(sim.url + "/api/restart", {})
    assert status == 200, body
    wait_until(lambda: metric(scrape(url), "frigate_up") == 0, what="down", timeout=5)
    assert metric(scrape(url), "frigate_exporter_stats_errors_total", cause="connection") >= 1
    wait_until(lambda: metric(scrape(url), "frigate_up") == 1, what="up again", timeout=10)
    m = scrape(url)
    assert metric(m, "frigate_service_uptime_seconds") < 30
    assert metric(m, "frigate_healthy") == 1
    assert sim.state()["restart_count"] == 1
