"""The real docker CLI (Debian 12's docker.io, 20.10, API 1.41) against the Docker Engine API
double, over its Unix socket and over TCP: inspect, restart, logs (multiplexed and TTY, with
--timestamps, --since and --follow) and the daemon's error messages must behave as against a real
daemon. Proves the double speaks what the CLI expects, so the project's own client (tested
against the same double) speaks the real API.
Run: FHC_BUILD_DIR=... python3 -m pytest -q tests/integration/test_docker_cli_against_double.py
"""

import json
import os
import re
import subprocess
import threading
import time
from urllib.parse import parse_qs

import pytest

from docker_testlib import docker_double, make_docker_tls, unix_http  # noqa: F401  (fixture)

DOCKER = "/usr/bin/docker"  # docker.io, installed by scripts/install-deps.sh
NEWER_DOCKER = "/usr/local/bin/docker"  # a newer CLI, when the machine has one
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z ")


def docker(d, *args, host=None, binary=DOCKER, timeout=20):
    if not os.path.exists(binary):
        pytest.fail("%s is missing: run scripts/install-deps.sh (package docker.io)" % binary)
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent",
           "DOCKER_HOST": host or "unix://" + d.sock, "DOCKER_CONFIG": "/nonexistent"}
    return subprocess.run([binary, *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


def test_inspect_over_unix_socket_and_tcp(docker_double):
    d = docker_double()
    for host in ("unix://" + d.sock, "tcp://" + d.tcp):
        r = docker(d, "inspect", "frigate", host=host)
        assert r.returncode == 0, r.stderr
        [c] = json.loads(r.stdout)
        assert c["Name"] == "/frigate"
        assert c["State"]["Status"] == "running" and c["State"]["Running"] is True
        assert c["Config"]["Labels"]["com.docker.compose.service"] == "frigate"
        r = docker(d, "inspect", "--format",
                   "{{.State.Status}} {{.RestartCount}} {{.Config.Tty}} {{.State.StartedAt}}",
                   "frigate", host=host)
        status, count, tty, started = r.stdout.split()
        assert (status, count, tty) == ("running", "0", "false")
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", started)
    # The CLI pinged, negotiated 1.41 from Api-Version, and used versioned paths.
    paths = [(r["method"], r["path"]) for r in d.requests()]
    assert ("HEAD", "/_ping") in paths
    assert ("GET", "/v1.41/containers/frigate/json") in paths


def test_inspect_of_a_missing_container_is_the_daemons_404(docker_double):
    d = docker_double()
    r = docker(d, "inspect", "--type", "container", "nosuch")
    assert r.returncode == 1
    assert "No such container: nosuch" in r.stderr
    status, headers, body = unix_http(d.sock, "GET", "/v1.41/containers/nosuch/json")
    assert status == "HTTP/1.1 404 Not Found"
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"message": "No such container: nosuch"}


def test_ping_headers_and_version_too_new(docker_double):
    d = docker_double()
    status, headers, body = unix_http(d.sock, "GET", "/_ping")
    assert status.startswith("HTTP/1.1 200") and body == b"OK"
    assert headers["api-version"] == "1.41" and headers["ostype"] == "linux"
    assert headers["cache-control"] == "no-cache, no-store, must-revalidate"
    assert headers["server"].startswith("Docker/20.10")
    status, _, body = unix_http(d.sock, "GET", "/v1.45/containers/frigate/json")
    assert status.startswith("HTTP/1.1 400")
    assert json.loads(body)["message"] == ("client version 1.45 is too new. Maximum supported "
                                           "API version is 1.41")


def test_restart_is_204_and_moves_started_at(docker_double):
    d = docker_double("--restart-seconds", "0.3")
    before = d.state()["State"]["StartedAt"]
    r = docker(d, "restart", "-t", "7", "frigate")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "frigate"
    after = d.state()
    assert after["State"]["StartedAt"] > before and after["State"]["Status"] == "running"
    assert after["RestartCount"] == 0  # a manual restart is not a restart-policy restart
    [req] = [q for q in d.requests() if q["method"] == "POST"]
    assert req["path"] == "/v1.41/containers/frigate/restart" and req["query"] == "t=7"


@pytest.mark.parametrize("status,message", [
    (409, "Cannot restart container frigate: container is marked for removal"),
    (500, "Cannot restart container frigate: driver failed programming external connectivity"),
])
def test_restart_errors_reach_the_cli_as_from_a_daemon(docker_double, status, message):
    d = docker_double()
    d.error("/restart$", status, message, method="POST")
    r = docker(d, "restart", "frigate")
    assert r.returncode == 1
    assert message in r.stderr
    r = docker(d, "restart", "other")
    assert r.returncode == 1 and "No such container: other" in r.stderr


def test_logs_multiplexed_stdout_and_stderr_apart_with_timestamps(docker_double):
    d = docker_double()
    d.log(["2024-05-01 10:00:00.000 INFO : out one", "out two"])
    d.log(["err three"], stream="stderr")
    r = docker(d, "logs", "--timestamps", "frigate")
    assert r.returncode == 0, r.stderr
    out, err = r.stdout.splitlines(), r.stderr.splitlines()
    assert [TS.sub("", x) for x in out] == ["2024-05-01 10:00:00.000 INFO : out one", "out two"]
    assert [TS.sub("", x) for x in err] == ["err three"]
    assert all(TS.match(x) for x in out + err)
    _, headers, body = unix_http(d.sock, "GET", "/v1.41/containers/frigate/logs?stdout=1")
    assert headers["content-type"] == "application/vnd.docker.raw-stream"
    assert body[:8] == bytes([1, 0, 0, 0, 0, 0, 0, len("2024-05-01 10:00:00.000 INFO : out one\n")])


def test_logs_of_a_tty_container_are_raw(docker_double):
    d = docker_double("--tty")
    d.log(["tty one", "tty two"])
    r = docker(d, "logs", "frigate")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "tty one\ntty two\n"
    _, _, body = unix_http(d.sock, "GET", "/v1.41/containers/frigate/logs?stdout=1&stderr=1")
    assert body == b"tty one\ntty two\n"


def test_logs_since_keeps_only_newer_lines(docker_double):
    d = docker_double()
    now = time.time()
    d.log(["old"], times=[now - 120])
    d.log(["new"], times=[now - 5])
    r = docker(d, "logs", "--since", "60s", "frigate")
    assert r.stdout == "new\n"
    # since as the exact timestamp of a line includes that line (the daemon skips only entries
    # Before(since)), and the CLI passes it on to the nanosecond
    d.log(["newest"], times=[now - 1])
    stamp = TS.match(docker(d, "logs", "-t", "frigate").stdout.splitlines()[1]).group(0).strip()
    r = docker(d, "logs", "--since", stamp, "frigate")
    assert r.stdout == "new\nnewest\n"
    since = [x["query"] for x in d.requests() if x["path"].endswith("/logs")][-1]
    assert re.search(r"since=\d+\.\d{9}(&|$)", since), since


def test_logs_follow_streams_and_ends_when_the_container_restarts(docker_double):
    d = docker_double("--restart-seconds", "0.2")
    d.log(["before"])
    p = subprocess.Popen([DOCKER, "logs", "--timestamps", "--follow", "frigate"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env={"PATH": "/usr/bin:/bin", "DOCKER_HOST": "unix://" + d.sock,
                              "HOME": "/nonexistent"})
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(p.stdout), daemon=True)
    reader.start()
    time.sleep(1.0)
    d.log(["during"])
    time.sleep(0.5)
    assert [TS.sub("", x).strip() for x in lines] == ["before", "during"]
    assert p.poll() is None  # still following
    assert docker(d, "restart", "frigate").returncode == 0
    p.wait(10)  # the stream ended with the old process, as `docker logs -f` does
    assert p.returncode == 0
    reader.join(5)


def test_list_by_label_filter(docker_double):
    d = docker_double()
    r = docker(d, "ps", "--filter", "label=com.docker.compose.service=frigate",
               "--format", "{{.Names}} {{.State}}")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "frigate running"
    r = docker(d, "ps", "-q", "--filter", "label=com.docker.compose.service=other")
    assert r.stdout.strip() == ""
    q = [x for x in d.requests() if x["path"].endswith("/containers/json")]
    # The encoding the project's client copies (ContainerLabelFilter.IsTheJsonTheCliSends).
    assert parse_qs(q[0]["query"])["filters"] == [
        '{"label":{"com.docker.compose.service=frigate":true}}']


def test_newer_cli_negotiates_down_and_reads_multiplexed_stream_at_1_43(docker_double):
    if not os.path.exists(NEWER_DOCKER):
        pytest.skip("no newer docker CLI at %s on this machine" % NEWER_DOCKER)
    d = docker_double("--api-version", "1.43")
    d.log(["out"])
    d.log(["err"], stream="stderr")
    r = docker(d, "logs", "frigate", binary=NEWER_DOCKER)
    assert r.returncode == 0, r.stderr
    assert (r.stdout, r.stderr) == ("out\n", "err\n")
    assert any(re.fullmatch(r"/v1\.43/containers/[^/]+/logs", q["path"]) for q in d.requests())
    _, headers, _ = unix_http(d.sock, "GET", "/v1.43/containers/frigate/logs?stdout=1")
    assert headers["content-type"] == "application/vnd.docker.multiplexed-stream"


def test_tls_with_client_certificates_as_dockerd_tlsverify(docker_double, tmp_path):
    certs = make_docker_tls(tmp_path / "certs")
    d = docker_double("--tls-cert", certs + "/server-cert.pem", "--tls-key",
                      certs + "/server-key.pem", "--tls-ca", certs + "/ca.pem")
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "DOCKER_HOST": "tcp://" + d.tcp,
           "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": certs}
    r = subprocess.run([DOCKER, "inspect", "--format", "{{.Name}}", "frigate"],
                       capture_output=True, text=True, env=env, timeout=20)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "/frigate"
    # Without TLS the daemon's TLS port gives the CLI nothing it can read.
    env.pop("DOCKER_TLS_VERIFY")
    r = subprocess.run([DOCKER, "inspect", "frigate"], capture_output=True, text=True, env=env,
                       timeout=20)
    assert r.returncode != 0
