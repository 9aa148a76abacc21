"""Self-tests of the Docker Engine API double at the byte level (the real docker CLI checks it in
tests/integration/test_docker_cli_against_double.py): frame headers, content types by API
version, the daemon's error bodies, HEAD /_ping, the `since` forms.
Run: /usr/bin/python3 -m pytest -q tests/doubles/test_docker_api_double.py
"""
import json
from urllib.parse import quote
import struct
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from docker_testlib import docker_double, unix_http  # noqa: E402,F401  (fixture)
from fhc_testlib import procs  # noqa: E402,F401  (fixture)


def frames(body):
    out = []
    while body:
        stream, size = struct.unpack(">BxxxI", body[:8])
        out.append((stream, body[8:8 + size]))
        body = body[8 + size:]
    return out


def test_frames_carry_stream_and_big_endian_length(docker_double):
    d = docker_double()
    d.log(["a" * 300])
    d.log(["e"], stream="stderr")
    _, headers, body = unix_http(d.sock, "GET", "/v1.41/containers/frigate/logs?stdout=1&stderr=1")
    assert headers["content-type"] == "application/vnd.docker.raw-stream"
    assert body[:8] == b"\x01\x00\x00\x00\x00\x00\x01\x2d"  # 301 bytes: 300 + "\n"
    assert frames(body) == [(1, b"a" * 300 + b"\n"), (2, b"e\n")]
    _, _, body = unix_http(d.sock, "GET", "/v1.41/containers/frigate/logs?stderr=1")
    assert frames(body) == [(2, b"e\n")]


def test_content_type_is_multiplexed_from_1_42_without_tty(docker_double):
    d = docker_double("--api-version", "1.43")
    _, headers, _ = unix_http(d.sock, "GET", "/v1.43/containers/frigate/logs?stdout=1")
    assert headers["content-type"] == "application/vnd.docker.multiplexed-stream"
    _, headers, _ = unix_http(d.sock, "GET", "/v1.41/containers/frigate/logs?stdout=1")
    assert headers["content-type"] == "application/vnd.docker.raw-stream"


def test_errors_are_the_daemons(docker_double):
    d = docker_double()
    status, _, body = unix_http(d.sock, "GET", "/v1.41/containers/frigate/logs")
    assert status.startswith("HTTP/1.1 400")
    assert json.loads(body) == {"message": "Bad parameters: you must choose at least one stream"}
    status, _, body = unix_http(d.sock, "GET", "/v1.41/nothing/here")
    assert status.startswith("HTTP/1.1 404") and body == b"404 page not found\n"
    status, _, body = unix_http(d.sock, "POST", "/v1.41/containers/frigate/restart?t=x")
    assert status.startswith("HTTP/1.1 400")
    assert json.loads(body)["message"] == 'strconv.Atoi: parsing "x": invalid syntax'


def test_head_ping_has_no_body(docker_double):
    d = docker_double()
    status, headers, body = unix_http(d.sock, "HEAD", "/_ping")
    assert status.startswith("HTTP/1.1 200")
    assert headers["content-length"] == "0" and body == b""
    assert headers["api-version"] == "1.41"


def test_since_as_seconds_nanos_or_rfc3339_is_inclusive(docker_double):
    d = docker_double()
    d.log(["x"], times=[1714557600.25])
    d.log(["y"], times=[1714557601.0])
    for since in ("1714557600.250000000", "2024-05-01T10:00:00.25Z", "2024-05-01T12:00:00.25+02:00"):
        _, _, body = unix_http(d.sock, "GET",
                               "/v1.41/containers/frigate/logs?stdout=1&since=" + quote(since))
        assert [p for _, p in frames(body)] == [b"x\n", b"y\n"], since
    _, _, body = unix_http(d.sock, "GET",
                           "/v1.41/containers/frigate/logs?stdout=1&since=1714557600.250000001")
    assert [p for _, p in frames(body)] == [b"y\n"]
