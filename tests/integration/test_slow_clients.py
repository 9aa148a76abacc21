"""Both programs keep answering while 200 idle or trickling connections are open (issue 9 item 12).

civetweb gives each open connection a worker thread until the connection's request is complete.
With eight workers and 30 s timeouts, eight clients that connect and send nothing (or send a
header one byte at a time, as slowloris does) stalled /healthz long enough for a liveness probe
to kill the pod. Here 100 idle and 100 trickling connections stay open while /healthz, /metrics
and the program's real work (the exporter's /health verdict; a real Alertmanager notification to
the remediator's /webhook) must each answer within 1 s.
Run: FHC_BUILD_DIR=build/<dir> /usr/bin/python3 -m pytest -q tests/integration/test_slow_clients.py
"""
import socket
import threading
import time
import urllib.parse

import pytest

from fhc_testlib import http_get
from remediator_fixtures import *  # noqa: F401,F403 (fixtures by name)

LIMIT_SECONDS = 1.0


class SlowClients:
    """`idle` connections that never send a byte and `trickling` ones that send a request header
    one byte every 200 ms; all stay open until close()."""

    def __init__(self, base_url, idle=100, trickling=100):
        u = urllib.parse.urlsplit(base_url)
        self.idle, self.trickling = [], []
        for i in range(idle + trickling):
            s = socket.create_connection((u.hostname, u.port), timeout=5)
            (self.idle if i < idle else self.trickling).append(s)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self):
        header = (b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000 + b"\r\n\r\n")
        for i in range(len(header)):
            for s in self.trickling:
                try:
                    s.send(header[i:i + 1])
                except OSError:
                    pass  # the server cut it: fine, that is one of the ways to cope
            if self.stop.wait(0.2):
                return

    def close(self):
        self.stop.set()
        self.thread.join()
        for s in self.idle + self.trickling:
            s.close()


@pytest.fixture
def slow_clients():
    opened = []

    def open_against(url):
        c = SlowClients(url)
        opened.append(c)
        time.sleep(0.5)  # let every slow connection reach the server's workers
        return c

    yield open_against
    for c in opened:
        c.close()


def timed(call):
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


def test_exporter_answers_within_a_second_beside_200_slow_connections(
        frigate_sim, exporter, slow_clients):
    sim = frigate_sim(version="0.16", cameras=3)
    _, url = exporter(sim.url, LOG_SOURCE="none")
    slow_clients(url)
    for path, want in (("/healthz", 200), ("/metrics", 200), ("/health", 200)):
        for attempt in range(3):
            (status, _, body), took = timed(lambda: http_get(url + path, timeout=10))
            assert status == want, (path, body[:200])
            assert took < LIMIT_SECONDS, f"{path} took {took:.2f} s (attempt {attempt})"


def test_remediator_answers_within_a_second_beside_200_slow_connections(
        remediator, slow_clients):
    r = remediator(RESTART_ACTION="dry-run")
    slow_clients(r.url)
    for attempt in range(3):
        (status, _, _), took = timed(lambda: http_get(r.url + "/healthz", timeout=10))
        assert status == 200 and took < LIMIT_SECONDS, ("/healthz", attempt, took)
        (status, _, body), took = timed(lambda: http_get(r.url + "/metrics", timeout=10))
        assert status == 200 and took < LIMIT_SECONDS, ("/metrics", attempt, took)
        (status, body), took = timed(lambda: r.post(notification(alert())))
        assert status == 200, body
        assert took < LIMIT_SECONDS, ("/webhook", attempt, took)
    assert r.metric("frigate_remediator_webhooks_total", result="accepted") == 3


def test_memory_levels_off_once_every_worker_has_served(frigate_sim, exporter):
    # civetweb wakes its 256 idle workers in turn, so each new connection lands on another
    # worker. Once all have served, resident memory stays flat; glibc's per-thread malloc arenas
    # (up to 16 on 2 cores, 64 MB of address space each) are capped at two.
    from fhc_testlib import process_rss_kib
    sim = frigate_sim(version="0.16", cameras=10)
    proc, url = exporter(sim.url, LOG_SOURCE="none")
    for _ in range(300):
        assert http_get(url + "/metrics")[0] == 200
    first = process_rss_kib(proc.p.pid)
    for _ in range(300):
        assert http_get(url + "/metrics")[0] == 200
    second = process_rss_kib(proc.p.pid)
    assert second["VmRSS"] - first["VmRSS"] < 2 * 1024, (first, second)
    status = dict(line.split(":", 1) for line in
                  open(f"/proc/{proc.p.pid}/status").read().splitlines() if ":" in line)
    assert int(status["VmSize"].split()[0]) < 512 * 1024, status["VmSize"]


def test_http_workers_sets_the_number_of_server_threads(frigate_sim, exporter, remediator):
    def threads(pid):
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("Threads:"):
                return int(line.split()[1])

    sim = frigate_sim(version="0.16", cameras=1)
    default, _ = exporter(sim.url, LOG_SOURCE="none")
    small, _ = exporter(sim.url, LOG_SOURCE="none", HTTP_WORKERS="16")
    assert threads(default.p.pid) >= 256 > 16 + 20 > threads(small.p.pid) >= 16
    r = remediator(HTTP_WORKERS="16")
    assert 16 <= threads(r.proc.p.pid) < 16 + 20
