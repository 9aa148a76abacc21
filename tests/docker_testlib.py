"""Test helpers for the Docker Engine API double (tests/doubles/docker_api_double.py).
Import the fixture in a test module: `from docker_testlib import docker_double`."""

import json
import pathlib
import socket
import sys
import urllib.request

import pytest

from fhc_testlib import ROOT

DOCKER_DOUBLE = ROOT / "tests" / "doubles" / "docker_api_double.py"


class DockerDouble:
    """A running double: `sock` (path of its Unix socket), `tcp` ("127.0.0.1:port"), and the
    /_double/ control calls (made over TCP)."""

    def __init__(self, proc, sock, tcp, tls=None):
        self.proc, self.sock, self.tcp, self.tls = proc, sock, tcp, tls

    def control(self, path, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        if self.tls is None:
            req = urllib.request.Request("http://%s/_double/%s" % (self.tcp, path), data=data,
                                         method="GET" if data is None else "POST")
            with urllib.request.urlopen(req, timeout=10) as r:
                return json.loads(r.read() or b"null")
        # The TCP listener speaks TLS: control over the Unix socket instead.
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(self.sock)
        body = data or b""
        s.sendall(("%s /_double/%s HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n"
                   "Content-Length: %d\r\n\r\n" % ("GET" if data is None else "POST", path,
                                                     len(body))).encode() + body)
        out = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
        s.close()
        return json.loads(out.partition(b"\r\n\r\n")[2] or b"null")

    def log(self, lines, stream="stdout", times=None):
        return self.control("log", {"lines": lines, "stream": stream, "times": times or []})

    def container(self, **fields):
        return self.control("container", fields)

    def error(self, pattern, status, message, method="", count=1):
        return self.control("errors", {"pattern": pattern, "status": status, "message": message,
                                       "method": method, "count": count})

    def hang(self, pattern, seconds):
        return self.control("hang", {"pattern": pattern, "seconds": seconds})

    def requests(self):
        return self.control("requests")

    def state(self):
        return self.control("state")


def unix_http(sock_path, method, path, timeout=10):
    """One raw HTTP/1.1 exchange over a Unix socket: (status line, headers dict, body bytes)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(sock_path)
    s.sendall(("%s %s HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n"
               % (method, path)).encode())
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if headers.get("transfer-encoding") == "chunked":
        out, rest = b"", body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            n = int(size_line, 16)
            if n == 0:
                break
            out, rest = out + rest[:n], rest[n + 2:]
        body = out
    return lines[0], headers, body


@pytest.fixture
def docker_double(procs, tmp_path):
    """docker_double(*extra_args, sock=None) -> DockerDouble on a Unix socket (in tmp_path unless
    `sock` is given) and on TCP."""

    def start(*extra, sock=None):
        sock = sock or str(tmp_path / "docker.sock")
        p = procs.start([sys.executable, DOCKER_DOUBLE, "--unix", sock, "--port", "0", *extra],
                        name="docker-api-double")
        tcp = p.wait_for(r"docker-api-double listening on tcp://([0-9.:]+)").group(1)
        tls = "--tls-cert" in extra or None
        return DockerDouble(p, sock, tcp, tls)

    return start


def make_docker_tls(d):
    """CA, daemon certificate (127.0.0.1) and client certificate in directory d, named as
    `docker --tlsverify` expects them in DOCKER_CERT_PATH: ca.pem, cert.pem, key.pem; the daemon's
    are server-cert.pem and server-key.pem."""
    import subprocess
    pathlib.Path(d).mkdir(parents=True, exist_ok=True)

    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=d)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=docker-ca",
        "-keyout", "ca-key.pem", "-out", "ca.pem")
    with open(pathlib.Path(d) / "server.cnf", "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    with open(pathlib.Path(d) / "client.cnf", "w") as f:
        f.write("extendedKeyUsage=clientAuth\n")
    for name, cnf, cn in (("server-", "server.cnf", "dockerd"), ("", "client.cnf", "client")):
        run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + cn, "-keyout",
            name + "key.pem", "-out", name + "req.csr")
        run("x509", "-req", "-in", name + "req.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
            "-CAcreateserial", "-days", "1", "-extfile", cnf, "-out", name + "cert.pem")
    return str(d)
