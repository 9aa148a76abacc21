"""frigate-exporter as a command: `check` exit codes and report, bad settings, a taken port,
--help and --version, secrets kept out of the output.

Proves: `check` exits 0 healthy / 1 unhealthy (naming the failing reasons, including log-based ones
it reads before judging) / 2 for a bad setting with one line naming it; the server refuses the
same bad settings with exit 2; a taken port is a clear error with a non-zero exit and no abort;
--help lists every setting with its variable and default; --version prints the version.
Run: FHC_BUILD_DIR=build/<dir> /usr/bin/python3 -m pytest -q tests/integration/test_exporter_cli.py
"""
import os
import re
import signal
import socket
import subprocess
import time

import pytest

from fhc_testlib import EXPORTER, http_get, require_binary, wait_until

SETTINGS = [
    # common to both programs
    "LISTEN", "HTTP_WORKERS", "LOG_LEVEL", "LOG_FORMAT", "FRIGATE_URL", "FRIGATE_TOKEN",
    "API_TIMEOUT_SECONDS",
    "NAMESPACE", "DEPLOYMENT_NAME", "POD_LABEL_SELECTOR", "KUBE_API_URL", "KUBE_TOKEN_FILE",
    "KUBE_CA_FILE", "KUBE_INSECURE_SKIP_TLS_VERIFY",
    # the exporter's own and the CronJob's thresholds it judges with
    "INFERENCE_THRESHOLD_MS", "STUCK_DETECTION_THRESHOLD", "BACKLOG_THRESHOLD",
    "LOG_WINDOW_MINUTES", "SKIP_CAMERAS", "SKIP_RATIO_THRESHOLD", "LOG_SOURCE", "LOG_FILE",
    "LOG_POLL_SECONDS", "STATS_MAX_AGE_SECONDS", "TARGET_LABELS", "CMDLINE_LABEL",
    # the inference rule and /api/config (issue 8 items 4, 5)
    "INFERENCE_LIMITS_MS", "INFERENCE_BASELINE_FACTOR", "INFERENCE_BASELINE_MARGIN_MS",
    "INFERENCE_SLOW_SECONDS", "INFERENCE_BASELINE_MINUTES", "INFERENCE_BASELINE_SAMPLE_SECONDS",
    "CONFIG_MAX_AGE_SECONDS", "DOCKER_HOST", "DOCKER_CONTAINER",
]


def run(args=(), timeout=20, **settings):
    """Runs the exporter to completion with only the given FRIGATE_HC_* settings in its env."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRIGATE_HC_")}
    env.update({f"FRIGATE_HC_{k}": str(v) for k, v in settings.items()})
    return subprocess.run([str(require_binary(EXPORTER)), *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


def test_help_lists_every_setting_with_its_variable_and_default():
    r = run(["--help"])
    assert r.returncode == 0 and r.stderr == ""
    blocks = {}
    for block in re.split(r"\n\s*\n", r.stdout):
        m = re.search(r"env FRIGATE_HC_([A-Z_]+)\n", block + "\n")
        if m:
            blocks[m.group(1)] = block
    for name in SETTINGS:
        assert name in blocks, f"--help has no block for {name}"
        flag = "--" + name.lower().replace("_", "-")
        assert flag in blocks[name], (name, blocks[name])
        assert "default:" in blocks[name], (name, blocks[name])
    assert 'default: "0.0.0.0:9711"' in blocks["LISTEN"]
    assert 'default: "frigate-api"' in blocks["LOG_SOURCE"]
    assert "check" in r.stdout


def test_version_prints_the_version():
    r = run(["--version"])
    assert r.returncode == 0
    assert re.fullmatch(r"frigate-exporter \d+\.\d+\.\d+\S*\n", r.stdout), r.stdout


def test_check_exits_0_for_a_healthy_frigate(frigate_sim):
    sim = frigate_sim(version="0.16", cameras=2)
    t0 = time.monotonic()
    r = run(["check"], FRIGATE_URL=sim.url)
    took = time.monotonic() - t0
    assert r.returncode == 0, r.stdout + r.stderr
    assert "HEALTHY" in r.stdout and "UNHEALTHY" not in r.stdout
    assert re.search(r"^\s+ok\s+inference_slow\s", r.stdout, re.M), r.stdout
    assert "log source: frigate-api (up)" in r.stdout
    assert took < 2, took


def test_check_exits_1_naming_the_failing_reasons(frigate_sim):
    sim = frigate_sim(version="0.14", cameras=2, extra=["--log-interval", "0"])
    sim.fault("slow_inference", ms=400)
    sim.fault("stuck_lines", count=3, once=True)  # read from the log before judging
    r = run(["check"], FRIGATE_URL=sim.url, STUCK_DETECTION_THRESHOLD="2")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "UNHEALTHY" in r.stdout
    failing = re.findall(r"^\s+FAIL\s+(\w+)", r.stdout, re.M)
    assert sorted(failing) == ["detection_stuck", "inference_slow"], r.stdout
    assert "400.00 ms" in r.stdout


def test_check_counts_a_backlog_that_goes_on_through_0_16s_collapsed_log(frigate_sim):
    # Issue 8 item 1 as a user hit it: one `check` while a backlog warning has been logged every
    # 10 s for 10 minutes; 0.16 /api/logs shows the first line and "Last message repeated 60
    # times" stamped 10 minutes ago.
    import datetime
    sim = frigate_sim(version="0.16", cameras=2, extra=["--log-interval", "0",
                                                         "--start-uptime", "900"])
    msg = ("Too many unprocessed recording segments in cache for cam1. This likely indicates an "
           "issue with the detect stream, keeping the 6 most recent segments out of 7 and "
           "discarding the rest...")
    now = datetime.datetime.now(datetime.timezone.utc)
    lines = []
    for i in range(61):
        t = now - datetime.timedelta(seconds=600 - 10 * i)
        stamp = t.strftime("%Y-%m-%d %H:%M:%S")
        lines.append("%s.%09d  [%s] %-30s %-8s: %s" % (stamp, t.microsecond * 1000, stamp,
                                                      "frigate.record.maintainer", "WARNING",
                                                      msg))
    sim.log(lines=lines)
    r = run(["check"], FRIGATE_URL=sim.url)
    assert r.returncode == 1, r.stdout + r.stderr
    assert re.findall(r"^\s+FAIL\s+(\w+)", r.stdout, re.M) == ["recording_backlog"], r.stdout
    m = re.search(r"FAIL\s+recording_backlog\s+(\d+) ", r.stdout)
    assert 28 <= int(m.group(1)) <= 32, r.stdout


def test_check_exits_1_when_frigate_does_not_answer(frigate_sim):
    sim = frigate_sim(version="0.16")
    sim.fault("api_down")
    r = run(["check"], FRIGATE_URL=sim.url, API_TIMEOUT_SECONDS="1")
    assert r.returncode == 1, r.stdout + r.stderr
    assert re.search(r"FAIL\s+api_unresponsive\s+.*refused", r.stdout), r.stdout
    assert "log source: frigate-api (DOWN)" in r.stdout


BAD_SETTINGS = [
    ({"INFERENCE_THRESHOLD_MS": "fast"}, "INFERENCE_THRESHOLD_MS"),
    ({"INFERENCE_LIMITS_MS": "cpu:500"}, "INFERENCE_LIMITS_MS"),
    ({"INFERENCE_LIMITS_MS": "edgetpu=50"}, "INFERENCE_LIMITS_MS"),
    ({"INFERENCE_BASELINE_FACTOR": "0.5"}, "INFERENCE_BASELINE_FACTOR"),
    ({"CONFIG_MAX_AGE_SECONDS": "0"}, "CONFIG_MAX_AGE_SECONDS"),
    ({"SKIP_RATIO_THRESHOLD": "1.5"}, "SKIP_RATIO_THRESHOLD"),
    ({"LOG_SOURCE": "syslog"}, "LOG_SOURCE"),
    ({"LISTEN": "no-port-here"}, "LISTEN"),
    ({"FRIGATE_URL": "ftp://frigate"}, "FRIGATE_URL"),
    ({"TARGET_LABELS": "maybe"}, "TARGET_LABELS"),
    ({"CMDLINE_LABEL": "yes please"}, "CMDLINE_LABEL"),
    ({"HTTP_WORKERS": "0"}, "HTTP_WORKERS"),
    ({"LOG_SOURCE": "file"}, "LOG_FILE"),  # file without a file
    ({"LOG_SOURCE": "kubernetes"}, "KUBE_API_URL"),  # outside a cluster without an API URL
    ({"LOG_SOURCE": "docker", "DOCKER_HOST": "tcp://"}, "DOCKER_HOST"),
    ({"LOG_SOURCE": "docker", "DOCKER_HOST": "unix:///nonexistent/docker.sock"}, "DOCKER_HOST"),
    ({"LOG_SOURCE": "docker", "DOCKER_CONTAINER": ""}, "DOCKER_CONTAINER"),
]


@pytest.mark.parametrize("settings,named", BAD_SETTINGS, ids=[n for _, n in BAD_SETTINGS])
@pytest.mark.parametrize("mode", ["check", "serve"])
def test_a_bad_setting_exits_2_with_one_line_naming_it(settings, named, mode):
    args = ["check"] if mode == "check" else []
    env = dict(settings)
    env.setdefault("LISTEN", "127.0.0.1:0")
    r = run(args, timeout=10, FRIGATE_URL=env.pop("FRIGATE_URL", "http://127.0.0.1:9"), **env)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert named in lines[0] and f"FRIGATE_HC_{named}" in lines[0], lines[0]
    assert r.stdout == ""


def test_a_bad_flag_value_wins_over_a_good_variable_and_exits_2():
    r = run(["--api-timeout-seconds", "-3"], API_TIMEOUT_SECONDS="5", LISTEN="127.0.0.1:0")
    assert r.returncode == 2
    assert "API_TIMEOUT_SECONDS" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_an_unknown_command_exits_2():
    r = run(["chek"])
    assert r.returncode == 2 and "chek" in r.stderr


def test_a_taken_port_is_a_clear_error_not_a_crash():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = run([], timeout=10, LISTEN=f"127.0.0.1:{port}", LOG_SOURCE="none",
                FRIGATE_URL="http://127.0.0.1:9")
    assert r.returncode not in (0, 2) and r.returncode > 0, r  # > 0: no signal, no abort
    out = r.stdout + r.stderr
    assert str(port) in out and re.search(r"in use|address", out, re.I), out
    assert "Aborted" not in out and "terminate called" not in out
    assert len(out.strip().splitlines()) <= 2, out


def test_secrets_stay_out_of_help_logs_and_health(frigate_sim, procs, tmp_path):
    sim = frigate_sim(version="0.16")
    token_file = tmp_path / "token"
    token_file.write_text("hunter2-secret\n")
    r = run(["--help"], FRIGATE_TOKEN_FILE=str(token_file))
    assert "hunter2" not in r.stdout
    env = {"FRIGATE_HC_FRIGATE_URL": sim.url, "FRIGATE_HC_LISTEN": "127.0.0.1:0",
           "FRIGATE_HC_FRIGATE_TOKEN_FILE": str(token_file), "FRIGATE_HC_LOG_LEVEL": "debug"}
    p = procs.start([require_binary(EXPORTER)], env=env, name="frigate-exporter")
    url = p.wait_for(r"listening on (http://127\.0\.0\.1:\d+)").group(1)
    for path in ("/metrics", "/health", "/"):
        status, _, body = http_get(url + path)
        assert status in (200, 503) and "hunter2" not in body, path
    assert p.stop() == 0  # SIGTERM: a clean stop
    assert "hunter2" not in p.output()


def test_sigterm_stops_the_server_promptly_with_exit_0(frigate_sim, exporter):
    sim = frigate_sim(version="0.16")
    proc, url = exporter(sim.url, LOG_SOURCE="frigate-api", LOG_POLL_SECONDS="0.5")
    assert http_get(url + "/healthz")[0] == 200
    t0 = time.monotonic()
    proc.p.send_signal(signal.SIGTERM)
    assert proc.p.wait(5) == 0
    assert time.monotonic() - t0 < 2
    wait_until(lambda: http_get(url + "/healthz", timeout=1)[0] == 0, what="port closed",
               timeout=3)
