"""frigate-exporter with LOG_SOURCE=docker against the Docker Engine API double
(tests/doubles/docker_api_double.py, itself checked with the real docker CLI).

Proves: the container's log is followed over the Unix socket and over TCP, framed (stdout and
stderr) and raw (TTY); a restart of the container ends the followed log and the exporter
reconnects at its cursor without counting a line twice; a daemon that hangs makes the source down
and back; a missing or unwritable socket refuses the start with exit 2 naming DOCKER_HOST.
Run: FHC_BUILD_DIR=build/<dir> /usr/bin/python3 -m pytest -q tests/integration/test_exporter_docker_logs.py
"""
import datetime
import os
import shutil
import subprocess
import tempfile
import time

from docker_testlib import docker_double, make_docker_tls  # noqa: F401  (fixture)
from fhc_testlib import EXPORTER, http_get, http_post_json, metric, parse_metrics, require_binary, wait_until

BACKLOG_MSG = ("Unable to keep up with recording segments in cache for {cam}. Keeping the 6 most "
               "recent segments out of 9 and discarding the rest...")
STUCK_MSG = "Detection appears to be stuck. Restarting detection process..."


def s6_line(when, logger, level, message):
    stamp = when.strftime("%Y-%m-%d %H:%M:%S") + ".%09d" % (when.microsecond * 1000)
    return "%s  [%s] %-30s %-8s: %s" % (stamp, when.strftime("%Y-%m-%d %H:%M:%S"), logger,
                                        level, message)


def scrape(url):
    status, _, text = http_get(url + "/metrics")
    assert status == 200, text
    return parse_metrics(text)


def events(url):
    return {dict(ls)["event"]: v for (n, ls), v in scrape(url).items()
            if n == "frigate_log_events_total" and v}


def source_up(url):
    return metric(scrape(url), "frigate_log_source_up")


def expect_events(url, want, timeout=10, settle=1.5):
    wait_until(lambda: all(events(url).get(k, 0) >= v for k, v in want.items()), timeout=timeout,
               what=f"events {want}")
    time.sleep(settle)
    got = events(url)
    assert {k: got.get(k, 0) for k in want} == want, got


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def start_exporter(exporter, **settings):
    return exporter("http://127.0.0.1:9", LOG_SOURCE="docker", API_TIMEOUT_SECONDS="2",
                    **settings)


def test_framed_log_followed_across_a_restart_without_double_counting(docker_double, exporter):
    d = docker_double("--restart-seconds", "0.3")
    t0 = now()
    d.log([s6_line(t0, "frigate.record.maintainer", "WARNING", BACKLOG_MSG.format(cam="front")),
           s6_line(t0, "frigate.record.maintainer", "WARNING", BACKLOG_MSG.format(cam="garage"))])
    d.log([s6_line(t0, "frigate.watchdog", "INFO", STUCK_MSG)], stream="stderr")
    _, url = start_exporter(exporter, DOCKER_HOST="unix://" + d.sock)
    wait_until(lambda: source_up(url) == 1, what="container log followed", timeout=10)
    expect_events(url, {"recording_backlog": 2, "detection_stuck": 1})

    # Docker restarts the container: the followed log ends; the exporter reconnects with since=
    # the last line's daemon time, which re-sends that line (since is inclusive).
    d.control("requests/reset", {})
    status, _ = http_post_json("http://%s/v1.41/containers/frigate/restart?t=1" % d.tcp, {})
    assert status == 204
    d.log([s6_line(now(), "frigate.record.maintainer", "WARNING", BACKLOG_MSG.format(cam="front"))])
    expect_events(url, {"recording_backlog": 3, "detection_stuck": 1}, settle=2.5)
    assert metric(scrape(url), "frigate_recording_backlog_events", camera="front") == 2
    follows = [r for r in d.requests() if r["path"].endswith("/logs")]
    assert follows, d.requests()
    q = follows[-1]["query"]
    assert "follow=1" in q and "timestamps=1" in q and "stdout=1" in q and "stderr=1" in q
    assert "since=" in q and follows[-1]["path"].startswith("/v1.41/containers/")
    # Least privilege: only ping, inspect and logs, never a list of containers.
    ours = [r for r in d.requests() if r["headers"].get("user-agent") == "frigate-health"]
    assert ours
    assert {r["method"] + " " + r["path"].split("/")[-1] for r in ours} <= {
        "GET _ping", "GET json", "GET logs"}
    assert not any(r["path"].endswith("/containers/json") for r in ours)


def test_tty_container_over_tcp(docker_double, exporter):
    d = docker_double("--tty")
    d.log([s6_line(now(), "frigate.watchdog", "INFO", STUCK_MSG)])
    _, url = start_exporter(exporter, DOCKER_HOST="tcp://" + d.tcp)
    expect_events(url, {"detection_stuck": 1})
    assert source_up(url) == 1


def test_hanging_daemon_is_down_then_recovers(docker_double, exporter):
    d = docker_double()
    _, url = start_exporter(exporter, DOCKER_HOST="unix://" + d.sock)
    wait_until(lambda: source_up(url) == 1, what="followed", timeout=10)
    d.hang("/json$", 30)
    d.container(status="exited")  # ends the followed log; the next inspect hangs
    wait_until(lambda: source_up(url) == 0, what="down while the daemon hangs", timeout=15)
    d.hang("/json$", 0)
    d.container(status="running")
    d.log([s6_line(now(), "frigate.watchdog", "INFO", STUCK_MSG)])
    wait_until(lambda: source_up(url) == 1, what="back", timeout=40)
    expect_events(url, {"detection_stuck": 1}, timeout=20)


def test_missing_socket_refuses_to_start(tmp_path):
    sock = tmp_path / "nosuch.sock"
    r = subprocess.run([str(require_binary(EXPORTER))], capture_output=True, text=True, timeout=10,
                       env={"FRIGATE_HC_LOG_SOURCE": "docker",
                            "FRIGATE_HC_DOCKER_HOST": "unix://%s" % sock,
                            "FRIGATE_HC_LISTEN": "127.0.0.1:0"})
    assert r.returncode == 2, r.stderr
    assert "FRIGATE_HC_DOCKER_HOST" in r.stderr
    assert '"unix://%s": no socket at %s' % (sock, sock) in r.stderr


def test_environments_docker_host_is_used_and_a_bad_one_is_named(tmp_path):
    r = subprocess.run([str(require_binary(EXPORTER))], capture_output=True, text=True, timeout=10,
                       env={"FRIGATE_HC_LOG_SOURCE": "docker", "DOCKER_HOST": "ssh://me@nas",
                            "FRIGATE_HC_LISTEN": "127.0.0.1:0"})
    assert r.returncode == 2
    assert "the environment's DOCKER_HOST" in r.stderr and "ssh://me@nas" in r.stderr


def test_unwritable_socket_refuses_to_start(docker_double):
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to run the exporter as another user"
    sock_dir = tempfile.mkdtemp(prefix="fhc-docker-")
    os.chmod(sock_dir, 0o755)  # reachable by everyone; the socket itself is root's, mode 600
    try:
        d = docker_double("--socket-mode", "600", sock=os.path.join(sock_dir, "docker.sock"))
        if os.geteuid() != 0:
            os.chmod(d.sock, 0o400)  # not root: take our own write permission away
            argv = [str(require_binary(EXPORTER))]
        else:
            argv = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
                    str(require_binary(EXPORTER))]
        r = run_as(argv, d)
    finally:
        shutil.rmtree(sock_dir, ignore_errors=True)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "permission denied: %s is not writable" % d.sock in r.stderr


def run_as(argv, d):
    return subprocess.run(argv, capture_output=True, text=True, timeout=10,
                          env={"FRIGATE_HC_LOG_SOURCE": "docker",
                               "FRIGATE_HC_DOCKER_HOST": "unix://" + d.sock,
                               "FRIGATE_HC_LISTEN": "127.0.0.1:0"})


def test_through_a_read_only_socket_proxy(docker_double, exporter):
    # docker-socket-proxy with CONTAINERS=1 only (POST=0): all the exporter needs.
    d = docker_double("--socket-proxy", "CONTAINERS=1")
    d.log([s6_line(now(), "frigate.watchdog", "INFO", STUCK_MSG)])
    _, url = start_exporter(exporter, DOCKER_HOST="tcp://" + d.tcp)
    expect_events(url, {"detection_stuck": 1})
    assert not [r for r in d.requests() if r.get("denied_by_proxy")]


def test_container_found_by_its_compose_label(docker_double, exporter):
    d = docker_double()
    d.log([s6_line(now(), "frigate.watchdog", "INFO", STUCK_MSG)])
    _, url = start_exporter(exporter, DOCKER_HOST="unix://" + d.sock,
                            DOCKER_CONTAINER="not-this-name",
                            DOCKER_CONTAINER_LABEL="com.docker.compose.service=frigate")
    expect_events(url, {"detection_stuck": 1})
    lists = [r for r in d.requests() if r["path"] == "/v1.41/containers/json"]
    assert lists and all("filters=" in r["query"] for r in lists)


def test_tcp_with_tls_and_a_client_certificate(docker_double, exporter, tmp_path):
    (tmp_path / "certs").mkdir()
    certs = make_docker_tls(tmp_path / "certs")
    d = docker_double("--tls-cert", certs + "/server-cert.pem", "--tls-key",
                      certs + "/server-key.pem", "--tls-ca", certs + "/ca.pem")
    d.log([s6_line(now(), "frigate.watchdog", "INFO", STUCK_MSG)])
    _, url = start_exporter(exporter, DOCKER_HOST="tcp://" + d.tcp, DOCKER_TLS_VERIFY="true",
                            DOCKER_CERT_PATH=certs)
    expect_events(url, {"detection_stuck": 1})


def test_tls_without_its_files_refuses_to_start(tmp_path):
    r = subprocess.run([str(require_binary(EXPORTER))], capture_output=True, text=True, timeout=10,
                       env={"FRIGATE_HC_LOG_SOURCE": "docker", "DOCKER_HOST": "tcp://127.0.0.1:1",
                            "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(tmp_path),
                            "FRIGATE_HC_LISTEN": "127.0.0.1:0"})
    assert r.returncode == 2
    assert "cannot read %s/ca.pem" % tmp_path in r.stderr
