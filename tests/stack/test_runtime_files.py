"""scripts/collect-runtime-files.sh, which fills the image's FROM-scratch runtime stage, checked
without a container engine: its output tree is chrooted into and the built programs run from it
as uid 65532 (test_image.py then does the same from the real image built by buildah)."""
import os
import shutil
import ssl
import subprocess
import sysconfig
import urllib.request

import pytest

from fhc_testlib import Proc, free_port, wait_until
from stack_common import EXPORTER, REMEDIATOR, REPO, require_tool, run

SCRIPT = REPO / "scripts" / "collect-runtime-files.sh"
LIBDIR = "usr/lib/" + sysconfig.get_config_var("MULTIARCH")  # usr/lib/x86_64-linux-gnu here


@pytest.fixture(scope="module")
def rootfs(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.fail("chroot needs root")
    for b in (EXPORTER, REMEDIATOR):
        if not b.exists():
            pytest.fail(f"{b} not built (run scripts/build.sh default)")
    dest = tmp_path_factory.mktemp("rootfs")
    r = run([SCRIPT, dest, EXPORTER, REMEDIATOR])
    assert r.returncode == 0, r.stdout + r.stderr
    return dest


def chroot_argv(root, program):
    return [shutil.which("chroot"), "--userspec=65532:65532", root, program]


def test_tree_holds_the_programs_libraries_loader_and_links(rootfs):
    for b in ("frigate-exporter", "frigate-remediator"):
        f = rootfs / "usr/local/bin" / b
        assert f.stat().st_mode & 0o777 == 0o755
        assert b".symtab" not in f.read_bytes(), "stripped"
    # Debian 12's merged /usr, as the loader path in the binaries needs it.
    assert os.readlink(rootfs / "lib64") == "usr/lib64" and os.readlink(rootfs / "lib") == "usr/lib"
    assert (rootfs / "lib64/ld-linux-x86-64.so.2").resolve().is_file()
    # civetweb's dlopen("libssl.so") / dlopen("libcrypto.so") find OpenSSL 3.
    assert os.readlink(rootfs / LIBDIR / "libssl.so") == "libssl.so.3"
    assert os.readlink(rootfs / LIBDIR / "libcrypto.so") == "libcrypto.so.3"
    assert (rootfs / "etc/ssl/certs/ca-certificates.crt").stat().st_size > 100_000
    assert not (rootfs / "bin/sh").exists() and not (rootfs / "usr/bin").exists()
    for b in ("frigate-exporter", "frigate-remediator"):
        r = run(chroot_argv(rootfs, f"/usr/local/bin/{b}") + ["--version"])
        assert r.returncode == 0 and r.stdout.startswith(b + " "), r.stdout + r.stderr


def start_tls_remediator(root, tmp_path):
    certs = root / "certs"
    certs.mkdir(exist_ok=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", certs / "tls.key",
                    "-out", certs / "tls.pem", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    for f in certs.iterdir():
        os.chown(f, 65532, 65532)
    port = free_port()
    env = {"PATH": "/usr/bin:/bin"}
    env.update({f"FRIGATE_HC_{k}": v for k, v in {
        "LISTEN": f"127.0.0.1:{port}", "RESTART_ACTION": "dry-run", "WEBHOOK_TOKEN": "t",
        "NAMESPACE": "nvr", "DEPLOYMENT_NAME": "frigate", "STATE_STORE": "file",
        "STATE_FILE": "/var/lib/frigate-health/state.json", "FRIGATE_URL": "http://127.0.0.1:9",
        "TLS_CERT_FILE": "/certs/tls.pem", "TLS_KEY_FILE": "/certs/tls.key"}.items()})
    p = Proc(chroot_argv(root, "/usr/local/bin/frigate-remediator"), env=env,
             name="frigate-remediator-chroot")
    return p, port, certs / "tls.pem"


def test_remediator_serves_tls_from_the_tree(rootfs, tmp_path):
    p, port, cert = start_tls_remediator(rootfs, tmp_path)
    try:
        p.wait_for(r"listening on https://127\.0\.0\.1:", timeout=20)
        ctx = ssl.create_default_context(cafile=str(cert))
        with urllib.request.urlopen(f"https://127.0.0.1:{port}/healthz", context=ctx,
                                    timeout=10) as resp:
            assert resp.status == 200
    finally:
        p.stop()


@pytest.mark.parametrize("missing", [["libssl.so"], ["libcrypto.so"], ["libssl.so", "libcrypto.so"]])
def test_without_the_unversioned_openssl_links_tls_cannot_serve(rootfs, tmp_path, missing):
    # What the dlopen table in the script is for: civetweb finds no OpenSSL without these names
    # (with only libssl.so missing, civetweb 1.15 used to crash in mg_start2).
    bare = tmp_path / "bare"
    subprocess.run(["cp", "-a", rootfs, bare], check=True)  # keeps owners (the state folder)
    for name in missing:
        (bare / LIBDIR / name).unlink()
    p, port, _ = start_tls_remediator(bare, tmp_path)
    try:
        wait_until(lambda: p.p.poll() is not None, timeout=20, what="the remediator to give up")
        # A clear refusal, not a crash inside civetweb (it calls through a null pointer).
        assert p.p.returncode == 1, p.output()
        assert f"civetweb loads OpenSSL as {missing[0]}, which cannot be opened" in p.output()
        assert "listening on" not in p.output()
    finally:
        p.stop()


def test_usage_errors(tmp_path):
    r = run([SCRIPT, tmp_path / "out"])
    assert r.returncode == 2 and "usage" in r.stderr
    r = run([SCRIPT, tmp_path / "out", tmp_path / "nothing"])
    assert r.returncode == 2 and "not an executable" in r.stderr


def test_dockerfile_runtime_stage_is_from_scratch_with_the_collected_files():
    text = (REPO / "Dockerfile").read_text()
    assert "FROM debian:bookworm AS build" in text and "FROM scratch AS runtime" in text
    build_stage, runtime_stage = text.split("FROM scratch AS runtime", 1)
    assert "scripts/packages-build.txt" in build_stage and "scripts/build.sh default" in build_stage
    assert "scripts/collect-runtime-files.sh /out" in build_stage
    assert "COPY --from=build /out/ /" in runtime_stage
    assert "USER 65532:65532" in runtime_stage
    assert 'CMD ["/usr/local/bin/frigate-exporter", "healthcheck"]' in runtime_stage
    assert "RUN " not in runtime_stage, "no shell in the runtime stage to RUN anything with"
    assert "packages-build.txt" in (REPO / "scripts" / "install-deps.sh").read_text()


def test_every_build_package_exists_in_debian():
    apt_cache = require_tool("apt-cache", "Debian's apt")
    names = [l.strip() for l in (REPO / "scripts" / "packages-build.txt").read_text().splitlines()
             if l.strip() and not l.startswith("#")]
    result = run([apt_cache, "show", "--no-all-versions", *names])
    assert result.returncode == 0, result.stderr
