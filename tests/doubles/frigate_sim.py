#!/usr/bin/python3
"""Frigate NVR simulator: a faithful-enough stand-in for Frigate's HTTP API.

Used by the exporter's and remediator's tests and by the demo. Standard library only.

Two listeners:
  * the Frigate API port (what nginx :5000 / :8971 would be). "API down" and restart
    downtime close this listening socket and cut its open connections, so clients see a
    real connection refusal, exactly as when the Frigate container is gone.
  * the control port (/_sim/...), which stays up the whole time so tests can inject
    faults, read the simulator's state and bring the API back.

Body shapes, content types, status codes and log wordings follow
shared/reference/frigate-api.md, frigate-log-lines.md and frigate-failure-modes.md for
Frigate 0.12, 0.13.0-beta2, 0.13, 0.14, 0.16, 0.17 and 0.18 (beta 1). Cameras disabled in the config and (0.16+)
cameras switched off at runtime behave as Frigate's app.py / camera/maintainer.py,
stats/util.py and comms/dispatcher.py make them behave.
"""

import argparse
import dataclasses
import datetime
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# ---------------------------------------------------------------------------
# Version profiles: every difference between Frigate versions lives in this table.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    key: str
    full_version: str  # "<semver>-<7 hex>" as in service.version and /api/version
    latest_version: str
    backend: str  # "flask" (<=0.14) or "fastapi" (0.15+): error page shapes
    cameras_top_level: bool  # <=0.12: camera objects are top-level keys
    detection_enabled_bool: bool  # int 1/0 in 0.12-0.13, bool in 0.14+
    storage_divisor: float  # MB (1e6) in 0.12, MiB (2**20) in 0.13+
    cpu_style: str  # "top" (0.12, with junk keys) or "psutil" (0.13+)
    full_system: bool  # cpu_usages["frigate.full_system"] (0.14+)
    gpu_sep: str  # "12.5 %" (0.12) vs "12.5%" (0.13+)
    processes: tuple  # names under "processes" (0.13+)
    audio_fields: bool  # audio_rms / audio_dBFS per camera (0.13+)
    embeddings: bool  # top-level "embeddings" (0.16+)
    fps_totals: bool  # top-level camera_fps/process_fps/skipped_fps (0.17+)
    shm_extra: bool  # /dev/shm available, camera_frame_size, ... (0.17+)
    restart_api: bool  # POST /api/restart exists (0.13+)
    logs_style: str  # "raw" (0.12-0.13), "grouped" (0.14-0.15), "dedup" (0.16+)
    logs_html_ctype: bool  # raw logs served as text/html (Flask str)
    version_ctype: str
    cached_stats: bool  # 0.14+: snapshot every 15 s
    didnt: str  # "didnt" (<=0.13) or "didn't" (0.14+)
    keep_count: int  # segments kept by the recording maintainer
    starting_detection_line: bool  # "Starting detection process: pid" (<=0.16)
    signal_exit_line: bool  # "Signal to exit detection process..." (0.12-0.14)
    record_logger: str
    record_restart_msg: str  # camera watchdog record-ffmpeg restart wording
    version_public: bool  # /api/version needs no auth (0.17+)
    too_many_unprocessed: bool  # the 0.15+ wording exists
    # Top-level bandwidth_usages from nethogs (0.13+; frigate/stats.py set_bandwidth_stats at
    # v0.13.2, frigate/stats/util.py from v0.14.0 to v0.17.2).
    bandwidth_usages: bool = True
    # 0.16+: cameras can be switched off at runtime (MQTT <camera>/enabled/set, the UI);
    # /api/config then has "enabled" false and "enabled_in_config" true (frigate/config/
    # config.py, frigate/comms/dispatcher.py _on_enabled_command at v0.16.4).
    runtime_camera_toggle: bool = False
    # Who logs the camera (capture) processes starting, or not for a disabled camera: app.py
    # up to 0.16, camera/maintainer.py from 0.17.
    camera_logger: str = "frigate.app"


# pid names -> command lines of the processes no Frigate table claims (besides pid 1).
_UNCLAIMED = {
    "s6_supervise": "s6-supervise frigate",
    "nginx_master": "nginx: master process nginx",
    "frigate_main": "python3 -u -m frigate",
}

_FLASK_HTML = "text/html; charset=utf-8"
_TEXT = "text/plain; charset=utf-8"
_JSON = "application/json"

PROFILES = {
    "0.12": Profile(
        "0.12", "0.12.1-367d724", "0.12.1", "flask", True, False, 1e6, "top", False,
        " ", (), False, False, False, False, False, "raw", True, _FLASK_HTML, False,
        "didnt", 5, True, True, "frigate.record",
        "No new recording segments were created for {camera} in the last 120s. "
        "restarting the ffmpeg record process...", False, False, bandwidth_usages=False),
    "0.13": Profile(
        "0.13", "0.13.2-6476f8a", "0.13.2", "flask", False, False, 2**20, "psutil",
        False, "", ("logger", "go2rtc", "recording", "audioDetector"), True, False,
        False, False, True, "raw", True, _FLASK_HTML, False, "didnt", 6, True, True,
        "frigate.record.maintainer",
        "No new recording segments were created for {camera} in the last 120s. "
        "restarting the ffmpeg record process...", False, False),
    "0.14": Profile(
        "0.14", "0.14.1-f4f3cfa", "0.14.1", "flask", False, True, 2**20, "psutil",
        True, "", ("logger", "go2rtc", "recording", "review_segment", "audio_detector"),
        True, False, False, False, True, "grouped", False, _FLASK_HTML, True, "didn't",
        6, True, True, "frigate.record.maintainer",
        "No new recording segments were created for {camera} in the last 120s. "
        "restarting the ffmpeg record process...", False, False),
    "0.16": Profile(
        "0.16", "0.16.4-3a9c1e2", "0.16.4", "fastapi", False, True, 2**20, "psutil",
        True, "", ("go2rtc", "recording", "review_segment", "embeddings",
                   "audio_detector"),
        True, True, False, False, True, "dedup", False, _TEXT, True, "didn't", 6, True,
        False, "frigate.record.maintainer",
        "No new recording segments were created for {camera} in the last 120s. "
        "restarting the ffmpeg record process...", False, True),
    "0.17": Profile(
        "0.17", "0.17.2-b81d5e4", "0.17.2", "fastapi", False, True, 2**20, "psutil",
        True, "", ("go2rtc", "recording", "review_segment", "embeddings",
                   "audio_detector"),
        True, True, True, True, True, "dedup", False, _TEXT, True, "didn't", 6, False,
        False, "frigate.record.maintainer",
        "No new recording segments were created for {camera} in the last 120s. "
        "Restarting the ffmpeg record process...", True, True),
    # 0.18.0-beta1 (tag commit 5f6043a): as 0.17 for what the simulator serves, except the GPU
    # entries (see Sim._gpu_usages) and the record watchdog's "Restarting" line, which now
    # comes from frigate/video/ffmpeg.py with the stale threshold (120 s at segment_time 10).
    "0.18": Profile(
        "0.18", "0.18.0-5f6043a", "0.17.2", "fastapi", False, True, 2**20, "psutil",
        True, "", ("go2rtc", "recording", "review_segment", "embeddings",
                   "audio_detector"),
        True, True, True, True, True, "dedup", False, _TEXT, True, "didn't", 6, False,
        False, "frigate.record.maintainer",
        "No new recording segments were created for {camera} in the last 120s. "
        "Restarting the ffmpeg record process...", True, True),
}
PROFILES["0.16"] = dataclasses.replace(PROFILES["0.16"], runtime_camera_toggle=True)
PROFILES["0.17"] = dataclasses.replace(PROFILES["0.17"], runtime_camera_toggle=True,
                                       camera_logger="frigate.camera.maintainer")
# 0.13.0-beta1/-beta2 report "0.13.0-<hash>" but keep cameras at the top level (frigate/stats.py
# at v0.13.0-beta2: stats[name] = {...}; "cameras" came in beta3 with audio_rms/audio_dBFS),
# already with "processes" and psutil "cpu_usages", storage in MiB.
PROFILES["0.13.0-beta2"] = dataclasses.replace(
    PROFILES["0.13"], key="0.13.0-beta2", full_version="0.13.0-0858859",
    latest_version="0.12.1", cameras_top_level=True, audio_fields=False)

# ---------------------------------------------------------------------------
# Canned pages (nginx / Flask / FastAPI / Frigate UI)
# ---------------------------------------------------------------------------


def nginx_page(status_line):
    return ("<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n"
            "<center><h1>%s</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n" % (status_line, status_line)).encode()


FLASK_ERRORS = {
    404: ("Not Found", "The requested URL was not found on the server. If you entered "
          "the URL manually please check your spelling and try again."),
    405: ("Method Not Allowed", "The method is not allowed for the requested URL."),
    500: ("Internal Server Error", "The server encountered an internal error and was "
          "unable to complete your request. Either the server is overloaded or there "
          "is an error in the application."),
}

UI_PAGE = (b'<!doctype html>\n<html lang="en">\n  <head>\n    <meta charset="UTF-8" />\n'
           b'    <link rel="icon" href="/images/favicon.ico" />\n'
           b'    <title>Frigate</title>\n  </head>\n  <body>\n'
           b'    <div id="root"></div>\n'
           b'    <script type="module" src="/assets/index.js"></script>\n'
           b'  </body>\n</html>\n')

# ---------------------------------------------------------------------------
# Log lines
# ---------------------------------------------------------------------------


def s6_stamp(ns):
    """s6-log prefix: ISO UTC with nanoseconds, two spaces follow it in the line."""
    secs, frac = divmod(ns, 1_000_000_000)
    base = datetime.datetime.fromtimestamp(secs, datetime.timezone.utc)
    return base.strftime("%Y-%m-%d %H:%M:%S") + ".%09d" % frac


def py_line(ns, logger, level, message):
    """Frigate's Python formatter: "[date] name-30 LEVEL-8: message" (container TZ = UTC)."""
    when = datetime.datetime.fromtimestamp(ns // 1_000_000_000, datetime.timezone.utc)
    return "[%s] %-30s %-8s: %s" % (when.strftime("%Y-%m-%d %H:%M:%S"), logger, level,
                                   message)


class Entry:
    """One line to log: a Python log record, or raw text (s6 scripts, tracebacks)."""

    def __init__(self, message, logger=None, level="INFO", same_stamp_as_prev=False):
        self.message = message
        self.logger = logger
        self.level = level
        self.same_stamp_as_prev = same_stamp_as_prev


def rec(logger, level, message):
    return Entry(message, logger, level)


def raw(text, same=False):
    return Entry(text, None, same_stamp_as_prev=same)


class LogBuffer:
    """The frigate service's /dev/shm/logs/frigate/current, optionally mirrored to a file.

    Rotation keeps no archive (s6 "n0"), so after a rotation only new lines are visible.
    """

    def __init__(self, path, rotate_bytes):
        self.lines = []
        self.size = 0
        self.path = path
        self.rotate_bytes = rotate_bytes
        self.generation = 0  # bumped on every truncation so streamers re-seek
        self.last_ns = 0
        self.cond = threading.Condition()
        if path:
            d = os.path.dirname(path)
            if d:
                os.makedirs(d, exist_ok=True)
            open(path, "w").close()

    def truncate(self):
        with self.cond:
            self.lines = []
            self.size = 0
            self.generation += 1
            if self.path:
                open(self.path, "w").close()
            self.cond.notify_all()

    def append(self, entries, at_ns=None):
        """Stamps and appends entries; returns the raw lines written."""
        written = []
        with self.cond:
            for e in entries:
                if e.same_stamp_as_prev and self.last_ns:
                    ns = self.last_ns
                else:
                    ns = at_ns if at_ns is not None else time.time_ns()
                    ns = max(ns, self.last_ns + 1)
                    if at_ns is not None:
                        at_ns = ns + 1000
                self.last_ns = ns
                if e.logger is None:
                    line = "%s  %s" % (s6_stamp(ns), e.message)
                else:
                    line = "%s  %s" % (s6_stamp(ns), py_line(ns, e.logger, e.level,
                                                            e.message))
                written.append(line)
                self._append_line(line)
            self.cond.notify_all()
        return written

    def append_verbatim(self, line):
        with self.cond:
            self._append_line(line)
            self.cond.notify_all()

    def _append_line(self, line):
        data = (line + "\n").encode()
        if self.rotate_bytes and self.size + len(data) > self.rotate_bytes:
            self.lines = []
            self.size = 0
            self.generation += 1
            if self.path:
                open(self.path, "w").close()
        self.lines.append(line)
        self.size += len(data)
        if self.path:
            with open(self.path, "a") as f:
                f.write(line + "\n")

    def text(self):
        with self.cond:
            return "".join(line + "\n" for line in self.lines)


def group_same_stamp(contents):
    """0.14/0.15 /api/logs: consecutive lines with the same s6 stamp become one entry."""
    out, key, current, date_end = [], "", "", 0
    for raw_line in contents.splitlines():
        clean = raw_line.strip()
        if len(clean) < 10:
            continue
        if "  " not in clean:
            clean = "%s  %s" % (datetime.datetime.now(), clean)
        if date_end == 0:
            date_end = clean.index("  ")
        new_key = clean[:date_end]
        if new_key == key:
            current += "\n" + clean[date_end:].strip()
            continue
        if current:
            out.append(current)
        key, current = new_key, clean
    out.append(current)  # Frigate appends even when empty: [""] for an empty file
    return out


def collapse_repeats(contents, service="frigate"):
    """0.16+ /api/logs: `process_logs` of frigate/util/services.py (identical at v0.16.4,
    v0.17.2 and v0.18.0-beta1; 0.14/0.15 do not collapse, see group_same_stamp).

    Lines are stripped; lines under 10 characters are dropped; a line without two spaces gets
    "<datetime.now()>  " in front. A line whose message equals the previous kept line's is
    dropped and counted; for the frigate service the message is what follows the first "]"
    (the Python date), so the same message logged at another time still repeats. When a run
    ends (another message, or the end of the file) Frigate appends
    "<s6 time of the run's FIRST line>  [LOGGING] Last message repeated <N> times", N = lines
    dropped. `start`/`end` then slice the processed list, so totalLines counts processed lines.
    """
    out, last_msg, last_ts, repeats = [], None, None, 0
    for raw_line in contents.splitlines():
        clean = raw_line.strip()
        if len(clean) < 10:
            continue
        if "  " not in clean:
            clean = "%s  %s" % (datetime.datetime.now(), clean)
        date_end = clean.index("  ")
        ts = clean[:date_end]
        full = clean[date_end:].strip()
        msg = full
        if service == "frigate":
            parts = full.split("]", 1)
            msg = parts[1].strip() if len(parts) > 1 else full
        if msg == last_msg:
            repeats += 1
            continue
        if repeats:
            out.append("%s  [LOGGING] Last message repeated %d times" % (last_ts, repeats))
            repeats = 0
        out.append(clean)
        last_ts, last_msg = ts, msg
    if repeats:
        out.append("%s  [LOGGING] Last message repeated %d times" % (last_ts, repeats))
    return out


# ---------------------------------------------------------------------------
# Log event wordings (by version), used by faults and POST /_sim/log {"event": ...}
# ---------------------------------------------------------------------------

BACKLOG_WORDINGS = {
    "unable_to_keep_up": "Unable to keep up with recording segments in cache for {camera}. "
                         "Keeping the {keep} most recent segments out of {count} and "
                         "discarding the rest...",
    "too_many_unprocessed": "Too many unprocessed recording segments in cache for "
                            "{camera}. This likely indicates an issue with the detect "
                            "stream, keeping the {keep} most recent segments out of "
                            "{count} and discarding the rest...",
    "too_many_segments": "Too many recording segments in cache for {camera}. Keeping the "
                         "{keep} most recent segments out of {count}, discarding the "
                         "rest...",
}

EDGETPU_LOGGER = "frigate.detectors.plugins.edgetpu_tfl"

# Healthy inference speed (ms) per detector type, from Frigate's docs/docs/frigate/hardware.md
# (v0.16.4, v0.17.2): Coral ~10 ms, rk3566 1 core YOLO-NAS small ~96 ms, Tesla P40 YOLO-NAS 320
# ~105 ms (onnx), Intel iGPU ~15 ms (openvino), Hailo-8L ~10 ms; CPU detectors ~100 ms and up.
TYPICAL_INFERENCE_MS = {"edgetpu": 8.0, "cpu": 95.0, "openvino": 15.0, "onnx": 12.0,
                        "tensorrt": 12.0, "rknn": 96.0, "hailo8l": 10.0, "rocm": 20.0}


def at_least(sim, version):
    """True when the simulated Frigate is `version` ("0.16") or newer."""
    return tuple(int(x) for x in sim.profile.key.split(".")) >= \
        tuple(int(x) for x in version.split("."))


def require(sim, version, what):
    if not at_least(sim, version):
        raise BadRequest("%s is logged by Frigate %s+ only (this is %s)"
                         % (what, version, sim.profile.key))


def ev_detector_start(sim, det):
    p = sim.profile
    out = []
    if p.starting_detection_line:
        out.append(rec("detector." + det, "INFO",
                       "Starting detection process: %d" % sim.pids["detector:" + det]))
    if sim.detector_type(det) == "edgetpu":
        out.append(rec(EDGETPU_LOGGER, "INFO", "Attempting to load TPU as usb"))
        out.append(rec(EDGETPU_LOGGER, "INFO", "TPU found"))
    return out


def ev_stuck(sim, det, **_):
    """Watchdog restarting a hung detector, which comes back with a new pid."""
    p = sim.profile
    out = [rec("frigate.watchdog", "INFO",
               "Detection appears to be stuck. Restarting detection process..."),
           rec("root", "INFO", "Waiting for detection process to exit gracefully...")]
    if p.signal_exit_line:
        out.append(rec("detector." + det, "INFO", "Signal to exit detection process..."))
    out.append(rec("detector." + det, "INFO", "Exited detection process..."))
    out.append(rec("root", "INFO", "Detection process has exited..."))
    sim.pids["detector:" + det] = sim.new_pid()
    return out + ev_detector_start(sim, det)


def ev_force_kill(sim, det, **_):
    """Stuck detector whose SIGKILL never completes: nothing follows "Force killing"."""
    return [rec("frigate.watchdog", "INFO",
                "Detection appears to be stuck. Restarting detection process..."),
            rec("root", "INFO", "Waiting for detection process to exit gracefully..."),
            rec("root", "INFO",
                "Detection process %s exit. Force killing..." % sim.profile.didnt)]


def ev_edgetpu_missing(sim, det, wrong_model=False, **_):
    """The detector fails to load its delegate and dies; Frigate's watchdog then exits.

    wrong_model (0.16+, frigate/detectors/plugins/edgetpu_tfl.py v0.16.4): the model file is
    not .tflite, so the same ValueError is logged as "Incorrect model used with EdgeTPU".
    """
    out = []
    if sim.profile.starting_detection_line:
        out.append(rec("detector." + det, "INFO",
                       "Starting detection process: %d" % sim.pids["detector:" + det]))
    if wrong_model:
        require(sim, "0.16", "Incorrect model used with EdgeTPU")
        error = ("Incorrect model used with EdgeTPU. Only .tflite models can be used with "
                 "a Coral EdgeTPU.")
    else:
        error = ("No EdgeTPU was detected. If you do not have a Coral device yet, you "
                 "must configure CPU detectors.")
    out += [rec(EDGETPU_LOGGER, "INFO", "Attempting to load TPU as usb"),
            rec(EDGETPU_LOGGER, "ERROR", error),
            raw("Process detector:%s:" % det),
            raw("Traceback (most recent call last):", same=True),
            raw('  File "/usr/lib/python3.9/multiprocessing/process.py", line 315, in '
                "_bootstrap", same=True),
            raw("    self.run()", same=True),
            raw("ValueError: Failed to load delegate from libedgetpu.so.1.0", same=True),
            rec("frigate.watchdog", "INFO",
                "Detection appears to have stopped. Exiting Frigate...")]
    return out


def ev_stopped(sim, det, **_):
    return [rec("frigate.watchdog", "INFO",
                "Detection appears to have stopped. Exiting Frigate...")]


def ev_backlog(sim, camera, wording=None, keep=None, segments=None, **_):
    wording = wording or "unable_to_keep_up"
    keep = keep or sim.profile.keep_count
    segments = segments or keep + 3
    text = BACKLOG_WORDINGS[wording].format(camera=camera, keep=keep, count=segments)
    return [rec(sim.profile.record_logger, "WARNING", text)]


def ev_no_frames(sim, camera, **_):
    return [rec("frigate.video", "ERROR",
                "%s: Unable to read frames from ffmpeg process." % camera),
            rec("frigate.video", "ERROR",
                "%s: ffmpeg process is not running. exiting capture thread..." % camera),
            rec("watchdog." + camera, "INFO",
                "No frames received from %s in 20 seconds. Exiting ffmpeg..." % camera)]


def ev_ffmpeg_crash(sim, camera, **_):
    return [rec("watchdog." + camera, "ERROR",
                "Ffmpeg process crashed unexpectedly for %s." % camera),
            rec("watchdog." + camera, "ERROR",
                "The following ffmpeg logs include the last 100 lines prior to exit."),
            rec("ffmpeg.%s.detect" % camera, "ERROR",
                "[rtsp @ 0x55d2c8a3c6c0] method DESCRIBE failed: 404 Not Found")]


def ev_record_stalled(sim, camera, **_):
    return [rec("watchdog." + camera, "ERROR",
                sim.profile.record_restart_msg.format(camera=camera))]


def ev_exceeded_fps(sim, camera, **_):
    return [rec("watchdog." + camera, "INFO",
                "%s exceeded fps limit. Exiting ffmpeg..." % camera)]


def ev_corrupt_segment(sim, camera, **_):
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    name = ("%s-%s.mp4" % (camera, stamp) if sim.profile.key == "0.12"
            else "%s@%s+0000.mp4" % (camera, stamp))
    return [rec(sim.profile.record_logger, "WARNING",
                "Discarding a corrupt recording segment: /tmp/cache/" + name)]


def ev_audio_ffmpeg(sim, camera, **_):
    """frigate/events/audio.py v0.13.2 .. v0.17.2: the audio ffmpeg died; Frigate restarts it."""
    require(sim, "0.13", "the audio ffmpeg restart line")
    return [rec("audio." + camera, "ERROR", "ffmpeg process is not running, restarting...")]


def ev_invalid_segment(sim, camera, **_):
    """frigate/video.py v0.17.2 CameraWatchdog: the recorder published an invalid segment."""
    require(sim, "0.17", "Invalid recording segment detected")
    return [rec("watchdog." + camera, "WARNING",
                "Invalid recording segment detected for %s at %.1f"
                % (camera, time.time() - 10))]


def ev_heartbeat(sim, **_):
    # Real Frigate is quiet at INFO when healthy; this synthetic line only makes the log
    # grow (and, on 0.16+, exercises the "Last message repeated" collapsing).
    return [rec("frigate.sim", "INFO", "All cameras and detectors running")]


# event name -> (builder, subject kind)
LOG_EVENTS = {
    "stuck": (ev_stuck, "detector"),
    "force_kill": (ev_force_kill, "detector"),
    "edgetpu_missing": (ev_edgetpu_missing, "detector"),
    "stopped": (ev_stopped, "detector"),
    "backlog": (ev_backlog, "camera"),
    "no_frames": (ev_no_frames, "camera"),
    "ffmpeg_crash": (ev_ffmpeg_crash, "camera"),
    "record_stalled": (ev_record_stalled, "camera"),
    "exceeded_fps": (ev_exceeded_fps, "camera"),
    "corrupt_segment": (ev_corrupt_segment, "camera"),
    "audio_ffmpeg": (ev_audio_ffmpeg, "camera"),
    "invalid_segment": (ev_invalid_segment, "camera"),
    "heartbeat": (ev_heartbeat, None),
}

# ---------------------------------------------------------------------------
# Faults
# ---------------------------------------------------------------------------

# name -> default params. "persistent": survives /api/restart (edgetpu_missing always does:
# a restart never fixes a missing Coral).
FAULTS = {
    "slow_inference": {"ms": 150.0, "detector": "all"},
    "stuck_detector": {"detector": None, "age_seconds": 30.0},
    "stuck_lines": {"count": 1, "interval_seconds": 10.0, "once": False,
                    "detector": None},
    # interval_seconds 0: `count` lines at once. > 0: one line every interval (the first at
    # once) while the fault lasts, `count` lines in all (0: no limit). The lines are identical
    # (same camera and segments), so 0.16+ /api/logs collapses them as it does in real life.
    "backlog_lines": {"camera": None, "count": 1, "wording": None, "segments": None,
                      "interval_seconds": 0.0},
    "force_kill_no_new_detector": {"detector": None},
    # crash_after_seconds > 0: Frigate exits that long after each start, as the real
    # watchdog does when the detector process dies (a crash loop the restart can't fix).
    # wrong_model (0.16+): a non-.tflite model instead of a missing device; same crash loop.
    "edgetpu_missing": {"detector": None, "crash_after_seconds": 0.0, "wrong_model": False},
    "cameras_offline": {"cameras": "all"},
    "camera_pid_null": {"cameras": "all"},
    "high_skip": {"ratio": 0.5, "cameras": "all"},
    "api_down": {},
    "api_502": {"paths": None},
    "api_slow": {"seconds": 3.0, "paths": None},
    "api_500": {"paths": None},
    "html_instead_of_json": {"paths": None},
    "truncated_json": {"paths": ["/api/stats"], "mode": "body"},
    "huge_body": {"mb": 50, "paths": ["/api/stats"]},
    "log_rotation": {},
    "unknown_fields": {},
    "percent_junk": {},
}
ALWAYS_PERSISTENT = {"edgetpu_missing"}
ONE_SHOT = {"log_rotation"}
API_FAULT_ORDER = ("api_502", "api_500", "html_instead_of_json")


class BadRequest(Exception):
    pass


# ---------------------------------------------------------------------------
# The simulated Frigate instance
# ---------------------------------------------------------------------------


class Sim:
    def __init__(self, args):
        self.args = args
        self.profile = PROFILES[args.version]
        self.lock = threading.RLock()
        self.cameras = args.camera_names
        self.detectors = args.detectors  # list of (name, type)
        self.stats_interval = args.stats_interval
        self.boot_wall = time.time() - args.start_uptime
        self.restart_count = 0
        self.stats_requests = 0
        self.requests = 0
        self.faults = {}
        self.next_pid = 100
        self.pids = {}
        self.snapshot = None
        self.snapshot_seq = 0
        self.dirty = True
        self.api_server = None
        self.api_up = False
        self.api_port = args.port
        self.restarting = False
        self.stopping = False
        self.frozen_inference = {}
        self.log = LogBuffer(args.log_file, args.log_rotate_bytes)
        self.next_heartbeat = time.time() + args.log_interval if args.log_interval else None
        self._boot(self.boot_wall)

    # -- helpers ---------------------------------------------------------
    def new_pid(self):
        self.next_pid += 7
        return self.next_pid

    def live_cameras(self):
        """Cameras Frigate starts processes for (enabled in the config)."""
        return [c for c in self.cameras if c not in self.args.disabled_cameras]

    def set_camera_enabled(self, camera, enabled):
        """MQTT <camera>/enabled/set ON|OFF (0.16+, dispatcher._on_enabled_command): the
        capture stops, nothing resets the camera's fps figures, /api/config shows it."""
        if not self.profile.runtime_camera_toggle:
            raise BadRequest("cameras can be switched at runtime from 0.16 on")
        camera = self.subject("camera", camera)
        with self.lock:
            if camera in self.args.disabled_cameras:
                self.emit([rec("frigate.comms.dispatcher", "ERROR",
                               "Camera must be enabled in the config to be turned on via "
                               "MQTT.")] if enabled else [])
                return False
            if enabled and camera in self.runtime_off:
                del self.runtime_off[camera]
                self.emit([rec("frigate.comms.dispatcher", "INFO",
                               "Turning on camera %s" % camera)])
            elif not enabled and camera not in self.runtime_off:
                last = self.snapshot[1] if self.snapshot else self.stats()
                cams = last if self.profile.cameras_top_level else last.get("cameras", {})
                self.runtime_off[camera] = {k: cams.get(camera, {}).get(k, 0.0) for k in (
                    "camera_fps", "process_fps", "skipped_fps", "detection_fps")}
                self.emit([rec("frigate.comms.dispatcher", "INFO",
                               "Turning off camera %s" % camera)])
            self.dirty = True
            return True

    def detector_type(self, name):
        return dict(self.detectors).get(name, "edgetpu")

    def uptime(self, at=None):
        return max(0, int((at or time.time()) - self.boot_wall))

    def _boot(self, when):
        """A fresh Frigate process tree: new pids, start-up lines in a fresh log."""
        self.pids = {}
        for name in ("logger", "go2rtc", "recording", "review_segment", "embeddings",
                     "audio_detector", "output", "nginx"):
            self.pids[name] = self.new_pid()
        for det, _ in self.detectors:
            self.pids["detector:" + det] = self.new_pid()
        for cam in self.live_cameras():
            for role in ("process", "capture", "ffmpeg"):
                self.pids["%s:%s" % (role, cam)] = self.new_pid()
        self.runtime_off = {}  # a restart brings back what the config says
        for name in _UNCLAIMED:
            self.pids[name] = self.new_pid()
        self.frozen_inference = {}
        self.dirty = True
        self.log.truncate()
        entries = [raw("[INFO] Preparing Frigate..."), raw("[INFO] Starting Frigate..."),
                   rec("frigate.app", "INFO",
                       "Starting Frigate (%s)" % self.profile.full_version),
                   rec("peewee_migrate.logs", "INFO", "Starting migrations"),
                   rec("peewee_migrate.logs", "INFO", "There is nothing to migrate"),
                   rec("frigate.app", "INFO",
                       "Recording process started: %d" % self.pids["recording"]),
                   rec("frigate.app", "INFO",
                       "go2rtc process pid: %d" % self.pids["go2rtc"])]
        for det, _ in self.detectors:
            entries += ev_detector_start(self, det)
        entries.append(rec("frigate.app", "INFO",
                           "Output process started: %d" % self.pids["output"]))
        # app.py start_camera_processors / start_camera_capture_processes (0.12-0.16; 0.17+
        # camera/maintainer.py): a camera with enabled: false gets no process, only this line.
        for cam in self.cameras:
            if cam in self.args.disabled_cameras:
                entries.append(rec(self.profile.camera_logger, "INFO",
                                   "Camera processor not started for disabled camera %s" % cam))
            else:
                entries.append(rec(self.profile.camera_logger, "INFO",
                                   "Camera processor started for %s: %d"
                                   % (cam, self.pids["process:" + cam])))
        for cam in self.cameras:
            if cam in self.args.disabled_cameras:
                entries.append(rec(self.profile.camera_logger, "INFO",
                                   "Capture process not started for disabled camera %s" % cam))
            else:
                entries.append(rec(self.profile.camera_logger, "INFO",
                                   "Capture process started for %s: %d"
                                   % (cam, self.pids["capture:" + cam])))
        self.log.append(entries, at_ns=int(when * 1e9))

    def emit(self, entries):
        return self.log.append(entries)

    def subject(self, kind, value):
        if kind == "detector":
            names = [d for d, _ in self.detectors]
            if value is None:
                return names[0]
            if value not in names:
                raise BadRequest("unknown detector %r (have %s)" % (value, names))
            return value
        if kind == "camera":
            if value is None:
                return self.cameras[0]
            if value not in self.cameras:
                raise BadRequest("unknown camera %r (have %s)" % (value, self.cameras))
            return value
        return None

    def affected_cameras(self, fault):
        sel = self.faults.get(fault, {}).get("cameras", "all")
        if sel == "all" or sel is None:
            return set(self.cameras)
        if isinstance(sel, str):
            sel = [sel]
        return set(sel)

    # -- faults ----------------------------------------------------------
    def set_fault(self, name, params):
        if name not in FAULTS:
            raise BadRequest("unknown fault %r; known: %s" % (name, sorted(FAULTS)))
        merged = dict(FAULTS[name])
        for k, v in params.items():
            if k == "fault":
                continue
            if k not in merged and k != "persistent":
                raise BadRequest("fault %s has no parameter %r" % (name, k))
            merged[k] = v
        merged["persistent"] = bool(params.get("persistent", False)) or (
            name in ALWAYS_PERSISTENT)
        self._validate(name, merged)
        go_down = False
        with self.lock:
            if name in ONE_SHOT:
                self._one_shot(name)
                return {"fault": name, "one_shot": True}
            merged["set_at"] = time.time()
            self.faults[name] = merged
            self.dirty = True
            self._activate(name, merged)
            go_down = name == "api_down"
        if go_down:
            self.take_api_down()
        return dict(merged, fault=name)

    def _validate(self, name, p):
        for key in ("ms", "age_seconds", "interval_seconds", "seconds", "ratio", "mb",
                    "crash_after_seconds"):
            if key in p and p[key] is not None:
                try:
                    p[key] = float(p[key])
                except (TypeError, ValueError):
                    raise BadRequest("%s.%s must be a number" % (name, key))
                if p[key] < 0:
                    raise BadRequest("%s.%s must be >= 0" % (name, key))
        if "count" in p:
            try:
                p["count"] = int(p["count"])
            except (TypeError, ValueError):
                raise BadRequest("%s.count must be an integer" % name)
        if name == "high_skip" and not 0 <= p["ratio"] <= 1:
            raise BadRequest("high_skip.ratio must be within 0..1")
        if p.get("wording") is not None and p["wording"] not in BACKLOG_WORDINGS:
            raise BadRequest("wording must be one of %s" % sorted(BACKLOG_WORDINGS))
        if p.get("wording") == "too_many_unprocessed":
            require(self, "0.15", "Too many unprocessed recording segments")
        if p.get("wrong_model"):
            require(self, "0.16", "Incorrect model used with EdgeTPU")
        if "detector" in p and not (name == "slow_inference" and p["detector"] == "all"):
            p["detector"] = self.subject("detector", p["detector"])
        if name == "backlog_lines":
            p["camera"] = self.subject("camera", p["camera"])
        if "cameras" in p and p["cameras"] not in ("all", None):
            cams = [p["cameras"]] if isinstance(p["cameras"], str) else p["cameras"]
            for c in cams:
                self.subject("camera", c)
        if name == "truncated_json" and p["mode"] not in ("body", "connection"):
            raise BadRequest("truncated_json.mode must be body or connection")

    def _activate(self, name, p):
        """Side effects of a fault starting (or surviving a restart). Lock held."""
        if name == "stuck_lines":
            if p["once"]:
                for _ in range(max(p["count"], 0)):
                    self.emit(ev_stuck(self, p["detector"]))
                p["emitted"] = p["count"]
            else:
                p["emitted"] = 0
                p["next_at"] = time.time()  # first one at once, then every interval
        elif name == "backlog_lines":
            wording = p["wording"] or "unable_to_keep_up"
            if p["interval_seconds"] > 0:
                p["emitted"] = 0
                p["next_at"] = time.time()  # first one at once (tick), then every interval
            else:
                for _ in range(max(p["count"], 0)):
                    self.emit(ev_backlog(self, p["camera"], wording=wording,
                                         segments=p["segments"]))
        elif name == "force_kill_no_new_detector":
            det = p["detector"]
            self.frozen_inference[det] = self._inference_base(det, self.snapshot_seq)
            self.emit(ev_force_kill(self, det))
        elif name == "stuck_detector":
            det = p["detector"]
            self.frozen_inference[det] = self._inference_base(det, self.snapshot_seq)
        elif name == "edgetpu_missing":
            self.emit(ev_edgetpu_missing(self, p["detector"],
                                         wrong_model=bool(p.get("wrong_model"))))

    def _one_shot(self, name):
        if name == "log_rotation":
            self.log.truncate()

    def clear_fault(self, name=None):
        with self.lock:
            if name is None:
                cleared = sorted(self.faults)
                self.faults = {}
            elif name in self.faults:
                cleared = [name]
                del self.faults[name]
            else:
                cleared = []
            self.frozen_inference = {}
            self.dirty = True
            need_up = "api_down" in cleared and not self.restarting and not self.stopping
        if need_up:
            self.bring_api_up()
        return cleared

    def fault(self, name):
        return self.faults.get(name)

    # -- periodic work (heartbeat lines, stuck_lines cadence) ------------
    def tick(self):
        now = time.time()
        with self.lock:
            if self.restarting:
                return
            if self.next_heartbeat is not None and now >= self.next_heartbeat:
                self.emit(ev_heartbeat(self))
                self.next_heartbeat = now + self.args.log_interval
            f = self.faults.get("stuck_lines")
            if f and not f["once"] and now >= f.get("next_at", now):
                if f["count"] <= 0 or f["emitted"] < f["count"]:
                    self.emit(ev_stuck(self, f["detector"]))
                    f["emitted"] += 1
                    self.dirty = True
                f["next_at"] = now + max(f["interval_seconds"], 0.05)
            b = self.faults.get("backlog_lines")
            if b and b["interval_seconds"] > 0 and now >= b.get("next_at", now):
                if b["count"] <= 0 or b["emitted"] < b["count"]:
                    self.emit(ev_backlog(self, b["camera"],
                                         wording=b["wording"] or "unable_to_keep_up",
                                         segments=b["segments"]))
                    b["emitted"] += 1
                b["next_at"] = now + max(b["interval_seconds"], 0.05)
            em = self.faults.get("edgetpu_missing")
            if em and em["crash_after_seconds"] > 0 and \
                    now - max(em["set_at"], self.boot_wall) >= em["crash_after_seconds"]:
                self.restart()

    # -- restart ---------------------------------------------------------
    def restart(self, downtime=None):
        """Frigate exits, the container is down for `downtime` s, then starts fresh."""
        downtime = self.args.restart_downtime if downtime is None else downtime
        with self.lock:
            if self.restarting:
                return False
            self.restarting = True
            self.restart_count += 1
            self.emit([raw("[INFO] Service Frigate exited with code 0 (by signal 0)")])
        threading.Thread(target=self._restart_body, args=(downtime,), daemon=True).start()
        return True

    def _restart_body(self, downtime):
        time.sleep(0.05)  # let the 200 reach the client first
        self.take_api_down()
        time.sleep(downtime)
        with self.lock:
            survivors = {k: v for k, v in self.faults.items() if v.get("persistent")}
            self.faults = survivors
            self.boot_wall = time.time()
            self._boot(self.boot_wall)
            self.snapshot = None
            for name, p in survivors.items():
                self._activate(name, p)
            self.restarting = False
            stay_down = "api_down" in survivors or self.stopping
        if not stay_down:
            self.bring_api_up()

    # -- API listener lifecycle ------------------------------------------
    def bring_api_up(self):
        deadline = time.time() + 10
        while True:
            try:
                srv = ApiServer((self.args.host, self.api_port), ApiHandler, self)
                break
            except OSError as e:
                if time.time() > deadline:
                    print("frigate-sim: cannot re-bind API port %s: %s" % (
                        self.api_port, e), file=sys.stderr, flush=True)
                    return False
                time.sleep(0.1)
        with self.lock:
            self.api_server = srv
            self.api_port = srv.server_address[1]
            self.api_up = True
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return True

    def take_api_down(self):
        with self.lock:
            srv, self.api_server = self.api_server, None
            self.api_up = False
        if srv is None:
            return
        srv.closing = True
        try:
            # Stop listening at once (Linux): new connects are refused right away instead
            # of queueing in the backlog until the serve loop notices the shutdown.
            srv.socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        srv.shutdown()
        srv.server_close()
        with srv.conns_lock:
            conns = list(srv.conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        with self.log.cond:
            self.log.cond.notify_all()

    # -- stats -----------------------------------------------------------
    def stats(self):
        """The /api/stats body: fresh (<=0.13 or interval 0) or the cached snapshot."""
        now = time.time()
        with self.lock:
            fresh = (self.snapshot is None or self.dirty or self.stats_interval <= 0
                     or now - self.snapshot[0] >= self.stats_interval)
            if fresh:
                self.snapshot_seq += 1
                self.snapshot = (now, self._build_stats(now, self.snapshot_seq))
                self.dirty = False
            return self.snapshot[1]

    def _inference_base(self, det, seq):
        """The detector's healthy speed: its type's typical figure, wobbling by snapshot (Frigate
        reports a running average, so it moves a little with every inference)."""
        h = sum(map(ord, str(det)))
        base = TYPICAL_INFERENCE_MS.get(self.detector_type(det), 20.0)
        return round(base + ((seq * 7 + h) % 13) * base * 0.014, 2)

    def _build_stats(self, now, seq):
        p = self.profile
        cfg = self.args
        cams = {}
        offline = self.affected_cameras("cameras_offline") if "cameras_offline" in \
            self.faults else set()
        null_pid = self.affected_cameras("camera_pid_null") if "camera_pid_null" in \
            self.faults else set()
        skip = self.faults.get("high_skip")
        skip_cams = self.affected_cameras("high_skip") if skip else set()
        detection_dead = any(f in self.faults for f in (
            "force_kill_no_new_detector", "stuck_detector", "edgetpu_missing"))
        junk = "unknown_fields" in self.faults
        for i, cam in enumerate(self.cameras):
            if cam in cfg.disabled_cameras:
                # Never started: the mp.Values stay 0, no process or capture process (pid
                # null), ffmpeg_pid's Value object is truthy so its 0 is sent (stats_snapshot).
                c = {"camera_fps": 0.0, "process_fps": 0.0, "skipped_fps": 0.0,
                     "detection_fps": 0.0, "pid": None, "capture_pid": None, "ffmpeg_pid": 0,
                     "detection_enabled": cam not in cfg.detect_disabled
                     if p.detection_enabled_bool else int(cam not in cfg.detect_disabled)}
                if p.audio_fields:
                    c["audio_rms"] = 0.0
                    c["audio_dBFS"] = 0.0
                cams[cam] = c
                continue
            detect_on = cam not in cfg.detect_disabled
            fps = float(cfg.detect_fps)
            camera_fps = round(fps + ((seq + i) % 3 - 1) * 0.1, 2)
            process_fps, skipped = camera_fps, 0.0
            if cam in skip_cams:
                skipped = round(camera_fps * skip["ratio"], 2)
                process_fps = round(camera_fps - skipped, 2)
            det_fps = round(0.6 + ((seq * 3 + i) % 5) * 0.3, 2) if detect_on else 0.0
            if cam in offline:
                camera_fps = process_fps = skipped = det_fps = 0.0
            if detection_dead:
                det_fps = 0.0
            if cam in self.runtime_off:  # the figures of the moment it was switched off
                frozen = self.runtime_off[cam]
                camera_fps, process_fps = frozen["camera_fps"], frozen["process_fps"]
                skipped, det_fps = frozen["skipped_fps"], frozen["detection_fps"]
            c = {"camera_fps": camera_fps, "process_fps": process_fps,
                 "skipped_fps": skipped, "detection_fps": det_fps,
                 "pid": None if cam in null_pid else self.pids["process:" + cam],
                 "capture_pid": self.pids["capture:" + cam],
                 "ffmpeg_pid": self.pids["ffmpeg:" + cam],
                 "detection_enabled": detect_on if p.detection_enabled_bool
                 else int(detect_on)}
            if p.audio_fields:
                c["audio_rms"] = 0.0
                c["audio_dBFS"] = 0.0
            if junk:
                c["connection_quality"] = "excellent"
                c["sim_future_metric"] = 1.25
            cams[cam] = c

        detectors = {}
        for d, (det, _) in enumerate(self.detectors):
            speed = self._inference_base(det, seq)
            start = 0.0 if seq % 4 else round(now - 0.003, 6)  # in flight now and then
            pid = self.pids["detector:" + det]
            slow = self.faults.get("slow_inference")
            if slow and slow["detector"] in ("all", det):
                speed = round(slow["ms"], 2)
            for f in ("force_kill_no_new_detector", "stuck_detector"):
                if self.faults.get(f, {}).get("detector") == det:
                    speed = self.frozen_inference.get(det, speed)
                    start = 0.0
            st = self.faults.get("stuck_detector")
            if st and st["detector"] == det:
                start = round(st["set_at"] - st["age_seconds"], 6)
            em = self.faults.get("edgetpu_missing")
            if em and em["detector"] == det:
                speed, start, pid = 10.0, 0.0, None
            detectors[det] = {"inference_speed": speed, "detection_start": start,
                              "pid": pid}
            if junk:
                detectors[det]["sim_future_field"] = "x"

        body = {}
        if p.cameras_top_level:
            body.update(cams)
        else:
            body["cameras"] = cams
        body["detectors"] = detectors
        body["detection_fps"] = round(sum(c["detection_fps"] for c in cams.values()), 2)
        if p.fps_totals:
            for k in ("camera_fps", "process_fps", "skipped_fps"):
                body[k] = round(sum(c[k] for c in cams.values()), 2)
        body["cpu_usages"] = self._cpu_usages(seq)
        body["gpu_usages"] = self._gpu_usages()
        if p.bandwidth_usages:
            body["bandwidth_usages"] = self._bandwidth_usages(seq)
        if p.processes:
            body["processes"] = {n: {"pid": self.pids[_PROC_PID.get(n, n)]}
                                 for n in p.processes}
        if p.embeddings:
            body["embeddings"] = {"image_embedding_speed": 41.27,
                                  "text_embedding_speed": 9.84}
        snap_ts = int(now)
        service = {"uptime": self.uptime(now), "version": p.full_version,
                   "latest_version": p.latest_version, "storage": self._storage(),
                   "temperatures": self._temperatures(), "last_updated": snap_ts}
        if junk:
            service["sim_future_service_field"] = [1, 2]
        body["service"] = service
        if junk:
            body["sim_future_top_level"] = {"nested": True}
        return body

    def _cpu_usages(self, seq):
        p = self.profile
        names = {}
        for name in ("logger", "go2rtc", "recording", "output"):
            names[self.pids[name]] = {"logger": "frigate.logger       ",
                                      "go2rtc": "/usr/local/go2rtc/bin/go2rtc",
                                      "recording": "frigate.recording_manager",
                                      "output": "frigate.output"}[name]
        em = self.faults.get("edgetpu_missing")
        for det, _ in self.detectors:
            if not (em and em["detector"] == det):
                names[self.pids["detector:" + det]] = "frigate.detector." + det
        null_pid = self.affected_cameras("camera_pid_null") if "camera_pid_null" in \
            self.faults else set()
        for cam in self.live_cameras():
            if cam not in null_pid:
                names[self.pids["process:" + cam]] = "frigate.process:" + cam
            names[self.pids["capture:" + cam]] = "frigate.capture:" + cam
            names[self.pids["ffmpeg:" + cam]] = (
                "ffmpeg -hide_banner -loglevel warning -threads 2 -rtsp_transport tcp "
                "-timeout 5000000 -use_wallclock_as_timestamps 1 -i "
                "rtsp://*:*@127.0.0.1:8554/%s -r %s -vf fps=%s,scale=1280:720 -f rawvideo "
                "-pix_fmt yuv420p pipe:" % (cam, self.args.detect_fps,
                                            self.args.detect_fps))
        # Processes no Frigate table claims: s6, nginx, Frigate's main process
        # (docker/main/rootfs/etc/s6-overlay/s6-rc.d/*/run at each tag); psutil sees them all.
        names[1] = "/package/admin/s6/command/s6-svscan -d4 -- /run/service"
        for name, cmd in _UNCLAIMED.items():
            names[self.pids[name]] = cmd
        out = {}
        for i, (pid, cmd) in enumerate(sorted(names.items())):
            cpu = "%.1f" % (1.0 + ((seq + i) % 9) * 0.7)
            mem = "%.1f" % (0.4 + (i % 5) * 0.3)
            if p.cpu_style == "top":
                out[str(pid)] = {"cpu": cpu, "mem": mem}
            else:
                out[str(pid)] = {"cmdline": cmd, "cpu": cpu, "cpu_average": "%.1f" % (
                    float(cpu) * 0.8), "mem": mem}
        if p.cpu_style == "top":
            # top's header lines parsed as if they were process rows (issue #9373)
            out.update({"%Cpu(s):": {"cpu": "id,", "mem": "0.0"},
                        "MiB": {"cpu": "avail", "mem": "Mem"},
                        "Tasks:": {"cpu": "0", "mem": "stopped,"},
                        "PID": {"cpu": "%CPU", "mem": "%MEM"}})
        if p.full_system:
            out["frigate.full_system"] = {"cpu": "23.4", "mem": "41.7"}
        if "percent_junk" in self.faults:
            keys = [k for k in out if k[0].isdigit()]
            junk = [("4.5%", "2.0%"), ("-%", "-"), ("", "")]
            for k, (c, m) in zip(keys, junk):
                out[k]["cpu"], out[k]["mem"] = c, m
        return out

    def _gpu_usages(self):
        """gpu_usages for the GPUs of --gpus, as set_gpu_stats (frigate/stats/util.py, 0.14+;
        frigate/stats.py before) keys and spells them at each version."""
        p = self.profile
        if "percent_junk" in self.faults:
            return {"intel-vaapi": {"gpu": "", "mem": "-%"}}
        out = {}
        if "intel" in self.args.gpus:
            if p.key == "0.12":
                out["intel-vaapi"] = {"gpu": "12.5 %", "mem": "- %"}
            elif p.key == "0.18":
                # get_intel_gpu_stats at v0.18.0-beta1 (frigate/util/services.py): DRM fdinfo
                # engines pooled into compute (render/3D + compute) and dec (video +
                # video-enhance), gpu their sum; keyed by the name intel_gpu_info.py resolves.
                clients = {str(self.pids["ffmpeg:" + c]): "2.5%" for c in self.cameras}
                out["Core i5-12500 iGPU"] = {"vendor": "intel", "gpu": "12.5%", "mem": "-%",
                                             "compute": "4.25%", "dec": "8.25%",
                                             "clients": clients}
            else:
                out["intel-vaapi"] = {"gpu": "12.5%", "mem": "-%"}
        if "nvidia" in self.args.gpus and p.key != "0.12":
            # NVML figures: gpu, mem, enc, dec since 0.13 (frigate/stats.py, then
            # frigate/stats/util.py); 0.18 adds vendor and temp.
            gpu = {"gpu": "34.0%", "mem": "41.27%", "enc": "12.0%", "dec": "27.0%"}
            if p.key == "0.18":
                gpu = {"vendor": "nvidia", **gpu, "temp": "58.0"}
            out["NVIDIA GeForce RTX 3060"] = gpu
        return out

    def _bandwidth_usages(self, seq):
        """What get_bandwidth_stats (frigate/util/services.py, v0.13.2 to v0.17.2) keeps of
        `nethogs -t`: KB/s sent + received, rounded to 0.1, keyed by the pid of each camera's
        ffmpeg and of go2rtc (detectors only with a network detector)."""
        out = {}
        for i, cam in enumerate(self.live_cameras()):  # a disabled camera runs no ffmpeg
            out[str(self.pids["ffmpeg:" + cam])] = {
                "bandwidth": round(480.0 + ((seq + i) % 7) * 12.5, 1)}
        out[str(self.pids["go2rtc"])] = {"bandwidth": round(95.0 + (seq % 5) * 3.2, 1)}
        return out

    def _temperatures(self):
        if any(t == "edgetpu" for _, t in self.detectors):
            return {"apex_0": 44.85}
        return {}

    def _storage(self):
        p = self.profile
        div = p.storage_divisor
        disks = (("/media/frigate/recordings", 1_000_203_091_968, 412_345_678_848, "ext4"),
                 ("/media/frigate/clips", 1_000_203_091_968, 412_345_678_848, "ext4"),
                 ("/tmp/cache", 1_073_741_824, 52_428_800, "tmpfs"),
                 ("/dev/shm", 268_435_456, 98_566_144, "tmpfs"))
        out = {}
        for path, total, used, mount in disks:
            out[path] = {"total": round(total / div, 1), "used": round(used / div, 1),
                         "free": round((total - used) / div, 1), "mount_type": mount}
        if p.shm_extra:
            shm = out["/dev/shm"]
            frame = round((1280 * 720 * 1.5 + 270480) / 1048576, 1)
            cam_total = round(frame * (len(self.cameras) + 2), 1)
            available = round(shm["total"] - 50, 1)
            shm.update({"available": available, "camera_frame_size": cam_total,
                        "shm_frame_count": min(50, int(available / cam_total)),
                        "min_shm": round(50 + cam_total * 20)})
        return out

    def config(self):
        cfg = self.args
        cams = {}
        for cam in self.cameras:
            in_config = cam not in cfg.disabled_cameras
            cams[cam] = {
                "name": cam, "enabled": in_config and cam not in self.runtime_off,
                "ffmpeg": {"inputs": [{"path": "rtsp://127.0.0.1:8554/" + cam,
                                       "roles": ["detect", "record"]}],
                           "retry_interval": 10},
                "detect": {"enabled": cam not in cfg.detect_disabled,
                           "fps": cfg.detect_fps, "width": 1280, "height": 720},
                "record": {"enabled": cam not in cfg.record_disabled,
                           "retain": {"days": 0, "mode": "all"}},
                "audio": {"enabled": False},
                "snapshots": {"enabled": False},
                "ffmpeg_cmds": [{"roles": ["detect", "record"],
                                 "cmd": "ffmpeg -hide_banner -i rtsp://*:*@127.0.0.1:8554/"
                                        + cam + " -f rawvideo pipe:"}],
            }
            if self.profile.runtime_camera_toggle:
                cams[cam]["enabled_in_config"] = in_config
        dets = {}
        for name, typ in self.detectors:
            dets[name] = {"type": typ, "model": {"path": "/edgetpu_model.tflite"
                                                 if typ == "edgetpu" else
                                                 "/cpu_model.tflite",
                                                 "width": 320, "height": 320}}
            if typ == "edgetpu":
                dets[name]["device"] = "usb"
        return {"mqtt": {"enabled": True, "host": "mqtt", "port": 1883,
                         "topic_prefix": "frigate", "stats_interval": 60},
                "detectors": dets, "cameras": cams,
                "record": {"enabled": True},
                "logger": {"default": "info", "logs": {}},
                "telemetry": {"version_check": True,
                              "stats": {"network_bandwidth": False}},
                "plus": {"enabled": False}}

    def log_other(self, service):
        """go2rtc / nginx logs: a few start-up lines stamped at boot time."""
        ns = int(self.boot_wall * 1e9)
        lines = {"go2rtc": ["[INFO] Preparing new go2rtc config...",
                            "[INFO] Starting go2rtc...",
                            "%s INF go2rtc version 1.9.9 linux/amd64" % s6_stamp(ns)[11:19],
                            "%s INF [api] listen addr=:1984" % s6_stamp(ns)[11:19]],
                 "nginx": ["[INFO] Starting NGINX..."]}[service]
        return "".join("%s  %s\n" % (s6_stamp(ns + i * 1000), t)
                       for i, t in enumerate(lines))

    def state(self):
        with self.lock:
            faults = {k: {kk: vv for kk, vv in v.items() if kk != "next_at"}
                      for k, v in self.faults.items()}
            return {"version": self.profile.key, "full_version": self.profile.full_version,
                    "api_up": self.api_up, "api_port": self.api_port,
                    "restarting": self.restarting,
                    "uptime": None if self.restarting else self.uptime(),
                    "restart_count": self.restart_count, "restarts": self.restart_count,
                    "stats_requests": self.stats_requests, "requests": self.requests,
                    "faults": faults, "log_lines": len(self.log.lines),
                    "log_bytes": self.log.size, "cameras": list(self.cameras),
                    "detectors": [d for d, _ in self.detectors],
                    "detector_pids": {d: self.pids["detector:" + d]
                                      for d, _ in self.detectors}}

    def append_log(self, body):
        """POST /_sim/log: raw lines, structured records, or a named event N times."""
        with self.lock:
            if "event" in body:
                name = body["event"]
                if name not in LOG_EVENTS:
                    raise BadRequest("unknown event %r; known: %s" % (name,
                                                                     sorted(LOG_EVENTS)))
                builder, kind = LOG_EVENTS[name]
                extra = {k: v for k, v in body.items()
                         if k in ("wording", "keep", "segments", "wrong_model")}
                if extra.get("wording") not in (None, *BACKLOG_WORDINGS):
                    raise BadRequest("wording must be one of %s" % sorted(BACKLOG_WORDINGS))
                count = int(body.get("count", 1))
                subject = self.subject(kind, body.get(kind)) if kind else None
                written = []
                for _ in range(count):
                    args = (self, subject) if kind else (self,)
                    written += self.emit(builder(*args, **extra))
                self.dirty = True
                return written
            lines = body.get("lines")
            if not isinstance(lines, list):
                raise BadRequest('body needs "lines": [...] or "event": NAME')
            same = bool(body.get("same_timestamp", False))
            entries = []
            written = []
            for i, item in enumerate(lines):
                if isinstance(item, dict):
                    entries.append(Entry(str(item.get("message", "")),
                                         item.get("logger", "frigate.app"),
                                         item.get("level", "INFO"), same and i > 0))
                elif isinstance(item, str):
                    if S6_LINE.match(item):
                        written += self.emit(entries)
                        entries = []
                        self.log.append_verbatim(item)
                        written.append(item)
                    elif body.get("raw"):
                        entries.append(raw(item, same and i > 0))
                    else:
                        entries.append(Entry(item, body.get("logger", "frigate.app"),
                                             body.get("level", "INFO"), same and i > 0))
                else:
                    raise BadRequest("lines must be strings or objects")
            written += self.emit(entries)
            return written


S6_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9}  ")
_PROC_PID = {"audioDetector": "audio_detector"}

# ---------------------------------------------------------------------------
# HTTP: the Frigate API
# ---------------------------------------------------------------------------


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, addr, handler, sim):
        self.sim = sim
        self.closing = False
        self.conns = set()
        self.conns_lock = threading.Lock()
        super().__init__(addr, handler)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, OSError)):
            return  # clients hanging up and API-down cuts are expected
        super().handle_error(request, client_address)


class ApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60

    def version_string(self):
        return "nginx"

    def setup(self):
        super().setup()
        with self.server.conns_lock:
            self.server.conns.add(self.connection)

    def finish(self):
        try:
            super().finish()
        finally:
            with self.server.conns_lock:
                self.server.conns.discard(self.connection)

    def log_message(self, fmt, *args):
        if self.server.sim.args.verbose:
            sys.stderr.write("frigate-sim api: " + (fmt % args) + "\n")

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    # -- response helpers -------------------------------------------------
    def _send(self, status, ctype, body, headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status, obj):
        self._send(status, _JSON, json.dumps(obj))

    def _backend_error(self, status):
        """An error produced by Frigate itself (Flask <=0.14, FastAPI 0.15+)."""
        if self.sim.profile.backend == "flask":
            title, text = FLASK_ERRORS[status]
            page = ('<!doctype html>\n<html lang=en>\n<title>%d %s</title>\n<h1>%s</h1>\n'
                    '<p>%s</p>\n' % (status, title, title, text))
            self._send(status, _FLASK_HTML, page)
        elif status == 500:
            self._send(500, _TEXT, "Internal Server Error")
        else:
            self._json(status, {"detail": FLASK_ERRORS[status][0]})

    @property
    def sim(self):
        return self.server.sim

    def _authorized(self, path):
        token = self.sim.args.token
        if not token:
            return True
        if path == "/api/version" and self.sim.profile.version_public:
            return True
        if self.headers.get("Authorization", "") == "Bearer " + token:
            return True
        for part in self.headers.get("Cookie", "").split(";"):
            if part.strip() == "frigate_token=" + token:
                return True
        return False

    def _faults_for(self, path):
        out = {}
        with self.sim.lock:
            for name in ("api_slow", "api_502", "api_500", "html_instead_of_json",
                         "truncated_json", "huge_body"):
                f = self.sim.faults.get(name)
                if f is None:
                    continue
                paths = f.get("paths")
                if paths and not any(path.startswith(x) for x in paths):
                    continue
                out[name] = dict(f)
        return out

    def _dispatch(self, method):
        if self.server.closing:
            self.close_connection = True
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        query = urllib.parse.parse_qs(url.query)
        with self.sim.lock:
            self.sim.requests += 1
            if path == "/api/stats":
                self.sim.stats_requests += 1  # every poll counts, faulted or not
        if not path.startswith("/api/"):
            if path == "/" and method == "GET":
                return self._send(200, "text/html", UI_PAGE)
            return self._send(404, "text/html", nginx_page("404 Not Found"))
        if not self._authorized(path):
            return self._send(401, "text/html", nginx_page("401 Authorization Required"))
        faults = self._faults_for(path)
        if "api_slow" in faults:
            time.sleep(faults["api_slow"]["seconds"])
            if self.server.closing:
                self.close_connection = True
                return
        if "api_502" in faults:
            return self._send(502, "text/html", nginx_page("502 Bad Gateway"))
        if "api_500" in faults:
            return self._backend_error(500)
        if "html_instead_of_json" in faults:
            return self._send(200, "text/html", UI_PAGE)
        self._route(method, path, query, faults)

    def _route(self, method, path, query, faults):
        p = self.sim.profile
        simple = {"/api/stats": ("GET", self._stats),
                  "/api/version": ("GET", self._version),
                  "/api/config": ("GET", self._config)}
        if p.restart_api:
            simple["/api/restart"] = ("POST", self._restart)
        if path in simple:
            want, fn = simple[path]
            if method != want:
                return self._backend_error(405)
            return fn(faults)
        m = re.fullmatch(r"/api/logs/([^/]*)", path)
        if m and method == "GET":
            return self._logs(m.group(1), query, faults)
        if m:
            return self._backend_error(405)
        return self._backend_error(404)

    def _json_body(self, obj, faults):
        if "huge_body" in faults:
            return self._huge(obj, faults["huge_body"]["mb"])
        data = json.dumps(obj).encode()
        tj = faults.get("truncated_json")
        if tj:
            half = data[: max(1, len(data) // 2)]
            if tj["mode"] == "connection":
                self.send_response(200)
                self.send_header("Content-Type", _JSON)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(half)
                self.wfile.flush()
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            return self._send(200, _JSON, half)
        self._send(200, _JSON, data)

    def _huge(self, obj, mb):
        """A valid JSON document padded to roughly `mb` MB, written in chunks."""
        tail = json.dumps(obj)[1:]  # '"cameras": ...}' without the opening brace
        size = int(mb * 1_000_000)
        head = b'{"sim_padding": "'
        mid_end = b'", '
        if tail == "}":
            mid_end = b'"'
        tail_b = tail.encode()
        total = len(head) + size + len(mid_end) + len(tail_b)
        self.send_response(200)
        self.send_header("Content-Type", _JSON)
        self.send_header("Content-Length", str(total))
        self.end_headers()
        self.wfile.write(head)
        chunk = b"x" * (1 << 20)
        left = size
        while left > 0:
            n = min(left, len(chunk))
            self.wfile.write(chunk[:n])
            left -= n
        self.wfile.write(mid_end + tail_b)

    def _stats(self, faults):
        self._json_body(self.sim.stats(), faults)

    def _config(self, faults):
        self._json_body(self.sim.config(), faults)

    def _version(self, faults):
        self._send(200, self.sim.profile.version_ctype, self.sim.profile.full_version)

    def _restart(self, faults):
        self._json(200, {"success": True,
                         "message": "Restarting (this can take up to one minute)..."})
        self.wfile.flush()
        self.close_connection = True
        self.sim.restart()

    def _logs(self, service, query, faults):
        p = self.sim.profile
        if service not in ("frigate", "go2rtc", "nginx"):
            if p.key == "0.12":
                return self._backend_error(500)  # 0.12's check tests the wrong variable
            return self._json(404, {"success": False, "message": "Not a valid service"})
        if service == "frigate":
            contents = self.sim.log.text()
        else:
            contents = self.sim.log_other(service)
        if p.logs_style == "raw":
            return self._send(200, _FLASK_HTML, contents)
        if p.logs_style == "dedup" and query.get("stream", [""])[0].lower() == "true" \
                and service == "frigate":
            return self._stream()
        bounds = []
        for name, default in (("start", 0), ("end", None)):
            values = query.get(name)
            if not values:
                bounds.append(default)
                continue
            try:
                bounds.append(int(values[0]))
            except ValueError:
                if p.backend == "flask":
                    bounds.append(default)  # Flask type=int falls back to the default
                else:
                    return self._json(422, {"detail": [{
                        "type": "int_parsing", "loc": ["query", name],
                        "msg": "Input should be a valid integer, unable to parse string "
                               "as an integer", "input": values[0]}]})
        lines = (group_same_stamp(contents) if p.logs_style == "grouped"
                 else collapse_repeats(contents, service))
        body = {"totalLines": len(lines), "lines": lines[bounds[0]:bounds[1]]}
        self._json_body(body, {k: v for k, v in faults.items() if k == "truncated_json"})

    def _stream(self):
        """0.16+ ?stream=true: new lines only, as a chunked text/plain response."""
        log = self.sim.log
        self.send_response(200)
        self.send_header("Content-Type", _TEXT)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        with log.cond:
            pos, gen = len(log.lines), log.generation
        try:
            while not self.server.closing:
                with log.cond:
                    if log.generation != gen:
                        pos, gen = 0, log.generation
                    if pos >= len(log.lines):
                        log.cond.wait(0.1)
                    new = log.lines[pos:]
                    pos += len(new)
                # stream_logs (frigate/api/app.py v0.16.4) runs process_logs on every line
                # as it is read: stripped, short ones dropped, nothing to collapse within one.
                new = [x for line in new for x in collapse_repeats(line + "\n", "frigate")]
                if new:
                    data = "".join(x + "\n" for x in new).encode()
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                    self.wfile.flush()
            if not self.server.closing:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass


# ---------------------------------------------------------------------------
# HTTP: the control API (/_sim/...)
# ---------------------------------------------------------------------------


class ControlServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, addr, handler, sim):
        self.sim = sim
        super().__init__(addr, handler)


class ControlHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "frigate-sim-control"
    sys_version = ""

    def log_message(self, fmt, *args):
        if self.server.sim.args.verbose:
            sys.stderr.write("frigate-sim control: " + (fmt % args) + "\n")

    def _reply(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", _JSON)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if not length:
            return {}
        try:
            body = json.loads(self.rfile.read(length))
        except ValueError:
            raise BadRequest("body is not valid JSON")
        if not isinstance(body, dict):
            raise BadRequest("body must be a JSON object")
        return body

    def do_GET(self):
        sim = self.server.sim
        if self.path.split("?")[0] == "/_sim/state":
            return self._reply(200, sim.state())
        self._reply(404, {"error": "unknown control path; GET /_sim/state, POST "
                                   "/_sim/fault|clear|log|restart"})

    def do_POST(self):
        sim = self.server.sim
        path = self.path.split("?")[0]
        try:
            body = self._body()
            if path == "/_sim/fault":
                name = body.get("fault")
                if not isinstance(name, str):
                    raise BadRequest('body needs "fault": NAME')
                return self._reply(200, {"ok": True, "fault": sim.set_fault(name, body)})
            if path == "/_sim/clear":
                name = body.get("fault")
                if name is not None and name not in FAULTS:
                    raise BadRequest("unknown fault %r" % name)
                return self._reply(200, {"ok": True, "cleared": sim.clear_fault(name)})
            if path == "/_sim/log":
                return self._reply(200, {"ok": True, "lines": sim.append_log(body)})
            if path == "/_sim/camera":
                if not isinstance(body.get("enabled"), bool):
                    raise BadRequest('body needs "camera": NAME, "enabled": true|false')
                changed = sim.set_camera_enabled(body.get("camera"), body["enabled"])
                return self._reply(200 if changed else 409, {"ok": changed})
            if path == "/_sim/restart":
                downtime = body.get("downtime")
                started = sim.restart(None if downtime is None else float(downtime))
                return self._reply(200 if started else 409, {"ok": started})
            return self._reply(404, {"error": "unknown control path"})
        except BadRequest as e:
            return self._reply(400, {"ok": False, "error": str(e)})
        except (TypeError, ValueError) as e:
            return self._reply(400, {"ok": False, "error": "bad parameter: %s" % e})


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------

HELP_EPILOG = """\
Two listeners. The API port serves Frigate's /api/*. When the API is down (fault api_down,
or the downtime after POST /api/restart) its listening socket is closed and open
connections are cut, so clients get a real "connection refused". The control port
(--control-port) stays up throughout and serves JSON:
  POST /_sim/fault   {"fault": NAME, ...params, "persistent": false}
  POST /_sim/clear   {"fault": NAME} or {} for all
  POST /_sim/log     {"lines": [...]} | {"event": NAME, "count": N, "camera"|"detector": X}
  POST /_sim/restart {"downtime": S}   (an outside restart, e.g. a Kubernetes rollout)
  POST /_sim/camera  {"camera": NAME, "enabled": false}  (0.16+ MQTT <camera>/enabled/set)
  GET  /_sim/state   faults, uptime, restart_count, stats_requests, ...
Faults: %s.
Log events: %s.
Faults are cleared by a restart unless "persistent": true; edgetpu_missing always survives.
/api/logs renders the log as each version does: raw text (0.12-0.13), lines sharing one s6
stamp joined (0.14-0.15), runs of one message collapsed into "Last message repeated N times"
under the first line's time (0.16+, Frigate's process_logs). backlog_lines with
interval_seconds > 0 writes one identical line per interval, as a lasting backlog does.
Wordings a version never logged are refused with 400 (e.g. "Too many unprocessed" before 0.15).
Startup prints: "frigate-sim listening on http://HOST:PORT version X" then
"frigate-sim control on http://HOST:PORT".
""" % (", ".join(sorted(FAULTS)), ", ".join(sorted(LOG_EVENTS)))


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="frigate_sim.py", description="Simulated Frigate NVR API for tests and demos.",
        epilog=HELP_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="API port (0 = pick a free one)")
    ap.add_argument("--control-port", type=int, default=0,
                    help="control API port (0 = pick a free one)")
    ap.add_argument("--version", choices=sorted(PROFILES), default="0.16",
                    help="Frigate version whose body shapes to serve (default 0.16)")
    ap.add_argument("--cameras", type=int, default=2, help="number of cameras cam1..camN")
    ap.add_argument("--camera-names", default=None, help="comma-separated camera names")
    ap.add_argument("--detectors", default="coral",
                    help="comma-separated detectors, NAME or NAME:TYPE (default coral, "
                         "type edgetpu)")
    ap.add_argument("--detect-fps", type=int, default=5)
    ap.add_argument("--gpus", default="intel",
                    help="comma-separated GPUs in gpu_usages: intel, nvidia (default intel)")
    ap.add_argument("--detect-disabled", default="",
                    help="cameras with detect.enabled false")
    ap.add_argument("--disabled-cameras", default="",
                    help="cameras with enabled: false in the config (never started)")
    ap.add_argument("--record-disabled", default="",
                    help="cameras with record.enabled false")
    ap.add_argument("--restart-downtime", type=float, default=5.0)
    ap.add_argument("--stats-interval", type=float, default=None,
                    help="seconds between stats snapshots (default 15 for 0.14+, 0 = "
                         "fresh per request for <=0.13)")
    ap.add_argument("--log-file", default=None,
                    help="also append every log line to this file")
    ap.add_argument("--log-rotate-bytes", type=int, default=10_000_000,
                    help="truncate the log when it would exceed this size (s6 n0 s10000000)")
    ap.add_argument("--log-interval", type=float, default=5.0,
                    help="seconds between heartbeat INFO lines (0 = none)")
    ap.add_argument("--token", default=None,
                    help="require Authorization: Bearer TOKEN (or cookie frigate_token) "
                         "on /api/*; /api/version stays public on 0.17")
    ap.add_argument("--start-uptime", type=float, default=3600.0)
    ap.add_argument("--verbose", action="store_true", help="log requests to stderr")
    args = ap.parse_args(argv)

    def fail(msg):
        ap.error(msg)

    if args.camera_names:
        names = [n.strip() for n in args.camera_names.split(",") if n.strip()]
    else:
        if args.cameras < 0:
            fail("--cameras must be >= 0")
        names = ["cam%d" % i for i in range(1, args.cameras + 1)]
    if len(set(names)) != len(names):
        fail("camera names must be unique")
    for n in names:
        if not re.fullmatch(r"[A-Za-z0-9_-]+", n):
            fail("bad camera name %r" % n)
    args.camera_names = names
    dets = []
    for item in args.detectors.split(","):
        item = item.strip()
        if not item:
            continue
        name, _, typ = item.partition(":")
        typ = typ or ("edgetpu" if name.startswith("coral") or name == "coral" else "cpu")
        if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
            fail("bad detector name %r" % name)
        dets.append((name, typ))
    if not dets:
        fail("at least one detector is needed")
    args.detectors = dets
    args.gpus = {x.strip() for x in args.gpus.split(",") if x.strip()}
    if not args.gpus <= {"intel", "nvidia"}:
        fail("--gpus takes intel and/or nvidia")
    args.detect_disabled = {x for x in args.detect_disabled.split(",") if x}
    args.record_disabled = {x for x in args.record_disabled.split(",") if x}
    args.disabled_cameras = {x for x in args.disabled_cameras.split(",") if x}
    for name in args.disabled_cameras:
        if name not in names:
            fail("--disabled-cameras: unknown camera %r" % name)
    if args.stats_interval is None:
        args.stats_interval = 15.0 if PROFILES[args.version].cached_stats else 0.0
    for name in ("restart_downtime", "stats_interval", "log_interval", "start_uptime"):
        if getattr(args, name) < 0:
            fail("--%s must be >= 0" % name.replace("_", "-"))
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    sim = Sim(args)
    try:
        srv = ApiServer((args.host, args.port), ApiHandler, sim)
        control = ControlServer((args.host, args.control_port), ControlHandler, sim)
    except OSError as e:
        print("frigate-sim: cannot listen: %s" % e, file=sys.stderr)
        return 2
    sim.api_server, sim.api_port, sim.api_up = srv, srv.server_address[1], True
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    threading.Thread(target=control.serve_forever, daemon=True).start()
    print("frigate-sim listening on http://%s:%d version %s"
          % (args.host, sim.api_port, args.version), flush=True)
    print("frigate-sim control on http://%s:%d" % (args.host, control.server_address[1]),
          flush=True)

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    while not stop.wait(0.05):
        sim.tick()
    sim.stopping = True
    return 0


if __name__ == "__main__":
    sys.exit(main())
