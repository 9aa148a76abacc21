"""A real Prometheus (Debian `prometheus`) on loopback, and a tiny scrape target serving a file.

Used by the dashboard tests: every panel query is sent to Prometheus' HTTP API, so a query that
does not parse, or that selects nothing, fails the test.
"""
import http.server
import json
import pathlib
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request

import yaml


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TextTarget:
    """Serves `text` (Prometheus text format) at /metrics on 127.0.0.1:<free port>."""

    def __init__(self, text: str):
        body = text.encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server naming)
                self.send_response(200 if self.path == "/metrics" else 404)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Prometheus:
    """Prometheus scraping `jobs` ({job: [host:port, ...]}) every second, with `rule_files`.
    `job_options` ({job: {...}}) replaces parts of a job's scrape config (honor_labels,
    metric_relabel_configs, ...); its key "labels" becomes the targets' labels."""

    def __init__(self, workdir: pathlib.Path, jobs: dict, rule_files=(), job_options=None):
        binary = shutil.which("prometheus")
        if not binary:
            raise RuntimeError("prometheus not found: apt-get install --no-install-recommends prometheus")
        workdir.mkdir(parents=True, exist_ok=True)
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "900ms"},
            "rule_files": [str(p) for p in rule_files],
            "scrape_configs": [{"job_name": job, "honor_labels": True,
                                "static_configs": [{"targets": targets}]}
                               for job, targets in jobs.items()],
        }
        for scrape in config["scrape_configs"]:
            options = dict((job_options or {}).get(scrape["job_name"], {}))
            if "labels" in options:
                scrape["static_configs"][0]["labels"] = options.pop("labels")
            scrape.update(options)
        (workdir / "prometheus.yml").write_text(yaml.safe_dump(config))
        self.log = open(workdir / "prometheus.log", "w")
        for _ in range(5):  # the free port may be taken between probing and binding: retry
            self.port = free_port()
            self.proc = subprocess.Popen(
                [binary, f"--config.file={workdir / 'prometheus.yml'}",
                 f"--storage.tsdb.path={workdir / 'data'}",
                 f"--web.listen-address=127.0.0.1:{self.port}"],
                stdout=self.log, stderr=subprocess.STDOUT)
            if self._wait_ready(30):
                return
            self.proc.kill()
            self.proc.wait()
        raise RuntimeError(f"prometheus did not become ready; see {workdir / 'prometheus.log'}")

    def _wait_ready(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=1) as r:
                    if r.status == 200:
                        return True
            except OSError:
                pass
            time.sleep(0.1)
        return False

    def api(self, path: str, **params) -> dict:
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                return json.load(r)
        except urllib.error.HTTPError as e:  # 400 for a query that does not parse
            return json.load(e)

    def query(self, expr: str) -> dict:
        return self.api("query", query=expr)

    def wait_for(self, expr: str, seconds: float = 30) -> list:
        """Waits until `expr` returns at least one sample; returns the samples."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            result = self.query(expr)
            if result.get("status") == "success" and result["data"]["result"]:
                return result["data"]["result"]
            time.sleep(0.25)
        raise AssertionError(f"no data for {expr} within {seconds}s")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
