#!/usr/bin/python3
"""A Docker Engine API double for the exporter's and the remediator's tests.

Speaks what a Docker Engine 20.10 daemon (Debian 12's docker.io, Engine API 1.41) answers to the
calls the docker CLI and this project make, over a Unix socket, TCP, or both at once:

  HEAD|GET /_ping, /v1.xx/_ping     "OK"; headers Api-Version, Ostype, Server, Docker-Experimental,
                                    Builder-Version, Cache-Control, Pragma (the CLI negotiates its
                                    API version from Api-Version)
  GET  /v1.xx/version               engine version JSON
  GET  /v1.xx/containers/json       list (running only unless all=1), filters={"label":[...],
                                    "name":[...],"status":[...]} as the CLI encodes them
  GET  /v1.xx/containers/{id}/json  inspect: State.{Status,Running,Paused,Restarting,OOMKilled,Dead,
                                    Pid,ExitCode,Error,StartedAt,FinishedAt}, RestartCount,
                                    Name ("/frigate"), Config.{Labels,Tty,Image}, HostConfig...
  POST /v1.xx/containers/{id}/restart?t=N   204 after the stop (up to t s) and the start
  GET  /v1.xx/containers/{id}/logs?follow=&stdout=&stderr=&timestamps=&since=&until=&tail=
                                    8-byte frame headers (stream, 0,0,0, big-endian uint32 length)
                                    unless the container has a TTY (raw bytes); Content-Type
                                    application/vnd.docker.raw-stream, or .multiplexed-stream
                                    from API 1.42 without a TTY. A followed log ends when the
                                    container stops (a restart ends it).
  Errors: {"message": "..."} with the daemon's status codes (404 "No such container: x", 400 for
  a bad parameter or an API version above the daemon's, 409, 500).

Facts from moby (github.com/moby/moby): api/server/router/container/container_routes.go
(getContainersLogs: parameters, the content type by version and TTY; postContainersRestart: t,
204), api/server/router/system/system_routes.go (pingHandler: "OK", Cache-Control, Pragma,
Builder-Version; HEAD with Content-Length 0), api/server/middleware/version.go (Server
"Docker/<v> (linux)", API-Version, OSType headers; "client version X is too new. Maximum supported
API version is Y"), pkg/stdcopy/stdcopy.go (frame header), daemon/logger/jsonfilelog and
api/types/time/timestamp.go (since/until as "<seconds>[.<nanoseconds>]" or RFC 3339),
jsonmessage.RFC3339NanoFixed (log timestamps always with 9 fraction digits).

Test control lives under /_double/ on every listener (no auth):
  GET  /_double/requests            every API request (method, path, query, headers)
  POST /_double/requests/reset
  GET  /_double/state               the container as inspect shows it
  POST /_double/log                 {"lines":[...], "stream":"stdout"|"stderr", "times":[unix,...]}
  POST /_double/container           {"status","restart_count","tty","labels","name","exists",
                                     "started_at": unix, "exit_code", "restart_seconds"}
  POST /_double/errors              {"pattern","method","status","count","message"} next N fail
  POST /_double/hang                {"pattern","seconds"}  matching requests wait (0 removes)

--socket-proxy SECTIONS puts the rules of Tecnativa's docker-socket-proxy in front of the API
(github.com/Tecnativa/docker-socket-proxy haproxy.cfg: any method but GET is denied unless POST=1;
then a path is allowed only when its section is enabled: CONTAINERS for /containers...,
ALLOW_RESTARTS for /containers/{id}/(stop|restart|kill), PING, VERSION, EVENTS (PING, VERSION and
EVENTS on by default, as in its Dockerfile); everything else is HAProxy's 403 page). SECTIONS is a
comma-separated list like "CONTAINERS=1,POST=1".
"""

import argparse
import datetime
import decimal
import json
import os
import re
import signal
import ssl
import socketserver
import struct
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ENGINE_VERSION = "20.10.24+dfsg1"  # Debian 12 docker.io
MIN_API_VERSION = "1.12"
ZERO_TIME = "0001-01-01T00:00:00Z"


def rfc3339_nano_fixed(ts):
    """jsonmessage.RFC3339NanoFixed: always nine fraction digits, UTC 'Z'. `ts` in seconds
    (float) or, when an int, in nanoseconds (the log's own times: exact)."""
    ns = ts if isinstance(ts, int) else int(round(ts * 1e9))
    sec, nanos = divmod(ns, 1_000_000_000)
    dt = datetime.datetime.fromtimestamp(sec, datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%09dZ" % nanos


def rfc3339_nano(ts):
    """time.RFC3339Nano as State.StartedAt shows it: trailing zeros of the fraction dropped."""
    s = rfc3339_nano_fixed(ts)
    frac = s[20:-1].rstrip("0")
    return s[:19] + ("." + frac if frac else "") + "Z"


def version_tuple(v):
    return tuple(int(p) for p in v.split("."))


def parse_timestamp(value):
    """api/types/time: "<sec>[.<nanos>]" or an RFC 3339 date; returns unix nanoseconds (int)."""
    if re.fullmatch(r"\d+(\.\d{1,9})?", value):
        sec, _, frac = value.partition(".")
        return int(sec) * 1_000_000_000 + int(frac.ljust(9, "0") or 0)
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)", value)
    if m:
        dt = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
        tz = datetime.timezone.utc
        if m.group(3) != "Z":
            sign = 1 if m.group(3)[0] == "+" else -1
            tz = datetime.timezone(sign * datetime.timedelta(hours=int(m.group(3)[1:3]),
                                                             minutes=int(m.group(3)[4:6])))
        base = int(dt.replace(tzinfo=tz).timestamp()) * 1_000_000_000
        return base + (int(m.group(2)[1:10].ljust(9, "0")) if m.group(2) else 0)
    raise ApiError(400, 'failed to parse value as time or duration: "%s"' % value)


def frame(stream, payload):
    """pkg/stdcopy: [stream type, 0, 0, 0, uint32 big-endian length] then the payload."""
    return struct.pack(">BxxxI", stream, len(payload)) + payload


class ApiError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


# ---------------------------------------------------------------------------------------------
# The daemon's state: one container (Frigate) and possibly others that must never be touched.


class Daemon:
    def __init__(self, name, api_version, tty, labels, restart_seconds):
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.api_version = api_version
        self.requests = []
        self.errors = []
        self.hangs = []
        now = time.time()
        self.container = {
            "id": uuid.uuid4().hex + uuid.uuid4().hex,
            "name": name, "exists": True, "status": "running", "tty": tty,
            "labels": labels, "created": now - 3600, "started_at": now - 600,
            "finished_at": None, "exit_code": 0, "restart_count": 0, "pid": 4242,
            "restart_seconds": restart_seconds, "generation": 0,
        }
        # Log entries: (unix time in ns, stream 1|2, bytes without newline)
        self.log = []
        self.restarts = []  # (time, t) of every POST restart that succeeded
        self.proxy = None  # {section: bool} when the socket-proxy rules are on
        self.frigate_sim_control = ""  # restart this Frigate simulator with the container

    def matches(self, ident):
        c = self.container
        if not c["exists"]:
            return False
        return ident in (c["name"], "/" + c["name"]) or (len(ident) >= 3 and c["id"].startswith(ident))

    def state_json(self):
        c = self.container
        st = c["status"]
        return {
            "Status": st,
            "Running": st in ("running", "paused", "restarting"),
            "Paused": st == "paused",
            "Restarting": st == "restarting",
            "OOMKilled": False,
            "Dead": st == "dead",
            "Pid": c["pid"] if st in ("running", "paused") else 0,
            "ExitCode": c["exit_code"],
            "Error": "",
            "StartedAt": rfc3339_nano(c["started_at"]) if c["started_at"] else ZERO_TIME,
            "FinishedAt": rfc3339_nano(c["finished_at"]) if c["finished_at"] else ZERO_TIME,
        }

    def inspect_json(self):
        c = self.container
        return {
            "Id": c["id"],
            "Created": rfc3339_nano(c["created"]),
            "Path": "/init",
            "Args": [],
            "State": self.state_json(),
            "Image": "sha256:" + "ab" * 32,
            "ResolvConfPath": "/var/lib/docker/containers/%s/resolv.conf" % c["id"],
            "HostnamePath": "/var/lib/docker/containers/%s/hostname" % c["id"],
            "HostsPath": "/var/lib/docker/containers/%s/hosts" % c["id"],
            "LogPath": "/var/lib/docker/containers/%s/%s-json.log" % (c["id"], c["id"]),
            "Name": "/" + c["name"],
            "RestartCount": c["restart_count"],
            "Driver": "overlay2",
            "Platform": "linux",
            "MountLabel": "",
            "ProcessLabel": "",
            "AppArmorProfile": "docker-default",
            "ExecIDs": None,
            "HostConfig": {
                "Binds": ["/etc/localtime:/etc/localtime:ro"],
                "LogConfig": {"Type": "json-file", "Config": {}},
                "NetworkMode": "frigate_default",
                "RestartPolicy": {"Name": "unless-stopped", "MaximumRetryCount": 0},
                "ShmSize": 536870912,
                "Privileged": True,
            },
            "Mounts": [],
            "Config": {
                "Hostname": c["id"][:12],
                "Domainname": "",
                "User": "",
                "AttachStdin": False,
                "AttachStdout": True,
                "AttachStderr": True,
                "Tty": c["tty"],
                "OpenStdin": False,
                "StdinOnce": False,
                "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                "Cmd": None,
                "Image": "ghcr.io/blakeblackshear/frigate:stable",
                "Volumes": None,
                "WorkingDir": "/opt/frigate",
                "Entrypoint": ["/init"],
                "OnBuild": None,
                "Labels": dict(c["labels"]),
                "StopTimeout": None,
            },
            "NetworkSettings": {"Bridge": "", "SandboxID": "", "Ports": {}, "Networks": {}},
        }

    def summary_json(self, now):
        c = self.container
        st = c["status"]
        if st == "running":
            up = max(0, int(now - c["started_at"]))
            status = "Up %d seconds" % up if up < 60 else "Up %d minutes" % (up // 60)
        elif st == "paused":
            status = "Up (Paused)"
        elif st == "restarting":
            status = "Restarting (%d) 1 second ago" % c["exit_code"]
        else:
            status = "Exited (%d) 1 second ago" % c["exit_code"]
        return {
            "Id": c["id"], "Names": ["/" + c["name"]],
            "Image": "ghcr.io/blakeblackshear/frigate:stable", "ImageID": "sha256:" + "ab" * 32,
            "Command": "\"/init\"", "Created": int(c["created"]), "Ports": [],
            "Labels": dict(c["labels"]), "State": st, "Status": status,
            "HostConfig": {"NetworkMode": "frigate_default"},
            "NetworkSettings": {"Networks": {}}, "Mounts": [],
        }

    def append_log(self, text, stream=1, when=None):
        # Seconds given as a number are taken as written (1714557600.25 is exactly .25 s).
        ns = time.time_ns() if when is None else int(decimal.Decimal(repr(when)) * 10**9)
        self.log.append((ns, stream, text.encode()))
        self.cond.notify_all()


# ---------------------------------------------------------------------------------------------
# HTTP

ROUTES = []
VERSIONED = r"(?:/v(?P<version>[0-9.]+))?"


def route(method, pattern):
    def wrap(fn):
        ROUTES.append((method, re.compile("^" + VERSIONED + pattern + "$"), fn))
        return fn
    return wrap


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def address_string(self):  # Unix socket peers have no address
        return "unix" if not self.client_address else str(self.client_address[0])

    @property
    def daemon(self):
        return self.server.daemon

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def common_headers(self):
        self.send_header("Api-Version", self.daemon.api_version)
        self.send_header("Docker-Experimental", "false")
        self.send_header("Ostype", "linux")
        self.send_header("Server", "Docker/%s (linux)" % ENGINE_VERSION)

    def send_response(self, code, message=None):
        # The daemon's Go server sends its own Server header (middleware), not Python's.
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def send_json(self, code, obj):
        data = (json.dumps(obj) + "\n").encode()
        self.send_response(code)
        self.common_headers()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_empty(self, code):
        self.send_response(code)
        self.common_headers()
        self.end_headers()

    def handle_any(self):
        split = urlsplit(self.path)
        path, query = split.path, parse_qs(split.query, keep_blank_values=True)
        raw = self.read_body()
        if path.startswith("/_double/"):
            return self.control(path, raw)
        d = self.daemon
        if d.proxy is not None and not proxy_allows(d.proxy, self.command, path):
            with d.lock:
                d.requests.append({"time": time.time(), "method": self.command, "path": path,
                                   "query": split.query, "denied_by_proxy": True,
                                   "headers": {k.lower(): v for k, v in self.headers.items()}})
            self.send_response_only(403)
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(HAPROXY_403)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(HAPROXY_403)
            self.close_connection = True
            return
        with d.lock:
            d.requests.append({"time": time.time(), "method": self.command, "path": path,
                               "query": split.query,
                               "headers": {k.lower(): v for k, v in self.headers.items()}})
            delay = sum(s for r, s in d.hangs if r.search(path))
        if delay > 0:
            time.sleep(delay)
        try:
            with d.lock:
                for inj in d.errors:
                    if inj["count"] > 0 and inj["re"].search(path) and \
                            inj["method"] in ("", self.command):
                        inj["count"] -= 1
                        raise ApiError(inj["status"], inj["message"])
            for method, pattern, fn in ROUTES:
                m = pattern.match(path)
                if m and (method == self.command or (method == "GET" and self.command == "HEAD")):
                    groups = m.groupdict()
                    version = groups.pop("version") or d.api_version
                    if version_tuple(version) > version_tuple(d.api_version):
                        raise ApiError(400, "client version %s is too new. Maximum supported API "
                                       "version is %s" % (version, d.api_version))
                    if version_tuple(version) < version_tuple(MIN_API_VERSION):
                        raise ApiError(400, "client version %s is too old. Minimum supported API "
                                       "version is %s, please upgrade your client to a newer "
                                       "version" % (version, MIN_API_VERSION))
                    return fn(self, query, raw, version=version, **groups)
            # gorilla/mux answers an unknown route with a plain 404 "page not found".
            data = b"404 page not found\n"
            self.send_response(404)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except ApiError as e:
            self.send_json(e.code, {"message": e.message})
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True

    do_GET = do_POST = do_HEAD = do_DELETE = handle_any

    # -- control API -----------------------------------------------------------------------

    def control(self, path, raw):
        d = self.daemon
        try:
            body = json.loads(raw.decode() or "{}") if raw else {}
        except ValueError as e:
            return self.send_json(400, {"error": "bad JSON: %s" % e})
        with d.lock:
            c = d.container
            if path == "/_double/requests" and self.command == "GET":
                return self.send_json(200, d.requests)
            if path == "/_double/requests/reset":
                d.requests.clear()
                return self.send_json(200, {"ok": True})
            if path == "/_double/state":
                state = d.inspect_json()
                state["_restarts"] = [t for t, _ in d.restarts]
                state["_log_lines"] = len(d.log)
                return self.send_json(200, state)
            if path == "/_double/log":
                times = body.get("times") or []
                stream = 2 if body.get("stream") == "stderr" else 1
                for i, line in enumerate(body.get("lines", [])):
                    d.append_log(line, stream, times[i] if i < len(times) else None)
                return self.send_json(200, {"lines": len(d.log)})
            if path == "/_double/container":
                for key in ("status", "restart_count", "tty", "labels", "name", "exists",
                            "exit_code", "restart_seconds"):
                    if key in body:
                        c[key] = body[key]
                if "started_at" in body:
                    c["started_at"] = body["started_at"]
                if c["status"] in ("exited", "dead", "created"):
                    c["finished_at"] = c["finished_at"] or time.time()
                if c["status"] not in ("running", "paused") or not c["exists"]:
                    c["generation"] += 1  # the process is gone: followed logs end
                d.cond.notify_all()
                return self.send_json(200, d.inspect_json())
            if path == "/_double/errors":
                d.errors.append({"re": re.compile(body.get("pattern", ".*")),
                                 "method": body.get("method", ""),
                                 "status": int(body.get("status", 500)),
                                 "count": int(body.get("count", 1)),
                                 "message": body.get("message", "injected failure")})
                return self.send_json(200, {"ok": True})
            if path == "/_double/hang":
                d.hangs = [(r, s) for r, s in d.hangs if r.pattern != body["pattern"]]
                if float(body.get("seconds", 0)) > 0:
                    d.hangs.append((re.compile(body["pattern"]), float(body["seconds"])))
                return self.send_json(200, {"ok": True})
        return self.send_json(404, {"error": "unknown control path " + path})


# Tecnativa docker-socket-proxy: section -> path pattern (haproxy.cfg, versioned prefix optional).
PROXY_PREFIX = r"^(/v[\d.]+)?(/\w+)?"
PROXY_SECTIONS = [
    ("ALLOW_RESTARTS", PROXY_PREFIX + r"/containers/[a-zA-Z0-9_.-]+/((stop)|(restart)|(kill))"),
    ("ALLOW_START", PROXY_PREFIX + r"/containers/[a-zA-Z0-9_.-]+/start"),
    ("ALLOW_STOP", PROXY_PREFIX + r"/containers/[a-zA-Z0-9_.-]+/stop"),
    ("CONTAINERS", PROXY_PREFIX + r"/containers"),
    ("EVENTS", PROXY_PREFIX + r"/events"),
    ("IMAGES", PROXY_PREFIX + r"/images"),
    ("INFO", PROXY_PREFIX + r"/info"),
    ("PING", PROXY_PREFIX + r"/_ping"),
    ("VERSION", PROXY_PREFIX + r"/version"),
]
HAPROXY_403 = (b"<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n"
               b"</body></html>\n")


def proxy_allows(sections, method, path):
    if method not in ("GET", "HEAD") and not sections.get("POST"):
        return False
    return any(sections.get(name) and re.search(rx, path, re.I) for name, rx in PROXY_SECTIONS)


def bool_param(q, name, default=False):
    """httputils.BoolValue: anything but "", "0", "no", "false", "none" is true."""
    if name not in q:
        return default
    return q[name][0].strip().lower() not in ("", "0", "no", "false", "none")


def no_such_container(ident):
    return ApiError(404, "No such container: %s" % ident)


@route("GET", "/_ping")
def ping(h, q, raw, version):
    h.send_response(200)
    h.common_headers()
    h.send_header("Builder-Version", "1")
    h.send_header("Cache-Control", "no-cache, no-store, must-revalidate")
    h.send_header("Pragma", "no-cache")
    h.send_header("Content-Type", "text/plain; charset=utf-8")
    h.send_header("Content-Length", "0" if h.command == "HEAD" else "2")
    h.end_headers()
    if h.command != "HEAD":
        h.wfile.write(b"OK")


@route("GET", "/version")
def get_version(h, q, raw, version):
    h.send_json(200, {
        "Platform": {"Name": ""},
        "Components": [{"Name": "Engine", "Version": ENGINE_VERSION,
                        "Details": {"ApiVersion": h.daemon.api_version,
                                    "MinAPIVersion": MIN_API_VERSION, "Os": "linux",
                                    "Arch": "amd64"}}],
        "Version": ENGINE_VERSION, "ApiVersion": h.daemon.api_version,
        "MinAPIVersion": MIN_API_VERSION, "GitCommit": "5d6db84", "GoVersion": "go1.19.8",
        "Os": "linux", "Arch": "amd64", "KernelVersion": os.uname().release,
        "BuildTime": "2026-05-07T21:09:36.000000000+00:00",
    })


@route("GET", "/containers/json")
def list_containers(h, q, raw, version):
    d = h.daemon
    try:
        filters = json.loads(q.get("filters", ["{}"])[0] or "{}")
    except ValueError as e:
        raise ApiError(400, "invalid filter: %s" % e)
    # Older clients send {"label": {"a=b": true}}; newer ones a list. Accept both, as the daemon.
    def values(key):
        v = filters.get(key, [])
        return list(v.keys()) if isinstance(v, dict) else list(v)
    unknown = set(filters) - {"label", "name", "status", "id"}
    if unknown:
        raise ApiError(400, "invalid filter '%s'" % sorted(unknown)[0])
    with d.lock:
        c = d.container
        out = []
        if c["exists"] and (bool_param(q, "all") or c["status"] in ("running", "paused",
                                                                     "restarting")):
            ok = True
            for sel in values("label"):
                k, _, v = sel.partition("=")
                if k not in c["labels"] or ("=" in sel and c["labels"][k] != v):
                    ok = False
            for n in values("name"):
                if not re.search(n, "/" + c["name"]):
                    ok = False
            st = values("status")
            if st and c["status"] not in st:
                ok = False
            if ok:
                out.append(d.summary_json(time.time()))
    h.send_json(200, out)


@route("GET", "/containers/(?P<ident>[^/]+)/json")
def inspect_container(h, q, raw, version, ident):
    d = h.daemon
    with d.lock:
        if not d.matches(ident):
            raise no_such_container(ident)
        h.send_json(200, d.inspect_json())


@route("POST", "/containers/(?P<ident>[^/]+)/restart")
def restart_container(h, q, raw, version, ident):
    d = h.daemon
    t = None
    if q.get("t", [""])[0] != "":
        try:
            t = int(q["t"][0])
        except ValueError:
            raise ApiError(400, 'strconv.Atoi: parsing "%s": invalid syntax' % q["t"][0])
    with d.lock:
        if not d.matches(ident):
            raise no_such_container(ident)
        c = d.container
        if c["status"] == "dead" or c.get("removing"):
            raise ApiError(409, "Cannot restart container %s: container is marked for removal "
                           "and cannot be started" % ident)
        # Stop: the followed logs of the old process end; the container is briefly "exited".
        c["status"] = "exited"
        c["finished_at"] = time.time()
        c["exit_code"] = 0
        c["generation"] += 1
        d.cond.notify_all()
        pause = float(c["restart_seconds"])
    if d.frigate_sim_control:
        # Frigate runs in this container: its simulator goes down and up with it.
        try:
            req = urllib.request.Request(
                d.frigate_sim_control.rstrip("/") + "/_sim/restart",
                data=json.dumps({"downtime": pause}).encode(), method="POST",
                headers={"Content-Type": "application/json"})
            urllib.request.urlopen(req, timeout=5).read()
        except OSError as e:
            print("docker-api-double: cannot restart the Frigate simulator: %s" % e, flush=True)
    if pause > 0:
        time.sleep(pause)
    with d.lock:
        c["status"] = "running"
        c["started_at"] = time.time()
        c["pid"] += 1
        c["generation"] += 1
        d.restarts.append((time.time(), t))
        d.cond.notify_all()
    h.send_empty(204)


@route("GET", "/containers/(?P<ident>[^/]+)/logs")
def container_logs(h, q, raw, version, ident):
    d = h.daemon
    stdout, stderr = bool_param(q, "stdout"), bool_param(q, "stderr")
    if not (stdout or stderr):
        raise ApiError(400, "Bad parameters: you must choose at least one stream")
    follow = bool_param(q, "follow")
    timestamps = bool_param(q, "timestamps")
    since = parse_timestamp(q["since"][0]) if q.get("since", [""])[0] not in ("", "0") else None
    until = parse_timestamp(q["until"][0]) if q.get("until", [""])[0] not in ("", "0") else None
    tail = q.get("tail", ["all"])[0]
    with d.lock:
        if not d.matches(ident):
            raise no_such_container(ident)
        c = d.container
        tty = c["tty"]
        generation = c["generation"]
        entries = list(d.log)
    wanted = {1} if stdout and not stderr else {2} if stderr and not stdout else {1, 2}

    def keep(entry):
        # The json-file reader skips entries Before(since) and After(until): both inclusive.
        ts, stream, _ = entry
        return (stream in wanted or tty) and (since is None or ts >= since) and \
            (until is None or ts <= until)

    def render(entry):
        ts, stream, text = entry
        payload = ((rfc3339_nano_fixed(ts) + " ").encode() if timestamps else b"") + text + b"\n"
        return payload if tty else frame(stream, payload)

    selected = [e for e in entries if keep(e)]
    if tail not in ("all", ""):
        try:
            n = int(tail)
        except ValueError:
            n = -1
        if n >= 0:
            selected = selected[-n:] if n > 0 else []
    content_type = "application/vnd.docker.raw-stream"
    if not tty and version_tuple(version) >= (1, 42):
        content_type = "application/vnd.docker.multiplexed-stream"
    h.send_response(200)
    h.common_headers()
    h.send_header("Content-Type", content_type)
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()

    def chunk(data):
        if data:
            h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            h.wfile.flush()

    h.wfile.flush()  # the daemon flushes the headers at once: the stream is open
    for e in selected:
        chunk(render(e))
    sent = len(entries)
    while follow and not h.server.stopping:
        with d.lock:
            if not d.matches(ident) or c["generation"] != generation:
                break  # the container stopped (maybe started again): this stream has ended
            if len(d.log) <= sent:
                d.cond.wait(timeout=0.2)
            fresh = d.log[sent:]
            sent = len(d.log)
        for e in fresh:
            if keep(e):
                chunk(render(e))
    h.wfile.write(b"0\r\n\r\n")
    h.wfile.flush()
    h.close_connection = True


# ---------------------------------------------------------------------------------------------
# Servers


class TcpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    tls_context = None

    def finish_request(self, request, client_address):
        # TLS handshake in the worker thread, so one slow client cannot hold up accept().
        if self.tls_context is not None:
            try:
                request = self.tls_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def get_request(self):
        request, _ = super().get_request()
        return request, ("unix", 0)


def main(argv=None):
    p = argparse.ArgumentParser(
        description="Docker Engine API double (ping, version, container list/inspect/restart/logs) "
                    "with a /_double/ control API for tests.")
    p.add_argument("--unix", default="", help="listen on this Unix socket path")
    p.add_argument("--socket-mode", default="660", help="octal mode of --unix (660)")
    p.add_argument("--host", default="127.0.0.1", help="TCP listen address (127.0.0.1)")
    p.add_argument("--port", type=int, default=-1,
                   help="TCP listen port; 0 picks a free one; -1 (default) no TCP unless no --unix")
    p.add_argument("--api-version", default="1.41", help="the daemon's API version (1.41)")
    p.add_argument("--name", default="frigate", help="container name (frigate)")
    p.add_argument("--tty", action="store_true", help="the container has a TTY (raw log stream)")
    p.add_argument("--label", action="append", default=[], help="container label k=v (repeatable)")
    p.add_argument("--restart-seconds", type=float, default=0.5,
                   help="how long a restart keeps the container stopped (0.5)")
    p.add_argument("--tls-cert", default="", help="TCP with TLS: the daemon's certificate (PEM)")
    p.add_argument("--tls-key", default="", help="its key (PEM)")
    p.add_argument("--tls-ca", default="",
                   help="require a client certificate signed by this CA (dockerd --tlsverify)")
    p.add_argument("--frigate-sim-control", default="",
                   help="control URL of a frigate_sim.py that runs 'in' the container: a restart "
                        "of the container restarts it (POST /_sim/restart)")
    p.add_argument("--socket-proxy", default=None,
                   help="apply docker-socket-proxy rules, e.g. CONTAINERS=1,POST=1")
    args = p.parse_args(argv)
    labels = {"com.docker.compose.project": "frigate", "com.docker.compose.service": "frigate"}
    for kv in args.label:
        k, _, v = kv.partition("=")
        labels[k] = v
    daemon = Daemon(args.name, args.api_version, args.tty, labels, args.restart_seconds)
    daemon.frigate_sim_control = args.frigate_sim_control
    if args.socket_proxy is not None:
        daemon.proxy = {"PING": True, "VERSION": True, "EVENTS": True}
        for item in filter(None, args.socket_proxy.split(",")):
            k, _, v = item.partition("=")
            daemon.proxy[k.strip().upper()] = v.strip() in ("1", "true", "yes", "on")
    servers = []
    if args.unix:
        if os.path.exists(args.unix):
            os.unlink(args.unix)
        us = UnixServer(args.unix, Handler)
        os.chmod(args.unix, int(args.socket_mode, 8))
        servers.append(us)
        print("docker-api-double listening on unix://%s" % args.unix, flush=True)
    if args.port >= 0 or not args.unix:
        ts = TcpServer((args.host, max(args.port, 0)), Handler)
        if args.tls_cert:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(args.tls_cert, args.tls_key)
            if args.tls_ca:
                ctx.verify_mode = ssl.CERT_REQUIRED
                ctx.load_verify_locations(args.tls_ca)
            ts.tls_context = ctx
        servers.append(ts)
        print("docker-api-double listening on tcp://%s:%d%s" % (
            args.host, ts.server_address[1], " (tls)" if args.tls_cert else ""), flush=True)
    for s in servers:
        s.daemon, s.stopping = daemon, False
    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
               for s in servers]
    for t in threads:
        t.start()
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        while all(t.is_alive() for t in threads):
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        for s in servers:
            s.stopping = True
            s.shutdown()
            s.server_close()
        if args.unix and os.path.exists(args.unix):
            os.unlink(args.unix)
    return 0


if __name__ == "__main__":
    sys.exit(main())
