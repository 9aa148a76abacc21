"""Self-tests of the Frigate simulator: each runs the real program as a subprocess.

Run: /usr/bin/python3 -m pytest -q tests/doubles/test_frigate_sim.py
"""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

SIM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "frigate_sim.py")
S6_PREFIX = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9}  "
PY_LINE = re.compile(S6_PREFIX + r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] (.{30,}) (\S+) *: (.*)$")


class Sim:
    def __init__(self, *args):
        self.proc = subprocess.Popen([sys.executable, SIM, *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        first = self.proc.stdout.readline()
        second = self.proc.stdout.readline()
        m = re.fullmatch(r"frigate-sim listening on http://127\.0\.0\.1:(\d+) version (\S+)\n",
                         first)
        assert m, (first, self.proc.stderr.read() if self.proc.poll() is not None else "")
        self.port = int(m.group(1))
        self.version = m.group(2)
        m2 = re.fullmatch(r"frigate-sim control on http://127\.0\.0\.1:(\d+)\n", second)
        assert m2, second
        self.control_port = int(m2.group(1))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    # -- API ----------------------------------------------------------------
    def request(self, method, path, headers=None, body=None, port=None, timeout=10):
        conn = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, resp.getheader("Content-Type"), resp.read()
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def json(self, path, **kw):
        status, ctype, body = self.get(path, **kw)
        assert status == 200, (status, body[:300])
        assert ctype == "application/json", ctype
        return json.loads(body)

    def stats(self):
        return self.json("/api/stats")

    # -- control ------------------------------------------------------------
    def control(self, path, obj=None):
        data = None if obj is None else json.dumps(obj).encode()
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.control_port, path),
                                     data=data, method="GET" if obj is None else "POST")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def fault(self, name, **params):
        status, body = self.control("/_sim/fault", dict(params, fault=name))
        assert status == 200, body
        return body

    def clear(self, name=None):
        return self.control("/_sim/clear", {} if name is None else {"fault": name})

    def state(self):
        return self.control("/_sim/state")[1]

    def log(self, **body):
        status, out = self.control("/_sim/log", body)
        assert status == 200, out
        return out["lines"]

    def refused(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=2).close()
            return False
        except ConnectionRefusedError:
            return True
        except ConnectionResetError:
            return False  # caught the listener mid-close; the caller polls again

    def wait_until(self, predicate, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate():
                return True
            time.sleep(0.05)
        return False


@pytest.fixture
def start():
    sims = []

    def _start(*args):
        s = Sim(*args)
        sims.append(s)
        return s

    yield _start
    for s in sims:
        s.stop()


QUIET = ("--log-interval", "0", "--stats-interval", "0")


def cams_of(stats, version):
    return stats if version == "0.12" else stats["cameras"]


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------

def test_help_documents_both_ports_and_the_refusal_design():
    out = subprocess.run([sys.executable, SIM, "--help"], capture_output=True, text=True,
                         timeout=10)
    assert out.returncode == 0
    assert "--control-port" in out.stdout and "connection refused" in out.stdout
    assert "api_down" in out.stdout and "/_sim/fault" in out.stdout


def test_bad_arguments_fail_with_a_short_error():
    out = subprocess.run([sys.executable, SIM, "--version", "0.99"], capture_output=True,
                         text=True, timeout=10)
    assert out.returncode == 2 and "invalid choice" in out.stderr
    out = subprocess.run([sys.executable, SIM, "--camera-names", "a,a"],
                         capture_output=True, text=True, timeout=10)
    assert out.returncode == 2 and "unique" in out.stderr


# ---------------------------------------------------------------------------
# /api/version and /api/config
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("version,ctype", [
    ("0.12", "text/html; charset=utf-8"), ("0.13", "text/html; charset=utf-8"),
    ("0.14", "text/html; charset=utf-8"), ("0.16", "text/plain; charset=utf-8"),
    ("0.17", "text/plain; charset=utf-8")])
def test_version_is_text_with_the_versions_content_type(start, version, ctype):
    sim = start("--version", version, *QUIET)
    status, got_ctype, body = sim.get("/api/version")
    assert status == 200 and got_ctype == ctype
    assert re.fullmatch(re.escape(version) + r"\.\d+-[0-9a-f]{7}", body.decode())
    assert sim.stats()["service"]["version"] == body.decode()


def test_config_lists_cameras_with_detect_and_record_settings(start):
    sim = start("--camera-names", "front,back", "--detect-disabled", "back",
                "--record-disabled", "front", "--detect-fps", "7", *QUIET)
    cfg = sim.json("/api/config")
    assert set(cfg["cameras"]) == {"front", "back"}
    assert cfg["cameras"]["front"]["detect"] == {"enabled": True, "fps": 7, "width": 1280,
                                                 "height": 720}
    assert cfg["cameras"]["back"]["detect"]["enabled"] is False
    assert cfg["cameras"]["front"]["record"]["enabled"] is False
    assert cfg["detectors"]["coral"]["type"] == "edgetpu"
    assert cams_of(sim.stats(), "0.16")["back"]["detection_fps"] == 0.0


@pytest.mark.parametrize("version", ["0.12", "0.14", "0.16", "0.17"])
def test_cameras_disabled_in_config_never_start(start, version):
    """app.py (camera/maintainer.py 0.17+) skips enabled: false cameras: stats keep them with
    camera_fps 0, pid/capture_pid null and ffmpeg_pid 0 (stats_snapshot); /api/config says
    enabled false (and enabled_in_config false from 0.16)."""
    sim = start("--version", version, "--camera-names", "front,garage,attic",
                "--disabled-cameras", "garage,attic", *QUIET)
    cams = cams_of(sim.stats(), version)
    assert {"front", "garage", "attic"} <= set(cams)
    for cam in ("garage", "attic"):
        c = cams[cam]
        assert (c["camera_fps"], c["pid"], c["capture_pid"], c["ffmpeg_pid"]) == (0.0, None,
                                                                                  None, 0)
    assert cams["front"]["camera_fps"] > 0 and cams["front"]["pid"]
    cfg = sim.json("/api/config")["cameras"]
    assert cfg["garage"]["enabled"] is False and cfg["front"]["enabled"] is True
    if version in ("0.16", "0.17"):
        assert cfg["garage"]["enabled_in_config"] is False
        assert cfg["front"]["enabled_in_config"] is True
    else:
        assert "enabled_in_config" not in cfg["garage"]
    cmdlines = " ".join(u.get("cmdline", "") for u in sim.stats()["cpu_usages"].values())
    assert "garage" not in cmdlines
    log = sim.get("/api/logs/frigate")[2].decode()
    assert "Camera processor not started for disabled camera garage" in log
    assert "Capture process not started for disabled camera attic" in log


def test_runtime_switch_off_keeps_the_last_fps_and_shows_in_config(start):
    sim = start("--version", "0.16", "--camera-names", "front,porch", *QUIET)
    before = sim.stats()["cameras"]["porch"]
    status, body = sim.control("/_sim/camera", {"camera": "porch", "enabled": False})
    assert status == 200, body
    cfg = sim.json("/api/config")["cameras"]["porch"]
    assert (cfg["enabled"], cfg["enabled_in_config"]) == (False, True)
    for _ in range(3):  # nothing resets the figures; the pids stay
        porch = sim.stats()["cameras"]["porch"]
        assert porch["camera_fps"] == before["camera_fps"] > 0
        assert porch["pid"] == before["pid"]
    assert "Turning off camera porch" in sim.get("/api/logs/frigate?start=0")[2].decode()
    sim.control("/_sim/camera", {"camera": "porch", "enabled": True})
    assert sim.json("/api/config")["cameras"]["porch"]["enabled"] is True
    # Before 0.16 there is no runtime switch.
    old = start("--version", "0.14", *QUIET)
    assert old.control("/_sim/camera", {"camera": "cam1", "enabled": False})[0] == 400


def test_0_13_beta2_keeps_cameras_top_level_next_to_processes(start):
    sim = start("--version", "0.13.0-beta2", "--camera-names", "front", *QUIET)
    stats = sim.stats()
    assert stats["service"]["version"].startswith("0.13.0-")
    assert "cameras" not in stats and stats["front"]["camera_fps"] > 0
    assert "audio_rms" not in stats["front"]
    assert set(stats["processes"]) >= {"go2rtc", "recording"}
    assert all("cmdline" in v for k, v in stats["cpu_usages"].items() if k.isdigit())


def test_detector_speeds_follow_their_type(start):
    sim = start("--detectors", "coral,cpu1:cpu,rk:rknn,gpu:onnx", *QUIET)
    dets = sim.stats()["detectors"]
    assert dets["coral"]["inference_speed"] < 10
    assert 90 <= dets["cpu1"]["inference_speed"] < 120
    assert 90 <= dets["rk"]["inference_speed"] < 120
    assert 10 <= dets["gpu"]["inference_speed"] < 15
    sim.fault("slow_inference", ms=80, detector="gpu")
    dets = sim.stats()["detectors"]
    assert dets["gpu"]["inference_speed"] == 80 and dets["coral"]["inference_speed"] < 10


# ---------------------------------------------------------------------------
# /api/stats shapes by version
# ---------------------------------------------------------------------------

def test_stats_0_12_cameras_top_level_ints_megabytes_and_top_junk(start):
    sim = start("--version", "0.12", *QUIET)
    s = sim.stats()
    assert "cameras" not in s and {"cam1", "cam2"} <= set(s)
    assert s["cam1"]["detection_enabled"] == 1 and type(s["cam1"]["detection_enabled"]) is int
    assert "audio_rms" not in s["cam1"] and "processes" not in s
    assert {"%Cpu(s):", "MiB", "Tasks:", "PID"} <= set(s["cpu_usages"])
    pid_entry = next(v for k, v in s["cpu_usages"].items() if k.isdigit())
    assert set(pid_entry) == {"cpu", "mem"}
    assert s["gpu_usages"]["intel-vaapi"]["gpu"] == "12.5 %"
    # 1 TB disk: MB (1e6) in 0.12
    assert s["service"]["storage"]["/media/frigate/recordings"]["total"] == 1000203.1
    assert isinstance(s["service"]["last_updated"], int)
    assert s["service"]["temperatures"] == {"apex_0": 44.85}


def test_stats_0_13_cameras_key_mebibytes_processes_audio_cmdline(start):
    sim = start("--version", "0.13", *QUIET)
    s = sim.stats()
    assert set(s["cameras"]) == {"cam1", "cam2"}
    cam = s["cameras"]["cam1"]
    assert cam["detection_enabled"] == 1 and type(cam["detection_enabled"]) is int
    assert "audio_rms" in cam and "audio_dBFS" in cam
    assert set(s["processes"]) == {"logger", "go2rtc", "recording", "audioDetector"}
    entries = s["cpu_usages"]
    assert "PID" not in entries and "frigate.full_system" not in entries
    assert all(set(v) == {"cmdline", "cpu", "cpu_average", "mem"} for v in entries.values())
    assert any(v["cmdline"] == "frigate.detector.coral" for v in entries.values())
    assert s["service"]["storage"]["/media/frigate/recordings"]["total"] == 953868.0


def test_stats_0_14_bools_full_system_and_gpu_without_space(start):
    sim = start("--version", "0.14", *QUIET)
    s = sim.stats()
    assert s["cameras"]["cam1"]["detection_enabled"] is True
    assert "frigate.full_system" in s["cpu_usages"]
    assert s["gpu_usages"]["intel-vaapi"] == {"gpu": "12.5%", "mem": "-%"}
    assert "review_segment" in s["processes"] and "audio_detector" in s["processes"]
    assert "embeddings" not in s and "camera_fps" not in s


def test_stats_0_18_gpus_carry_encoder_decoder_and_compute(start):
    # set_gpu_stats / get_intel_gpu_stats / get_nvidia_gpu_stats at v0.18.0-beta1.
    sim = start("--version", "0.18", "--gpus", "intel,nvidia", *QUIET)
    s = sim.stats()
    assert s["service"]["version"] == "0.18.0-5f6043a"
    intel = s["gpu_usages"]["Core i5-12500 iGPU"]
    assert intel["vendor"] == "intel" and intel["mem"] == "-%"
    assert {"compute", "dec", "clients"} <= set(intel) and "enc" not in intel
    nvidia = s["gpu_usages"]["NVIDIA GeForce RTX 3060"]
    assert set(nvidia) == {"vendor", "gpu", "mem", "enc", "dec", "temp"}
    assert all(nvidia[k].endswith("%") for k in ("gpu", "mem", "enc", "dec"))
    # 0.16: NVIDIA already reports enc/dec, without vendor and temp; Intel only gpu and mem.
    s16 = start("--version", "0.16", "--gpus", "intel,nvidia", *QUIET).stats()
    assert set(s16["gpu_usages"]["NVIDIA GeForce RTX 3060"]) == {"gpu", "mem", "enc", "dec"}
    assert s16["gpu_usages"]["intel-vaapi"] == {"gpu": "12.5%", "mem": "-%"}


def test_cpu_usages_list_processes_no_frigate_table_claims(start):
    # get_cpu_stats walks every pid psutil sees: s6, nginx and Frigate's main process too.
    s = start("--version", "0.16", *QUIET).stats()
    cmdlines = {k: v["cmdline"] for k, v in s["cpu_usages"].items() if "cmdline" in v}
    claimed = {str(c[k]) for c in s["cameras"].values() for k in ("pid", "capture_pid",
                                                                  "ffmpeg_pid")}
    claimed |= {str(d["pid"]) for d in s["detectors"].values()}
    claimed |= {str(p["pid"]) for p in s["processes"].values()}
    unclaimed = {cmdlines[k] for k in cmdlines if k not in claimed}
    assert {"/package/admin/s6/command/s6-svscan -d4 -- /run/service", "s6-supervise frigate",
            "nginx: master process nginx", "python3 -u -m frigate"} <= unclaimed


def test_stats_0_16_embeddings_and_0_17_totals_and_shm_fields(start):
    s16 = start("--version", "0.16", *QUIET).stats()
    assert "embeddings" in s16 and "camera_fps" not in s16
    assert "available" not in s16["service"]["storage"]["/dev/shm"]
    assert "logger" not in s16["processes"]
    s17 = start("--version", "0.17", *QUIET).stats()
    cams = s17["cameras"].values()
    for key in ("camera_fps", "process_fps", "skipped_fps"):
        assert s17[key] == round(sum(c[key] for c in cams), 2)
    assert s17["detection_fps"] == round(sum(c["detection_fps"] for c in cams), 2)
    shm = s17["service"]["storage"]["/dev/shm"]
    assert {"available", "camera_frame_size", "shm_frame_count", "min_shm"} <= set(shm)


def test_uptime_starts_at_start_uptime_and_grows(start):
    sim = start("--start-uptime", "100", *QUIET)
    first = sim.stats()["service"]["uptime"]
    assert 100 <= first <= 101
    time.sleep(1.1)
    assert sim.stats()["service"]["uptime"] > first


def test_0_14_serves_a_cached_snapshot_while_0_13_is_fresh(start):
    cached = start("--version", "0.14", "--stats-interval", "30", "--log-interval", "0")
    a = cached.stats()
    time.sleep(1.1)
    b = cached.stats()
    assert a == b  # same snapshot, same last_updated, same uptime
    fresh = start("--version", "0.13", "--log-interval", "0")
    a = fresh.stats()
    time.sleep(1.1)
    assert fresh.stats()["service"]["last_updated"] > a["service"]["last_updated"]
    assert fresh.state()["stats_requests"] == 2


def test_inference_speed_moves_between_snapshots_when_healthy(start):
    sim = start(*QUIET)
    speeds = {sim.stats()["detectors"]["coral"]["inference_speed"] for _ in range(5)}
    assert len(speeds) > 1


# ---------------------------------------------------------------------------
# Faults visible in /api/stats
# ---------------------------------------------------------------------------

def test_stats_faults_change_the_numbers_and_clear_restores_them(start):
    sim = start("--version", "0.17", *QUIET)
    sim.fault("slow_inference", ms=180)
    assert sim.stats()["detectors"]["coral"]["inference_speed"] == 180.0

    sim.clear()
    sim.fault("stuck_detector", age_seconds=40)
    s = sim.stats()
    det = s["detectors"]["coral"]
    assert s["service"]["last_updated"] - det["detection_start"] >= 39
    assert s["detection_fps"] == 0.0

    sim.clear()
    sim.fault("cameras_offline", cameras=["cam2"])
    s = sim.stats()
    assert s["cameras"]["cam2"]["camera_fps"] == 0.0
    assert s["cameras"]["cam2"]["process_fps"] == 0.0
    assert s["cameras"]["cam1"]["camera_fps"] > 0

    sim.clear()
    sim.fault("high_skip", ratio=0.6)
    cam = sim.stats()["cameras"]["cam1"]
    assert cam["skipped_fps"] == round(cam["camera_fps"] * 0.6, 2)
    assert abs(cam["process_fps"] + cam["skipped_fps"] - cam["camera_fps"]) < 0.02

    sim.clear()
    sim.fault("camera_pid_null", cameras="cam1")
    s = sim.stats()
    assert s["cameras"]["cam1"]["pid"] is None and s["cameras"]["cam2"]["pid"] is not None

    sim.clear()
    sim.fault("unknown_fields")
    s = sim.stats()
    assert "sim_future_top_level" in s and "sim_future_metric" in s["cameras"]["cam1"]
    assert "sim_future_field" in s["detectors"]["coral"]

    sim.clear()
    sim.fault("percent_junk")
    cpu_values = {v["cpu"] for v in sim.stats()["cpu_usages"].values()}
    assert {"4.5%", "-%", ""} <= cpu_values

    sim.clear()
    s = sim.stats()
    assert s["detectors"]["coral"]["inference_speed"] < 50
    assert all(c["camera_fps"] > 0 for c in s["cameras"].values())


def test_force_kill_without_new_detector_freezes_inference_and_logs_no_exit(start):
    sim = start("--version", "0.13", *QUIET)
    sim.fault("force_kill_no_new_detector")
    snaps = [sim.stats() for _ in range(4)]
    assert len({s["detectors"]["coral"]["inference_speed"] for s in snaps}) == 1
    assert all(s["detection_fps"] == 0.0 and s["detectors"]["coral"]["detection_start"] == 0.0
               for s in snaps)
    assert all(c["process_fps"] > 0 for c in snaps[0]["cameras"].values())
    text = sim.get("/api/logs/frigate")[2].decode()
    tail = text.splitlines()[-3:]
    assert tail[0].endswith("Detection appears to be stuck. Restarting detection process...")
    assert tail[1].endswith("Waiting for detection process to exit gracefully...")
    assert tail[2].endswith("Detection process didnt exit. Force killing...")


def test_edgetpu_missing_logs_the_crash_and_drops_the_detector_pid(start):
    sim = start("--version", "0.16", *QUIET)
    sim.fault("edgetpu_missing")
    s = sim.stats()
    assert s["detectors"]["coral"]["pid"] is None
    lines = sim.json("/api/logs/frigate?start=-8")["lines"]
    joined = "\n".join(lines)
    assert "No EdgeTPU was detected. If you do not have a Coral device yet, you must " \
           "configure CPU detectors." in joined
    assert lines[-1].endswith("Detection appears to have stopped. Exiting Frigate...")


# ---------------------------------------------------------------------------
# Log lines: layout and wordings
# ---------------------------------------------------------------------------

def test_log_lines_have_s6_prefix_and_padded_logger_and_level(start):
    sim = start("--version", "0.13", *QUIET)
    line = sim.log(event="stuck")[0]
    m = PY_LINE.match(line)
    assert m, line
    assert line[31:].startswith("[")  # 29-char stamp + two spaces
    assert re.search(r"\] frigate\.watchdog {15}INFO {4}: Detection appears to be stuck\. "
                     r"Restarting detection process\.\.\.$", line), line


@pytest.mark.parametrize("version,didnt,logger,keep", [
    ("0.12", "didnt", "frigate.record", 5), ("0.14", "didn't", "frigate.record.maintainer", 6)])
def test_wordings_follow_the_version(start, version, didnt, logger, keep):
    sim = start("--version", version, *QUIET)
    assert sim.log(event="force_kill")[-1].endswith(
        "Detection process %s exit. Force killing..." % didnt)
    line = sim.log(event="backlog", camera="cam2")[0]
    assert ("] %-30s WARNING : Unable to keep up with recording segments in cache for cam2. "
            "Keeping the %d most recent segments out of %d and discarding the rest..."
            % (logger, keep, keep + 3)) in line


def test_backlog_lines_fault_supports_every_wording(start):
    sim = start("--version", "0.16", *QUIET)
    sim.fault("backlog_lines", camera="cam1", count=2, wording="too_many_unprocessed")
    sim.fault("backlog_lines", camera="cam2", count=1, wording="too_many_segments")
    lines = sim.get("/api/logs/frigate?stream=false")
    body = json.loads(lines[2])["lines"]
    assert body[-3].endswith("Too many unprocessed recording segments in cache for cam1. This "
                             "likely indicates an issue with the detect stream, keeping the 6 "
                             "most recent segments out of 9 and discarding the rest...")
    assert "Last message repeated 1 times" in body[-2]
    assert body[-1].endswith("Too many recording segments in cache for cam2. Keeping the 6 "
                             "most recent segments out of 9, discarding the rest...")


def test_stuck_lines_repeat_at_the_interval_and_restart_the_detector(start):
    sim = start("--version", "0.14", *QUIET)
    pid_before = sim.state()["detector_pids"]["coral"]
    sim.fault("stuck_lines", count=3, interval_seconds=0.2)
    assert sim.wait_until(lambda: sim.state()["faults"]["stuck_lines"]["emitted"] == 3, 5)
    time.sleep(0.3)
    text = "\n".join(sim.json("/api/logs/frigate")["lines"])
    assert text.count("Detection appears to be stuck. Restarting detection process...") == 3
    assert text.count("Starting detection process: ") == 4  # boot + 3 restarts
    assert sim.state()["detector_pids"]["coral"] != pid_before
    assert sim.stats()["detectors"]["coral"]["pid"] == sim.state()["detector_pids"]["coral"]


# ---------------------------------------------------------------------------
# /api/logs by version
# ---------------------------------------------------------------------------

def test_logs_0_12_raw_text_html_and_0_13_json_errors(start):
    s12 = start("--version", "0.12", *QUIET)
    status, ctype, body = s12.get("/api/logs/frigate")
    assert status == 200 and ctype == "text/html; charset=utf-8"
    assert "[INFO] Starting Frigate..." in body.decode()
    assert s12.get("/api/logs/bogus")[0] == 500
    assert s12.request("POST", "/api/restart")[0] == 404  # no restart API before 0.13

    s13 = start("--version", "0.13", *QUIET)
    status, ctype, body = s13.get("/api/logs/frigate")
    assert status == 200 and ctype == "text/html; charset=utf-8"
    assert all(re.match(S6_PREFIX, x) for x in body.decode().splitlines())
    status, ctype, body = s13.get("/api/logs/bogus")
    assert status == 404 and json.loads(body) == {"success": False,
                                                  "message": "Not a valid service"}


def test_logs_0_14_json_slices_and_joins_lines_with_the_same_stamp(start):
    sim = start("--version", "0.14", *QUIET)
    whole = sim.json("/api/logs/frigate")
    assert whole["totalLines"] == len(whole["lines"])
    assert sim.json("/api/logs/frigate?start=-2")["lines"] == whole["lines"][-2:]
    assert sim.json("/api/logs/frigate?start=1&end=3")["lines"] == whole["lines"][1:3]
    assert sim.json("/api/logs/frigate?start=x")["lines"] == whole["lines"]  # Flask default
    sim.log(lines=["Traceback (most recent call last):", "  File \"x.py\", line 1",
                   "ValueError: boom"], raw=True, same_timestamp=True)
    got = sim.json("/api/logs/frigate?start=-1")
    assert got["totalLines"] == whole["totalLines"] + 1
    entry = got["lines"][0]
    assert re.match(S6_PREFIX + r"Traceback \(most recent call last\):\n"
                    r"File \"x.py\", line 1\nValueError: boom$", entry), entry


def test_logs_0_16_collapses_repeats_and_rejects_bad_ints(start):
    sim = start("--version", "0.16", *QUIET)
    written = sim.log(event="backlog", camera="cam1", count=4)
    lines = sim.json("/api/logs/frigate?start=-2")["lines"]
    assert lines[0] == written[0]
    assert lines[1] == written[0][:29] + "  [LOGGING] Last message repeated 3 times"
    assert sim.get("/api/logs/frigate?start=x")[0] == 422


def _sim_module():
    import importlib.util
    spec = importlib.util.spec_from_file_location("frigate_sim_module", SIM)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


PROCESS_LOGS_FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                    "fixtures", "logs", "process_logs-0.16.json")


def test_collapse_is_frigates_process_logs_for_every_service_and_slice():
    """The fixture was rendered by Frigate's own process_logs (v0.16.4; same in 0.17.2 and
    0.18.0-beta1): the simulator must give the same lines and totalLines."""
    mod = _sim_module()
    fixture = json.load(open(PROCESS_LOGS_FIXTURE))
    assert "process_logs" in fixture["source"] and "v0.16.4" in fixture["source"]
    for case in fixture["cases"]:
        lines = mod.collapse_repeats(fixture["input"], case["service"])
        got = {"totalLines": len(lines), "lines": lines[case["start"]:case["end"]]}
        assert got == case["body"], case


def test_logs_0_16_over_http_collapse_as_frigate_does(start):
    fixture = json.load(open(PROCESS_LOGS_FIXTURE))
    want = fixture["cases"][0]["body"]["lines"]
    sim = start("--version", "0.16", *QUIET)
    s6 = [x for x in fixture["input"].splitlines() if re.match(S6_PREFIX, x)]
    sim.log(lines=s6)
    got = sim.json("/api/logs/frigate")["lines"]
    assert got[-len(want):] == want


def test_backlog_every_interval_collapses_under_the_first_lines_time_on_0_16(start):
    sim = start("--version", "0.16", *QUIET)
    sim.fault("backlog_lines", camera="cam1", wording="too_many_unprocessed", count=4,
              interval_seconds=0.15)
    assert sim.wait_until(lambda: sim.state()["faults"]["backlog_lines"]["emitted"] == 4, 5)
    first, marker = sim.json("/api/logs/frigate?start=-2")["lines"]
    assert "Too many unprocessed recording segments in cache for cam1." in first
    assert marker == first[:29] + "  [LOGGING] Last message repeated 3 times"
    # 0.14 shows the same four lines one by one (no collapse before 0.16).
    s14 = start("--version", "0.14", *QUIET)
    s14.fault("backlog_lines", camera="cam1", count=4, interval_seconds=0.15)
    assert s14.wait_until(lambda: s14.state()["faults"]["backlog_lines"]["emitted"] == 4, 5)
    tail = s14.json("/api/logs/frigate?start=-4")["lines"]
    assert all("Unable to keep up with recording segments in cache for cam1." in x for x in tail)


def test_wordings_that_a_version_never_logged_are_refused(start):
    s14 = start("--version", "0.14", *QUIET)
    status, body = s14.control("/_sim/fault", {"fault": "backlog_lines",
                                               "wording": "too_many_unprocessed"})
    assert status == 400 and "0.15+" in body["error"], body
    assert s14.control("/_sim/log", {"event": "invalid_segment"})[0] == 400
    assert s14.control("/_sim/fault", {"fault": "edgetpu_missing", "wrong_model": True})[0] == 400
    assert "backlog_lines" not in s14.state()["faults"]


def test_0_16_to_0_18_log_lines_of_item_8(start):
    s17 = start("--version", "0.17", *QUIET)
    assert s17.log(event="audio_ffmpeg", camera="cam1")[0].endswith(
        "] audio.cam1                     ERROR   : ffmpeg process is not running, restarting...")
    assert re.search(r"WARNING : Invalid recording segment detected for cam1 at \d+\.\d$",
                     s17.log(event="invalid_segment", camera="cam1")[0])
    assert any(x.endswith("frigate.video                  ERROR   : cam1: ffmpeg process is not "
                          "running. exiting capture thread...")
               for x in s17.log(event="no_frames", camera="cam1"))
    s16 = start("--version", "0.16", *QUIET)
    s16.fault("edgetpu_missing", wrong_model=True)
    text = "\n".join(s16.json("/api/logs/frigate")["lines"])
    assert ("ERROR   : Incorrect model used with EdgeTPU. Only .tflite models can be used with a "
            "Coral EdgeTPU.") in text
    assert "No EdgeTPU was detected" not in text


def test_log_rotation_fault_truncates_buffer_and_file(start, tmp_path):
    path = tmp_path / "logs" / "frigate" / "current"
    sim = start("--version", "0.14", "--log-file", str(path), *QUIET)
    assert path.read_text().count("\n") > 5
    sim.fault("log_rotation")
    assert path.read_text() == ""
    assert sim.json("/api/logs/frigate") == {"totalLines": 1, "lines": [""]}  # 0.14 quirk
    sim.log(lines=["after rotation"])
    assert path.read_text().endswith(": after rotation\n")


def test_log_file_rotates_at_the_size_limit(start, tmp_path):
    path = tmp_path / "current"
    sim = start("--version", "0.16", "--log-file", str(path), "--log-rotate-bytes", "4000",
                *QUIET)
    sim.log(event="stuck", count=30)
    assert 0 < path.stat().st_size <= 4000
    assert sim.state()["log_bytes"] == path.stat().st_size


def test_stream_sends_only_new_lines_chunked(start):
    sim = start("--version", "0.16", *QUIET)
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    conn.request("GET", "/api/logs/frigate?stream=true")
    resp = conn.getresponse()
    assert resp.status == 200 and resp.getheader("Content-Type").startswith("text/plain")
    assert resp.getheader("Transfer-Encoding") == "chunked"
    time.sleep(0.2)
    written = sim.log(lines=["fresh line one", "fresh line two"])
    got = b""
    deadline = time.time() + 5
    while got.count(b"\n") < 2 and time.time() < deadline:
        got += resp.read1(65536)
    assert got.decode().splitlines() == written
    conn.close()


def test_heartbeat_lines_arrive_at_the_log_interval(start):
    sim = start("--log-interval", "0.2", "--stats-interval", "0")
    before = sim.state()["log_lines"]
    assert sim.wait_until(lambda: sim.state()["log_lines"] >= before + 2, 5)


# ---------------------------------------------------------------------------
# Restart
# ---------------------------------------------------------------------------

def test_restart_refuses_connections_then_returns_fresh(start):
    sim = start("--version", "0.16", "--restart-downtime", "1", "--log-interval", "0",
                "--stats-interval", "15")
    sim.fault("slow_inference", ms=200)
    sim.fault("api_500", paths=["/api/config"], persistent=True)
    old_pid = sim.state()["detector_pids"]["coral"]
    assert sim.get("/api/restart")[0] == 405
    status, ctype, body = sim.request("POST", "/api/restart")
    assert status == 200 and ctype == "application/json"
    assert json.loads(body) == {"success": True,
                                "message": "Restarting (this can take up to one minute)..."}
    assert sim.wait_until(sim.refused, 2)
    assert sim.control("/_sim/state")[0] == 200  # control port stays up
    assert sim.wait_until(lambda: not sim.refused(), 5)
    s = sim.stats()
    assert s["service"]["uptime"] <= 2
    assert s["detectors"]["coral"]["inference_speed"] < 50  # non-persistent fault cured
    assert sim.get("/api/config")[0] == 500  # persistent one survived
    st = sim.state()
    assert st["restart_count"] == 1 and set(st["faults"]) == {"api_500"}
    assert st["detector_pids"]["coral"] != old_pid
    lines = sim.json("/api/logs/frigate")["lines"]
    assert lines[0].endswith("[INFO] Preparing Frigate...")
    assert any("Starting Frigate (0.16" in x for x in lines)


def test_edgetpu_missing_comes_back_after_restart(start):
    sim = start("--version", "0.13", "--restart-downtime", "0.3", *QUIET)
    sim.fault("edgetpu_missing")
    sim.request("POST", "/api/restart")
    assert sim.wait_until(sim.refused, 2)
    assert sim.wait_until(lambda: not sim.refused(), 5)
    text = sim.get("/api/logs/frigate")[2].decode()
    assert "Starting Frigate" in text and "No EdgeTPU was detected" in text
    assert sim.stats()["detectors"]["coral"]["pid"] is None


def test_control_restart_models_an_outside_restart(start):
    sim = start("--version", "0.12", "--restart-downtime", "0.3", *QUIET)
    assert sim.control("/_sim/restart", {})[0] == 200
    assert sim.wait_until(sim.refused, 2)
    assert sim.wait_until(lambda: not sim.refused(), 5)
    assert sim.stats()["service"]["uptime"] <= 1
    assert sim.state()["restart_count"] == 1


# ---------------------------------------------------------------------------
# Transport faults
# ---------------------------------------------------------------------------

def test_api_down_refuses_and_cuts_keepalive_until_cleared(start):
    sim = start(*QUIET)
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    conn.request("GET", "/api/version")
    assert conn.getresponse().read()
    sim.fault("api_down")
    assert sim.refused()
    with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
        conn.request("GET", "/api/version")
        conn.getresponse().read()
    assert sim.state()["api_up"] is False
    sim.clear("api_down")
    assert sim.wait_until(lambda: not sim.refused(), 3)
    assert sim.get("/api/version")[0] == 200


def test_error_pages_by_fault(start):
    sim = start("--version", "0.16", *QUIET)
    sim.fault("api_502")
    status, ctype, body = sim.get("/api/stats")
    assert status == 502 and ctype == "text/html" and b"502 Bad Gateway" in body
    sim.clear()
    sim.fault("api_500")
    assert sim.get("/api/stats")[:3] == (500, "text/plain; charset=utf-8",
                                         b"Internal Server Error")
    sim.clear()
    sim.fault("html_instead_of_json")
    status, ctype, body = sim.get("/api/stats")
    assert status == 200 and ctype == "text/html" and body.startswith(b"<!doctype html>")
    sim.clear()
    sim.fault("truncated_json")
    status, _, body = sim.get("/api/stats")
    with pytest.raises(ValueError):
        json.loads(body)
    assert sim.get("/api/version")[0] == 200  # only /api/stats by default
    sim.clear()
    sim.fault("truncated_json", mode="connection")
    with pytest.raises(http.client.IncompleteRead):
        sim.get("/api/stats")
    sim.clear()
    sim.fault("api_slow", seconds=0.6)
    t0 = time.time()
    assert sim.get("/api/stats")[0] == 200
    assert time.time() - t0 >= 0.6


def test_flask_versions_answer_errors_with_html_pages(start):
    sim = start("--version", "0.14", *QUIET)
    sim.fault("api_500")
    status, ctype, body = sim.get("/api/stats")
    assert status == 500 and ctype == "text/html; charset=utf-8"
    assert b"<title>500 Internal Server Error</title>" in body
    sim.clear()
    assert sim.get("/api/restart")[0] == 405
    assert sim.get("/api/nope")[0] == 404


def test_huge_body_is_valid_json_of_the_requested_size(start):
    sim = start(*QUIET)
    sim.fault("huge_body", mb=3)
    status, _, body = sim.get("/api/stats")
    assert status == 200 and len(body) > 3_000_000
    parsed = json.loads(body)
    assert "cameras" in parsed and len(parsed["sim_padding"]) == 3_000_000


def test_bad_control_requests_get_a_400_with_a_reason(start):
    sim = start(*QUIET)
    status, body = sim.control("/_sim/fault", {"fault": "no_such_fault"})
    assert status == 400 and "unknown fault" in body["error"]
    status, body = sim.control("/_sim/fault", {"fault": "slow_inference", "ms": "fast"})
    assert status == 400 and "number" in body["error"]
    status, body = sim.control("/_sim/fault", {"fault": "backlog_lines", "camera": "nope"})
    assert status == 400 and "unknown camera" in body["error"]
    status, body = sim.control("/_sim/log", {"event": "nope"})
    assert status == 400


# ---------------------------------------------------------------------------
# Auth
# ---------------------------------------------------------------------------

def test_token_required_except_version_on_0_17(start):
    s16 = start("--version", "0.16", "--token", "sekrit", *QUIET)
    status, ctype, body = s16.get("/api/stats")
    assert status == 401 and b"401 Authorization Required" in body
    assert s16.get("/api/version")[0] == 401
    assert s16.get("/api/stats", headers={"Authorization": "Bearer wrong"})[0] == 401
    assert s16.get("/api/stats", headers={"Authorization": "Bearer sekrit"})[0] == 200
    assert s16.get("/api/stats", headers={"Cookie": "frigate_token=sekrit"})[0] == 200
    s17 = start("--version", "0.17", "--token", "sekrit", *QUIET)
    assert s17.get("/api/version")[0] == 200
    assert s17.get("/api/logs/frigate")[0] == 401


def test_stream_ends_when_frigate_restarts(start):
    sim = start("--version", "0.17", "--restart-downtime", "0.5", *QUIET)
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    conn.request("GET", "/api/logs/frigate?stream=true")
    resp = conn.getresponse()
    assert resp.status == 200
    sim.control("/_sim/restart", {})
    got = b""
    with pytest.raises((http.client.IncompleteRead, ConnectionError)):
        while True:
            chunk = resp.read1(65536)
            if not chunk:
                raise ConnectionError("stream closed")
            got += chunk
    assert b"Service Frigate exited" in got
    conn.close()


def test_stuck_lines_once_writes_them_at_once_and_0_17_has_no_starting_line(start):
    sim = start("--version", "0.17", *QUIET)
    sim.fault("stuck_lines", count=2, once=True)
    text = "\n".join(sim.json("/api/logs/frigate")["lines"])
    assert text.count("Detection appears to be stuck. Restarting detection process...") == 2
    assert "Starting detection process" not in text  # gone in 0.17
    assert text.count("Detection process has exited...") == 2


def test_every_stats_poll_is_counted_even_when_faulted(start):
    sim = start(*QUIET)
    sim.stats()
    sim.fault("api_502")
    assert sim.get("/api/stats")[0] == 502
    assert sim.state()["stats_requests"] == 2


def test_edgetpu_missing_can_crash_loop_by_itself(start):
    sim = start("--version", "0.16", "--restart-downtime", "0.2", *QUIET)
    sim.fault("edgetpu_missing", crash_after_seconds=0.3)
    assert sim.wait_until(lambda: sim.state()["restart_count"] >= 2, 5)
    assert "edgetpu_missing" in sim.state()["faults"]
    sim.clear("edgetpu_missing")
    count = sim.state()["restart_count"]
    assert sim.wait_until(lambda: not sim.refused() and not sim.state()["restarting"], 3)
    time.sleep(0.8)
    assert sim.state()["restart_count"] == count  # cured: no more exits
