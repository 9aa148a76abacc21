"""frigate-exporter following Frigate's log from each source, with exact counts.

Proves that frigate_log_events_total counts every known line exactly once:
  * LOG_SOURCE=frigate-api across repeated polls (the tail overlaps), across api_down/up cycles,
    when more lines than the tail holds arrive while Frigate is away (0.16, tail queries) and with
    the whole file re-sent on every poll (0.13); also after the simulator's log rotation.
  * LOG_SOURCE=file on the simulator's --log-file through truncation in place (fault
    log_rotation, --log-rotate-bytes) and a rename rotation (logrotate's create mode).
  * LOG_SOURCE=kubernetes against the Kubernetes API double: pod found by label, streamed log,
    frigate_log_source_up 1; API server stopped -> 0; back on the same port -> reconnect (with
    backoff) and the re-sent overlap is not counted again.
Run: FHC_BUILD_DIR=build/<dir> /usr/bin/python3 -m pytest -q tests/integration/test_exporter_logs.py
"""
import datetime
import json
import os
import time

import pytest

from fhc_testlib import KUBE_DOUBLE, PY, free_port, http_get, http_post_json, metric, parse_metrics, \
    wait_until


def scrape(url):
    status, _, text = http_get(url + "/metrics")
    assert status == 200, text
    return parse_metrics(text)


def events(url):
    """{event: count} of frigate_log_events_total, zeros left out."""
    return {dict(ls)["event"]: v for (n, ls), v in scrape(url).items()
            if n == "frigate_log_events_total" and v}


def source_up(url):
    return metric(scrape(url), "frigate_log_source_up")


def expect_events(url, want, timeout=10, settle=1.0):
    """Waits until the counts in `want` are reached, then checks they stay exact (no late
    duplicates) for `settle` seconds of further polls."""
    def reached():
        got = events(url)
        return all(got.get(k, 0) >= v for k, v in want.items()) and got

    wait_until(reached, timeout=timeout, what=f"events {want}")
    time.sleep(settle)
    got = events(url)
    assert {k: got.get(k, 0) for k in want} == want, got
    return got


def s6_line(when, logger, level, message):
    stamp = when.strftime("%Y-%m-%d %H:%M:%S") + ".%09d" % (when.microsecond * 1000)
    return "%s  [%s] %-30s %-8s: %s" % (stamp, when.strftime("%Y-%m-%d %H:%M:%S"), logger,
                                        level, message)


BACKLOG_MSG = ("Unable to keep up with recording segments in cache for {cam}. Keeping the 6 most "
               "recent segments out of 9 and discarding the rest...")
STUCK_MSG = "Detection appears to be stuck. Restarting detection process..."


# -- LOG_SOURCE=frigate-api ---------------------------------------------------------------------


@pytest.mark.parametrize("version", ["0.13", "0.16"])
def test_api_log_counts_stay_exact_across_polls_and_api_down_up_cycles(
        version, frigate_sim, exporter):
    sim = frigate_sim(version=version, cameras=2, extra=["--log-interval", "0"])
    _, url = exporter(sim.url, LOG_SOURCE="frigate-api", LOG_POLL_SECONDS="0.2",
                      STATS_MAX_AGE_SECONDS="0")
    base = expect_events(url, {"frigate_starting": 1, "detector_started": 1}, settle=0.5)
    assert base.get("recording_backlog", 0) == 0

    sim.log(event="backlog", camera="cam1", count=3)  # 0.16 collapses these into a repeat marker
    sim.log(event="no_frames", camera="cam2")
    want = {"recording_backlog": 3, "no_frames": 1, "ffmpeg_read_failed": 1,
            "frigate_starting": 1, "detector_started": 1}
    expect_events(url, want)

    for cycle in range(2):
        sim.fault("api_down")
        wait_until(lambda: source_up(url) == 0, what="log source down")
        # Written while the exporter cannot reach Frigate: must arrive once it is back.
        sim.log(event="backlog", camera="cam2", count=2)
        sim.log(event="stuck")
        sim.clear("api_down")
        want["recording_backlog"] += 2
        want["detection_stuck"] = want.get("detection_stuck", 0) + 1
        want["detector_exited"] = want.get("detector_exited", 0) + 1
        want["detector_started"] += 1
        wait_until(lambda: source_up(url) == 1, what="log source up", timeout=15)
        expect_events(url, want, timeout=15)


def test_api_log_gap_longer_than_the_tail_is_read_in_full(frigate_sim, exporter):
    sim = frigate_sim(version="0.16", cameras=1, extra=["--log-interval", "0"])
    _, url = exporter(sim.url, LOG_SOURCE="frigate-api", LOG_POLL_SECONDS="0.2")
    expect_events(url, {"frigate_starting": 1}, settle=0.3)
    sim.fault("api_down")
    wait_until(lambda: source_up(url) == 0, what="log source down")
    # 800 distinct lines (the tail is 500) with an event early on that only a full read reaches.
    sim.log(lines=["filler line %d" % i for i in range(100)])
    sim.log(event="backlog", camera="cam1")
    sim.log(lines=["filler line %d" % i for i in range(100, 800)])
    sim.log(event="exceeded_fps", camera="cam1")
    sim.clear("api_down")
    expect_events(url, {"recording_backlog": 1, "fps_limit_exceeded": 1, "frigate_starting": 1},
                  timeout=15)


def test_api_log_rotation_neither_doubles_nor_loses_counts(frigate_sim, exporter):
    sim = frigate_sim(version="0.14", cameras=2, extra=["--log-interval", "0"])
    _, url = exporter(sim.url, LOG_SOURCE="frigate-api", LOG_POLL_SECONDS="0.2")
    sim.log(event="backlog", camera="cam1", count=2)
    expect_events(url, {"recording_backlog": 2, "frigate_starting": 1}, settle=0.3)
    sim.fault("log_rotation")  # s6 rotates with no archive: the old lines are gone
    sim.log(event="backlog", camera="cam2")
    sim.log(event="record_stalled", camera="cam2")
    expect_events(url, {"recording_backlog": 3, "no_recording_segments": 1,
                        "frigate_starting": 1})
    assert metric(scrape(url), "frigate_recording_backlog_events", camera="cam1") == 2
    assert metric(scrape(url), "frigate_recording_backlog_events", camera="cam2") == 1


# -- LOG_SOURCE=file ----------------------------------------------------------------------------


def test_file_log_through_truncation_and_rename_rotation(frigate_sim, exporter, tmp_path):
    log_file = tmp_path / "logs" / "frigate" / "current"
    sim = frigate_sim(version="0.16", cameras=2,
                      extra=["--log-interval", "0", "--log-file", str(log_file)])
    _, url = exporter(sim.url, LOG_SOURCE="file", LOG_FILE=str(log_file),
                      STATS_MAX_AGE_SECONDS="0")
    want = {"frigate_starting": 1, "detector_started": 1, "edgetpu_found": 1}
    expect_events(url, want, settle=0.3)
    assert source_up(url) == 1

    sim.log(event="stuck", count=2)
    want.update(detection_stuck=2, detector_exited=2, detector_started=3, edgetpu_found=3)
    expect_events(url, want)

    sim.fault("log_rotation")  # truncated in place
    sim.log(event="backlog", camera="cam1")
    want["recording_backlog"] = 1
    expect_events(url, want)

    # logrotate "create": the file is renamed, the writer starts a new one at the same path.
    os.rename(log_file, str(log_file) + ".1")
    sim.log(event="backlog", camera="cam2", count=2)
    sim.log(event="ffmpeg_crash", camera="cam1")
    want.update(recording_backlog=3, ffmpeg_crashed=1)
    expect_events(url, want, timeout=15)
    assert source_up(url) == 1


def test_file_log_with_size_rotation_counts_every_event_once(frigate_sim, exporter, tmp_path):
    # The simulator truncates its file in place before a line that would pass the size. Lines
    # written after the last read and before a truncation are gone for any reader, so each
    # event here is one line (the truncation comes before it) and is read before the next.
    log_file = tmp_path / "current"
    sim = frigate_sim(version="0.14", cameras=1,
                      extra=["--log-interval", "0", "--log-file", str(log_file),
                             "--log-rotate-bytes", "1600"])
    _, url = exporter(sim.url, LOG_SOURCE="file", LOG_FILE=str(log_file))
    expect_events(url, {"frigate_starting": 1}, settle=0.2)
    rotations_seen = 0
    last_size = os.path.getsize(log_file)
    for i in range(1, 9):
        sim.log(lines=[{"logger": "frigate.watchdog", "message": STUCK_MSG}])
        sim.log(lines=["filler %d %s" % (i, "x" * 120)])
        size = os.path.getsize(log_file)
        rotations_seen += size < last_size
        last_size = size
        expect_events(url, {"detection_stuck": i, "frigate_starting": 1}, settle=0.6)
    assert rotations_seen >= 2


def test_file_log_missing_file_is_source_down_until_it_appears(exporter, tmp_path):
    log_file = tmp_path / "later" / "current"
    _, url = exporter("http://127.0.0.1:9", LOG_SOURCE="file", LOG_FILE=str(log_file),
                      API_TIMEOUT_SECONDS="1")
    assert source_up(url) == 0
    log_file.parent.mkdir()
    now = datetime.datetime.now(datetime.timezone.utc)
    log_file.write_text(s6_line(now, "frigate.watchdog", "INFO", STUCK_MSG) + "\n")
    wait_until(lambda: source_up(url) == 1, what="source up", timeout=10)
    expect_events(url, {"detection_stuck": 1})


# -- LOG_SOURCE=kubernetes ----------------------------------------------------------------------

SEEDED_DOUBLE = ("import random, runpy, sys; random.seed(1711); sys.argv = sys.argv[1:]; "
                 "runpy.run_path(sys.argv[0], run_name='__main__')")


def start_seeded_double(procs, port):
    """The API double with a fixed random seed, so a restarted double names the Frigate pod
    as before (the same pod seen again by a reconnecting client)."""
    # The double's default pod holds a codeserver sidecar beside Frigate, so the API server
    # refuses a log request without a container (400): the exporter must name Frigate's.
    p = procs.start([PY, "-c", SEEDED_DOUBLE, KUBE_DOUBLE, "--port", str(port)],
                    name="kube-api-double")
    p.wait_for(r"kube-api-double listening on http://")
    return p


def append_pod_log(kube_url, lines):
    status, body = http_post_json(kube_url + "/_double/pod-log",
                                  {"namespace": "nvr", "lines": lines})
    assert status == 200, body
    return json.loads(body)["pod"]


def test_kubernetes_pod_log_is_followed_and_a_reconnect_counts_nothing_twice(procs, exporter):
    port = free_port()
    kube_url = f"http://127.0.0.1:{port}"
    double = start_seeded_double(procs, port)
    _, url = exporter("http://127.0.0.1:9", LOG_SOURCE="kubernetes", KUBE_API_URL=kube_url,
                      NAMESPACE="nvr",
                      POD_LABEL_SELECTOR="app.kubernetes.io/name=frigate,"
                                         "app.kubernetes.io/instance=frigate",
                      API_TIMEOUT_SECONDS="2")
    wait_until(lambda: source_up(url) == 1, what="pod log followed", timeout=10)

    t0 = datetime.datetime.now(datetime.timezone.utc)
    first = [s6_line(t0, "frigate.record.maintainer", "WARNING", BACKLOG_MSG.format(cam="front")),
             s6_line(t0 + datetime.timedelta(milliseconds=5), "frigate.record.maintainer",
                     "WARNING", BACKLOG_MSG.format(cam="garage")),
             s6_line(t0 + datetime.timedelta(milliseconds=9), "frigate.watchdog", "INFO",
                     STUCK_MSG)]
    pod = append_pod_log(kube_url, first)
    expect_events(url, {"recording_backlog": 2, "detection_stuck": 1})
    assert metric(scrape(url), "frigate_recording_backlog_events", camera="garage") == 1

    double.stop()
    wait_until(lambda: source_up(url) == 0, what="log source down", timeout=10)
    assert metric(scrape(url), "frigate_log_events_total", event="recording_backlog") == 2
    time.sleep(1.5)  # away long enough for the backoff to grow

    double = start_seeded_double(procs, port)
    # The API server still has the pod's log: the reconnect's sinceSeconds re-sends these lines.
    t1 = datetime.datetime.now(datetime.timezone.utc)
    second = [s6_line(t1, "frigate.record.maintainer", "WARNING",
                      BACKLOG_MSG.format(cam="front"))]
    assert append_pod_log(kube_url, first + second) == pod
    wait_until(lambda: source_up(url) == 1, what="reconnected", timeout=20)
    expect_events(url, {"recording_backlog": 3, "detection_stuck": 1}, settle=1.5)
    m = scrape(url)
    assert metric(m, "frigate_recording_backlog_events", camera="front") == 2
    assert metric(m, "frigate_stuck_detection_events") == 1
