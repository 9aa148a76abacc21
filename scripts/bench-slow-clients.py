#!/usr/bin/env python3
"""Latency of both programs while 200 slow clients hold connections open (issue 9 item 12).

Starts the Frigate simulator (0.16, 10 cameras), frigate-exporter and frigate-remediator
(file store, dry-run, Bearer token) on loopback, opens against each program 100 connections that
send nothing and 100 that send a request header one byte every 200 ms (slowloris), then times
REQUESTS sequential requests to each endpoint: the exporter's /healthz, /metrics and /health,
the remediator's /healthz, /metrics and a real Alertmanager notification to /webhook. Prints
p50 / p99 / max per endpoint, failures, and each program's threads and VmRSS. Target: every
request answered, max < 1 s.
  REQUESTS        requests per endpoint (default 200)
  FHC_BUILD_DIR   build directory (default build/default)
Not part of the test suite. Standard library only.
"""
import json
import os
import pathlib
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD = pathlib.Path(os.environ.get("FHC_BUILD_DIR", ROOT / "build" / "default"))
REQUESTS = int(os.environ.get("REQUESTS", "200"))
TOKEN = "bench-token"
NOTIFICATION = {
    "receiver": "frigate-remediator", "status": "firing", "version": "4",
    "alerts": [{"status": "firing", "labels": {
        "alertname": "FrigateDetectionStuck", "namespace": "nvr", "deployment": "frigate",
        "reason": "detection_stuck", "remediate": "restart", "severity": "critical"},
        "annotations": {"summary": "Frigate detection appears stuck"},
        "startsAt": "2026-11-28T06:40:44.425Z", "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph", "fingerprint": "864f93fb887d6ba5"}],
    "groupLabels": {"alertname": "FrigateDetectionStuck"},
    "commonLabels": {"alertname": "FrigateDetectionStuck", "namespace": "nvr",
                     "deployment": "frigate", "remediate": "restart"},
    "commonAnnotations": {}, "externalURL": "http://alertmanager:9093",
    "groupKey": '{}:{alertname="FrigateDetectionStuck"}', "truncatedAlerts": 0,
}


def start(argv, env, pattern):
    p = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    deadline = time.time() + 20
    while time.time() < deadline:
        line = p.stdout.readline()
        m = re.search(pattern, line)
        if m:
            threading.Thread(target=p.stdout.read, daemon=True).start()  # drain
            return p, m.group(1)
    p.kill()
    sys.exit(f"bench-slow-clients: {argv[0]} did not start")


class SlowClients:
    def __init__(self, url, idle=100, trickling=100):
        host, port = url.split("//")[1].split(":")
        self.socks = [socket.create_connection((host, int(port))) for _ in range(idle + trickling)]
        self.trickling = self.socks[idle:]
        self.stop = threading.Event()
        threading.Thread(target=self._trickle, daemon=True).start()

    def _trickle(self):
        header = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 4000 + b"\r\n\r\n"
        for i in range(len(header)):
            for s in self.trickling:
                try:
                    s.send(header[i:i + 1])
                except OSError:
                    pass
            if self.stop.wait(0.2):
                return

    def close(self):
        self.stop.set()
        for s in self.socks:
            s.close()


def timed_request(url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, headers=headers or {},
                                 method="POST" if data else "GET")
    start = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            r.read()
            ok = r.status == 200
    except (urllib.error.URLError, OSError):
        ok = False
    return ok, time.monotonic() - start


def proc_status(pid):
    fields = {}
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        k, _, v = line.partition(":")
        fields[k] = v.strip()
    return f"threads {fields['Threads']}, VmRSS {fields['VmRSS']}"


def main():
    exporter_bin = BUILD / "exporter" / "frigate-exporter"
    remediator_bin = BUILD / "remediator" / "frigate-remediator"
    for b in (exporter_bin, remediator_bin):
        if not b.exists():
            sys.exit(f"bench-slow-clients: {b} is not built")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("FRIGATE_HC_")}
    procs = []
    work = tempfile.mkdtemp()
    try:
        sim, sim_url = start(["/usr/bin/python3", str(ROOT / "tests/doubles/frigate_sim.py"),
                              "--port", "0", "--control-port", "0", "--version", "0.16",
                              "--cameras", "10"], base_env, r"listening on (http://\S+)")
        procs.append(sim)
        exp, exp_url = start([str(exporter_bin)], {
            **base_env, "FRIGATE_HC_FRIGATE_URL": sim_url, "FRIGATE_HC_LISTEN": "127.0.0.1:0"},
            r"listening on (http://127\.0\.0\.1:\d+)")
        procs.append(exp)
        rem, rem_url = start([str(remediator_bin)], {
            **base_env, "FRIGATE_HC_LISTEN": "127.0.0.1:0", "FRIGATE_HC_WEBHOOK_TOKEN": TOKEN,
            "FRIGATE_HC_NAMESPACE": "nvr", "FRIGATE_HC_DEPLOYMENT_NAME": "frigate",
            "FRIGATE_HC_STATE_STORE": "file", "FRIGATE_HC_RESTART_ACTION": "dry-run",
            "FRIGATE_HC_STATE_FILE": os.path.join(work, "state.json")},
            r"listening on (http://127\.0\.0\.1:\d+)")
        procs.append(rem)
        slow = [SlowClients(exp_url), SlowClients(rem_url)]
        time.sleep(1)
        print(f"exporter {exp_url}, remediator {rem_url}, Frigate simulator 0.16 with 10 cameras")
        print("open against each program: 100 idle connections, 100 trickling one byte / 200 ms")
        body = json.dumps(NOTIFICATION).encode()
        hook_headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
        cases = [("exporter /healthz", exp_url + "/healthz", None, None),
                 ("exporter /metrics", exp_url + "/metrics", None, None),
                 ("exporter /health", exp_url + "/health", None, None),
                 ("remediator /healthz", rem_url + "/healthz", None, None),
                 ("remediator /metrics", rem_url + "/metrics", None, None),
                 ("remediator /webhook", rem_url + "/webhook", body, hook_headers)]
        worst = 0.0
        failures = 0
        for name, url, data, headers in cases:
            times, failed = [], 0
            for _ in range(REQUESTS):
                ok, took = timed_request(url, data, headers)
                failed += not ok
                times.append(took)
            times.sort()
            p50, p99 = times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]
            worst, failures = max(worst, times[-1]), failures + failed
            print(f"{name:22} {REQUESTS} requests: p50 {p50 * 1000:.2f} ms, p99 "
                  f"{p99 * 1000:.2f} ms, max {times[-1] * 1000:.2f} ms, failed {failed}")
        print(f"exporter: {proc_status(exp.pid)}; remediator: {proc_status(rem.pid)}")
        print(f"RESULT max={worst * 1000:.1f}ms failed={failures}")
        print("TARGET every request answered, max < 1000 ms")
        for s in slow:
            s.close()
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()
