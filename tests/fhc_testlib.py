"""Shared test helpers and fixtures: the built programs, the test doubles, processes that are always
stopped by their own id, and free loopback ports."""
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD = pathlib.Path(os.environ.get("FHC_BUILD_DIR", ROOT / "build" / "default"))
PY = "/usr/bin/python3"
EXPORTER = BUILD / "exporter" / "frigate-exporter"
REMEDIATOR = BUILD / "remediator" / "frigate-remediator"
FRIGATE_SIM = ROOT / "tests" / "doubles" / "frigate_sim.py"
KUBE_DOUBLE = ROOT / "tests" / "doubles" / "kube_api_double.py"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """A child process in its own process group whose output is collected (and, with `logdir`,
    appended to <logdir>/<name>.log); `wait_for` reads until a line matches."""

    def __init__(self, argv, env=None, name=None, logdir=None):
        self.name = name or pathlib.Path(argv[0]).name
        full_env = dict(os.environ)
        full_env.update({k: str(v) for k, v in (env or {}).items()})
        self.p = subprocess.Popen(
            [str(a) for a in argv], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env=full_env, text=True, bufsize=1, start_new_session=True)
        self.lines = []
        self._cv = threading.Condition()
        self._log = open(pathlib.Path(logdir) / f"{self.name}.log", "a") if logdir else None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.p.stdout:
            with self._cv:
                self.lines.append(line.rstrip("\n"))
                if self._log:
                    self._log.write(line)
                    self._log.flush()
                self._cv.notify_all()
        with self._cv:
            self._cv.notify_all()

    def wait_for(self, pattern, timeout=20, start=0):
        rx = re.compile(pattern)
        deadline = time.time() + timeout
        with self._cv:
            i = start
            while True:
                while i < len(self.lines):
                    m = rx.search(self.lines[i])
                    if m:
                        return m
                    i += 1
                left = deadline - time.time()
                if left <= 0 or (self.p.poll() is not None and i >= len(self.lines)):
                    raise AssertionError(
                        f"{self.name}: no line matching {pattern!r} within {timeout}s; output:\n"
                        + "\n".join(self.lines[-40:]))
                self._cv.wait(min(left, 0.2))

    def output(self):
        with self._cv:
            return "\n".join(self.lines)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.p.poll() is None:
            try:
                os.killpg(self.p.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.p.wait(5)
        self._reader.join(2)
        if self._log:
            self._log.close()
            self._log = None
        return self.p.returncode


@pytest.fixture
def procs():
    """Start processes with procs.start(...); all are stopped at the end, whatever happens."""
    started = []

    class Starter:
        def start(self, argv, env=None, name=None):
            p = Proc(argv, env, name)
            started.append(p)
            return p

    yield Starter()
    for p in reversed(started):
        p.stop()


def http_get(url, headers=None, timeout=10):
    """(status, headers, body text); status 0 with the error text when no response came."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as e:
        return 0, {}, str(e)


def http_post_json(url, payload, headers=None, timeout=10):
    data = json.dumps(payload).encode()
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    req = urllib.request.Request(url, data=data, headers=h, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


class FrigateSim:
    def __init__(self, proc, url, control_url):
        self.proc, self.url, self.control = proc, url, control_url

    def fault(self, name, **params):
        status, body = http_post_json(self.control + "/_sim/fault", dict(fault=name, **params))
        assert status == 200, body
        return json.loads(body or "{}")

    def clear(self, name=None):
        status, body = http_post_json(self.control + "/_sim/clear", {"fault": name} if name else {})
        assert status == 200, body

    def log(self, **payload):
        status, body = http_post_json(self.control + "/_sim/log", payload)
        assert status == 200, body

    def state(self):
        status, _, body = http_get(self.control + "/_sim/state")
        assert status == 200, body
        return json.loads(body)


@pytest.fixture
def frigate_sim(procs):
    """frigate_sim(version="0.16", cameras=3, extra=[...]) -> FrigateSim"""

    def start(version="0.16", cameras=3, extra=()):
        p = procs.start([PY, FRIGATE_SIM, "--port", "0", "--control-port", "0", "--version",
                         version, "--cameras", str(cameras), *extra], name=f"frigate-sim-{version}")
        url = p.wait_for(r"frigate-sim listening on (http://\S+)").group(1)
        control = p.wait_for(r"frigate-sim control on (http://\S+)").group(1)
        return FrigateSim(p, url, control)

    return start


def require_binary(path):
    assert path.exists(), f"{path} is not built: run scripts/build.sh first"
    return path


@pytest.fixture
def exporter(procs):
    """exporter(frigate_url, **settings) -> (proc, base_url). Settings are FRIGATE_HC_* names."""

    def start(frigate_url, args=(), **settings):
        env = {"FRIGATE_HC_FRIGATE_URL": frigate_url, "FRIGATE_HC_LISTEN": "127.0.0.1:0"}
        env.update({f"FRIGATE_HC_{k}": str(v) for k, v in settings.items()})
        p = procs.start([require_binary(EXPORTER), *args], env=env, name="frigate-exporter")
        url = p.wait_for(r"listening on (http://127\.0\.0\.1:\d+)").group(1)
        return p, url

    return start


def wait_until(predicate, timeout=15, interval=0.1, what="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def parse_metrics(text):
    """{(name, frozenset(labels.items())): value} from the text format."""
    out = {}
    rx = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
    lrx = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = rx.match(line)
        if not m:
            continue
        labels = frozenset(lrx.findall(m.group(3) or ""))
        out[(m.group(1), labels)] = float(m.group(4))
    return out


def metric(text_or_map, name, **labels):
    m = parse_metrics(text_or_map) if isinstance(text_or_map, str) else text_or_map
    want = set(labels.items())
    hits = [v for (n, ls), v in m.items() if n == name and want <= set(ls)]
    return hits[0] if len(hits) == 1 else (None if not hits else hits)


# --- added for the exporter integration tests (tests/integration/test_exporter_*.py) ---

PROMTOOL = "/usr/bin/promtool"


def promtool_check_metrics(text):
    """(exit code, findings) of `promtool check metrics` on an exposition text."""
    r = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True,
                       text=True, timeout=30)
    return r.returncode, (r.stdout + r.stderr).strip()


def process_rss_kib(pid):
    """{"VmRSS": kiB, "VmHWM": kiB} of a running process, from /proc."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(rest.split()[0])
    return out


@pytest.fixture
def kube_double(procs):
    """kube_double(port=0, extra=[...]) -> (proc, base_url): the Kubernetes API double."""

    def start(port=0, extra=()):
        p = procs.start([PY, KUBE_DOUBLE, "--port", str(port), *extra], name="kube-api-double")
        url = p.wait_for(r"kube-api-double listening on (http://\S+)").group(1)
        return p, url

    return start


def metric_l(text_or_map, metric_name, labels):
    """metric() for label sets that include a label called "name" (labels given as a dict)."""
    m = parse_metrics(text_or_map) if isinstance(text_or_map, str) else text_or_map
    want = set(labels.items())
    hits = [v for (n, ls), v in m.items() if n == metric_name and want <= set(ls)]
    return hits[0] if len(hits) == 1 else (None if not hits else hits)
