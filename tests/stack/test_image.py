"""The Dockerfile built for real, and both programs served from the image.

scripts/build-image.sh builds it with Debian's buildah (chroot isolation, Docker format, no daemon)
on a debian:bookworm base that mmdebstrap makes from Debian's packages (no registry is reachable
here). The programs then run from the image's root file system with `buildah run` as uid 65532,
against the Frigate simulator on the host's loopback (chroot isolation shares the host's network).

Needs root, buildah and mmdebstrap (scripts/install-deps.sh). A cold run takes about 5 minutes on
two cores (base 1 min, build packages 1-2 min, compiling the two programs 2-3 min); the base
tarball and the build stage's package layer are kept in build/image for the next run."""
import datetime
import json
import os
import pathlib
import re
import shutil
import ssl
import subprocess
import sysconfig
import urllib.request

import pytest

from fhc_testlib import free_port, http_get, parse_metrics, wait_until
from stack_common import REPO

TAG = "localhost/frigate-health:test"
IMAGE_DIR = pathlib.Path(os.environ.get("FHC_IMAGE_DIR", REPO / "build" / "image"))
DRIVER = os.environ.get("FHC_IMAGE_DRIVER", "overlay")
SIZE_LIMIT = 40 * 1000 * 1000
EXPORTER = "/usr/local/bin/frigate-exporter"
REMEDIATOR = "/usr/local/bin/frigate-remediator"
MULTIARCH = sysconfig.get_config_var("MULTIARCH")  # x86_64-linux-gnu here


def bah(*args, timeout=120, check=True):
    r = subprocess.run(["buildah", "--root", str(IMAGE_DIR / "storage"), "--runroot",
                        str(IMAGE_DIR / "run"), "--storage-driver", DRIVER, *map(str, args)],
                       capture_output=True, text=True, timeout=timeout)
    if check:
        assert r.returncode == 0, f"buildah {' '.join(map(str, args))}: {r.stderr}"
    return r


class Image:
    def __init__(self, config, container, rootfs, build_log):
        self.config, self.container, self.rootfs, self.build_log = config, container, rootfs, build_log

    def run_argv(self, program, env, *extra):
        """argv of `buildah run` starting `program` in the image as 65532 with FRIGATE_HC_* env."""
        argv = ["buildah", "--root", IMAGE_DIR / "storage", "--runroot", IMAGE_DIR / "run",
                "--storage-driver", DRIVER, "run", "--isolation", "chroot", "--user", "65532:65532"]
        for k, v in env.items():
            argv += ["-e", f"FRIGATE_HC_{k}={v}"]
        return [*map(str, argv), *extra, self.container, "--", program]


@pytest.fixture(scope="module")
def image():
    if os.geteuid() != 0:
        pytest.fail("building the image needs root (buildah's chroot isolation, mmdebstrap)")
    for tool in ("buildah", "mmdebstrap"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} not found: run scripts/install-deps.sh")
    env = dict(os.environ, FHC_IMAGE_DIR=str(IMAGE_DIR), FHC_IMAGE_DRIVER=DRIVER)
    r = subprocess.run(["bash", REPO / "scripts" / "build-image.sh", TAG], env=env,
                       capture_output=True, text=True, timeout=3600)
    assert r.returncode == 0, (r.stdout + r.stderr)[-8000:]
    config = json.loads(bah("inspect", "--type", "image", TAG).stdout)
    name = f"fhc-image-test-{os.getpid()}"
    bah("rm", name, check=False)
    container = bah("from", "--pull=false", "--name", name, TAG).stdout.strip()
    rootfs = pathlib.Path(bah("mount", container).stdout.strip())
    yield Image(config, container, rootfs, r.stdout)
    bah("umount", container, check=False)
    bah("rm", container, check=False)


def program_pid(exe, listen):
    """The pid of the program started with FRIGATE_HC_LISTEN=listen (not buildah's helper)."""
    for d in pathlib.Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            if not os.readlink(d / "exe").endswith(exe):
                continue
            if f"FRIGATE_HC_LISTEN={listen}".encode() in (d / "environ").read_bytes().split(b"\0"):
                return int(d.name)
        except OSError:
            continue
    return None


def loaded_files(pid):
    """Files the process has mapped, as paths inside its root (the image)."""
    root = os.readlink(f"/proc/{pid}/root")
    out = set()
    for line in pathlib.Path(f"/proc/{pid}/maps").read_text().splitlines():
        parts = line.split(None, 5)
        if len(parts) == 6 and parts[5].startswith(root + "/"):
            out.add(parts[5][len(root):])
    return out, root


def uid_of(pid):
    status = pathlib.Path(f"/proc/{pid}/status").read_text()
    return [int(x) for x in re.search(r"^Uid:\s+(.*)$", status, re.M).group(1).split()]


def start_in_image(image, procs, program, env, *extra):
    listen = env["LISTEN"]
    p = procs.start(image.run_argv(program, env, *extra), name=pathlib.Path(program).name + "-image")
    p.wait_for(r"listening on https?://", timeout=30)
    pid = wait_until(lambda: program_pid(program, listen), timeout=10, what="the program's pid")
    return p, pid


def test_image_is_small_and_configured(image):
    m = re.search(r"^image \S+ (.+)$", image.build_log, re.M)
    assert m, image.build_log[-2000:]
    size = bah("images", "--json", TAG).stdout
    total = sum(f.stat().st_size for f in image.rootfs.rglob("*") if f.is_file() and not f.is_symlink())
    assert total < SIZE_LIMIT, f"runtime root file system holds {total} bytes"
    cfg = image.config["Docker"]["config"]
    assert cfg["User"] == "65532:65532"
    assert cfg["Entrypoint"] == [EXPORTER]
    assert set(cfg["ExposedPorts"]) == {"9711/tcp", "9712/tcp"}
    # Docker format keeps the HEALTHCHECK: the exporter's own subcommand, no shell.
    assert cfg["Healthcheck"]["Test"] == ["CMD", EXPORTER, "healthcheck"]
    assert cfg["Healthcheck"]["Timeout"] == 5 * 10**9
    labels = cfg["Labels"]
    version = re.search(r"project\(frigate-health VERSION ([0-9.]+)",
                        (REPO / "CMakeLists.txt").read_text()).group(1)
    assert labels["org.opencontainers.image.version"] == version
    assert labels["org.opencontainers.image.title"] == "frigate-health"
    head = subprocess.run(["git", "-C", REPO, "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode == 0:
        assert labels["org.opencontainers.image.revision"] == head.stdout.strip()
    created = datetime.datetime.strptime(labels["org.opencontainers.image.created"],
                                         "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    age = datetime.datetime.now(datetime.timezone.utc) - created
    assert datetime.timedelta(0) <= age < datetime.timedelta(hours=2), "stamped by this build"
    listed = json.loads(size)[0]
    assert TAG in listed["names"]
    # The README states the size; keep it true (within 1 MB).
    stated = re.search(r"\*\*The image is ([0-9.]+) MB\*\*", (REPO / "README.md").read_text())
    assert stated, "README states no image size"
    measured = float(re.fullmatch(r"([0-9.]+) MB", listed["size"]).group(1))
    assert abs(float(stated.group(1)) - measured) <= 1.0, (stated.group(1), listed["size"])


def test_no_shell_package_manager_or_other_extras(image):
    names = {"/" + str(f.relative_to(image.rootfs)) for f in image.rootfs.rglob("*")
             if f.is_file() and not f.is_symlink()}
    for absent in ("/bin/sh", "/usr/bin/sh", "/usr/bin/bash", "/usr/bin/apt", "/usr/bin/dpkg",
                   "/usr/bin/curl", "/usr/bin/wget"):
        assert not (image.rootfs / absent.lstrip("/")).exists(), absent
    not_elf = {n for n in names if (image.rootfs / n.lstrip("/")).read_bytes()[:4] != b"\x7fELF"}
    assert not_elf == {"/etc/ssl/certs/ca-certificates.crt", "/etc/passwd", "/etc/group",
                       "/etc/nsswitch.conf"}
    passwd = (image.rootfs / "etc/passwd").read_text()
    assert re.search(r"^nonroot:x:65532:65532:", passwd, re.M)
    state = image.rootfs / "var/lib/frigate-health"
    st = state.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (65532, 65532, 0o700)
    assert (image.rootfs / "tmp").stat().st_mode & 0o7777 == 0o1777


def test_both_programs_serve_from_the_image_as_65532_and_load_only_what_it_holds(
        image, frigate_sim, procs, tmp_path):
    sim = frigate_sim(version="0.16", cameras=2)
    # The exporter, as a container would run it (LISTEN on the wildcard address).
    e_port = free_port()
    e_env = {"LISTEN": f"0.0.0.0:{e_port}", "FRIGATE_URL": sim.url}
    exporter, e_pid = start_in_image(image, procs, EXPORTER, e_env)
    assert uid_of(e_pid) == [65532] * 4
    base = f"http://127.0.0.1:{e_port}"
    assert http_get(base + "/healthz")[:1] == (200,)

    def scraped():
        status, _, body = http_get(base + "/metrics")
        return status == 200 and parse_metrics(body).get(("frigate_up", frozenset())) == 1.0

    wait_until(scraped, timeout=20, what="frigate_up 1 from the image's exporter")

    # The remediator with its TLS listener (civetweb loads OpenSSL with dlopen) and its state in
    # the image's /var/lib/frigate-health.
    certs = tmp_path / "certs"
    certs.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", certs / "tls.key",
                    "-out", certs / "tls.pem", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    for f in certs.iterdir():
        os.chown(f, 65532, 65532)
    r_port = free_port()
    r_env = {"LISTEN": f"0.0.0.0:{r_port}", "FRIGATE_URL": sim.url, "RESTART_ACTION": "dry-run",
             "WEBHOOK_TOKEN": "image-token", "NAMESPACE": "nvr", "DEPLOYMENT_NAME": "frigate",
             "STATE_STORE": "file", "STATE_FILE": "/var/lib/frigate-health/state.json",
             "TLS_CERT_FILE": "/certs/tls.pem", "TLS_KEY_FILE": "/certs/tls.key"}
    remediator, r_pid = start_in_image(image, procs, REMEDIATOR, r_env,
                                       "--volume", f"{certs}:/certs:ro")
    assert uid_of(r_pid) == [65532] * 4
    ctx = ssl.create_default_context(cafile=str(certs / "tls.pem"))
    r_base = f"https://127.0.0.1:{r_port}"
    with urllib.request.urlopen(r_base + "/healthz", context=ctx, timeout=10) as resp:
        assert resp.status == 200
    with urllib.request.urlopen(r_base + "/metrics", context=ctx, timeout=10) as resp:
        assert b"frigate_remediator_" in resp.read()
    # A webhook: the decision's state is written by uid 65532 into the image's state folder.
    labels = {"alertname": "FrigateDetectionStuck", "severity": "warning", "reason":
              "detection_stuck", "remediate": "restart", "namespace": "nvr",
              "deployment": "frigate"}
    body = {"version": "4", "status": "firing", "receiver": "frigate-remediator",
            "groupKey": "{}:{alertname=\"FrigateDetectionStuck\"}", "truncatedAlerts": 0,
            "groupLabels": {"alertname": "FrigateDetectionStuck"}, "commonLabels": labels,
            "commonAnnotations": {}, "externalURL": "http://alertmanager:9093",
            "alerts": [{"status": "firing", "labels": labels, "annotations": {},
                        "startsAt": "2026-11-28T06:40:44.425Z", "endsAt": "0001-01-01T00:00:00Z",
                        "generatorURL": "http://prometheus:9090/graph", "fingerprint":
                        "864f93fb887d6ba5"}]}
    req = urllib.request.Request(r_base + "/webhook", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json",
                                          "Authorization": "Bearer image-token"})
    with urllib.request.urlopen(req, context=ctx, timeout=10) as resp:
        assert resp.status == 200, resp.read()
    state = image.rootfs / "var/lib/frigate-health/state.json"
    wait_until(state.exists, timeout=10, what="the remediator's state file in the image")
    assert (state.stat().st_uid, state.stat().st_gid) == (65532, 65532)

    # Every file in the image that a program could load is loaded by one of them: nothing rides
    # along. (The remediator's TLS listener has loaded OpenSSL by now.)
    e_files, e_root = loaded_files(e_pid)
    r_files, _ = loaded_files(r_pid)
    elf = {"/" + str(f.relative_to(image.rootfs)) for f in image.rootfs.rglob("*")
           if f.is_file() and not f.is_symlink()
           and (f.read_bytes()[:4] == b"\x7fELF")}
    assert elf - (e_files | r_files) == set(), "in the image but loaded by neither program"
    assert f"/usr/lib/{MULTIARCH}/libssl.so.3" in r_files | e_files
    # The image's HEALTHCHECK, run inside the image as Docker would (exec form, the container's
    # environment): healthy while the exporter serves, unhealthy once it is gone.
    test = image.config["Docker"]["config"]["Healthcheck"]["Test"]
    assert test[0] == "CMD"

    def health():
        argv = image.run_argv(test[1], {"LISTEN": e_env["LISTEN"]})[:-1] + test[1:]
        return subprocess.run(argv, capture_output=True, text=True, timeout=30)

    h = health()
    assert h.returncode == 0 and "healthy: GET http://127.0.0.1:" in h.stdout, h.stdout + h.stderr
    exporter.stop()
    h = health()
    assert h.returncode != 0 and "unhealthy: GET" in h.stdout, h.stdout + h.stderr
    remediator.stop()
