"""The runtime image has every shared library the binaries load (no container engine needed)."""
import re
import shutil

import pytest

from stack_common import EXPORTER, REMEDIATOR, REPO, require_tool, run

SCRIPT = REPO / "scripts" / "check-runtime-libs.sh"
BINARIES = [EXPORTER, REMEDIATOR]
DOCKERFILE = REPO / "Dockerfile"
RUNTIME_LIST = REPO / "scripts" / "packages-runtime.txt"

# A program loading the same libraries the two binaries use, built from this source in the test,
# so the mapping is checked before (and independently of) the real binaries.
PROBE_SOURCE = r"""
#include <curl/curl.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>
#include "CivetServer.h"
int main() { prometheus::Registry r; curl_global_init(0); spdlog::info("probe"); mg_init_library(0); }
"""


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    gxx = require_tool("g++", "apt-get install g++ (scripts/packages-build.txt)")
    d = tmp_path_factory.mktemp("probe")
    (d / "probe.cc").write_text(PROBE_SOURCE)
    result = run([gxx, "-std=c++20", d / "probe.cc", "-o", d / "probe", "-Wl,--no-as-needed",
                  "-lprometheus-cpp-core", "-lcivetweb-cpp", "-lcivetweb", "-lcurl", "-lspdlog", "-lfmt"])
    assert result.returncode == 0, result.stderr
    return d / "probe"


def test_built_binaries_need_only_runtime_packages():
    missing = [str(b) for b in BINARIES if not b.exists()]
    if missing:
        pytest.fail("binaries not built: " + ", ".join(missing) + " (run scripts/build.sh default)")
    result = run([SCRIPT, *BINARIES])
    assert result.returncode == 0, result.stdout + result.stderr


def test_probe_with_the_same_libraries_passes(probe):
    result = run([SCRIPT, probe])
    assert result.returncode == 0, result.stdout + result.stderr
    for lib, pkg in [("libcivetweb.so", "libcivetweb1"), ("libcurl.so", "libcurl4"),
                     ("libprometheus-cpp-core.so", "libprometheus-cpp-core1.0"),
                     ("libspdlog.so", "libspdlog1.10"), ("libfmt.so", "libfmt9"), ("libc.so", "libc6")]:
        assert re.search(rf"^ok {re.escape(lib)}\S* -> {re.escape(pkg)}$", result.stdout, re.M), lib
    assert "ok libssl.so (dlopen by libcivetweb)" in result.stdout


def test_a_package_missing_from_the_runtime_list_is_named(probe, tmp_path):
    short = tmp_path / "packages-runtime.txt"
    short.write_text("\n".join(l for l in RUNTIME_LIST.read_text().splitlines() if l.strip() != "libcivetweb1"))
    result = run([SCRIPT, probe], env={"PATH": "/usr/bin:/bin", "FHC_RUNTIME_PACKAGES": str(short)})
    assert result.returncode == 1
    assert "MISSING libcivetweb.so.1 -> libcivetweb1" in result.stdout


def test_civetweb_tls_needs_the_unversioned_openssl_links(probe, tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("\n".join(l for l in DOCKERFILE.read_text().splitlines() if "ln -s" not in l))
    result = run([SCRIPT, probe], env={"PATH": "/usr/bin:/bin", "FHC_DOCKERFILE": str(dockerfile)})
    assert result.returncode == 1
    assert "MISSING libssl.so (dlopen by libcivetweb)" in result.stdout


def test_not_an_executable_is_a_usage_error(tmp_path):
    result = run([SCRIPT, tmp_path / "nothing"])
    assert result.returncode == 2 and "not an executable" in result.stderr


def test_dockerfile_uses_the_shared_package_lists_and_a_non_root_user():
    text = DOCKERFILE.read_text()
    assert "FROM debian:bookworm AS build" in text and "FROM debian:bookworm-slim AS runtime" in text
    assert "scripts/packages-build.txt" in text and "scripts/packages-runtime.txt" in text
    assert "scripts/build.sh default" in text
    runtime_stage = text.split("AS runtime", 1)[1]
    assert "USER 65532:65532" in runtime_stage
    assert "-dev" not in "".join(l for l in runtime_stage.splitlines() if not l.lstrip().startswith("#"))
    assert "packages-build.txt" in (REPO / "scripts" / "install-deps.sh").read_text()


def test_every_listed_package_exists_in_debian():
    apt_cache = require_tool("apt-cache", "Debian's apt")
    for listing in ("packages-build.txt", "packages-runtime.txt"):
        names = [l.strip() for l in (REPO / "scripts" / listing).read_text().splitlines()
                 if l.strip() and not l.startswith("#")]
        result = run([apt_cache, "show", "--no-all-versions", *names])
        assert result.returncode == 0, f"{listing}: {result.stderr}"
