#!/usr/bin/env bash
# Builds the image from the Dockerfile with buildah (daemonless; Debian's `buildah` package), on a
# debian:bookworm base made here from Debian's packages by mmdebstrap, so no container registry
# is needed. Runs as root (buildah's chroot isolation; rootless buildah needs subuid ranges).
#   scripts/build-image.sh [TAG]        default TAG: localhost/frigate-health:<project version>
# Environment:
#   FHC_IMAGE_DIR        buildah's storage, the base tarball and logs (default build/image); the
#                        base tarball and the image's layers (--layers) are reused between runs:
#                        delete that folder to refresh the base
#   FHC_IMAGE_DRIVER     storage driver: overlay (default) or vfs
#   FHC_DEBIAN_MIRROR    default http://deb.debian.org/debian (the security suite follows it)
# Prints the image's name and size on the last line: "image TAG SIZE" (e.g. "25.6 MB").
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
version=$(sed -n 's/^project(frigate-health VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
tag=${1:-localhost/frigate-health:$version}
dir=${FHC_IMAGE_DIR:-$here/build/image}
driver=${FHC_IMAGE_DRIVER:-overlay}
mirror=${FHC_DEBIAN_MIRROR:-http://deb.debian.org/debian}
base=docker.io/library/debian:bookworm
if [ "$(id -u)" != 0 ]; then
  echo "build-image: run as root (buildah's chroot isolation and mmdebstrap need it here)" >&2
  exit 2
fi
for tool in buildah mmdebstrap; do
  command -v "$tool" >/dev/null || { echo "build-image: $tool missing: run scripts/install-deps.sh" >&2; exit 2; }
done
mkdir -p "$dir"
export BUILDAH_ISOLATION=chroot
bah() { buildah --root "$dir/storage" --runroot "$dir/run" --storage-driver "$driver" "$@"; }

# 1. The base: Debian 12 "minbase" (what the official debian:bookworm image is: Essential and
#    Priority required packages plus apt), as a tarball, imported under the official name.
if ! bah inspect --type image "$base" >/dev/null 2>&1; then
  tarball=$dir/debian-bookworm.tar
  if [ ! -s "$tarball" ]; then
    echo "build-image: making $base with mmdebstrap (about a minute)"
    mmdebstrap --variant=minbase --format=tar --aptopt='Acquire::Retries "3"' bookworm \
      "$tarball.tmp" "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
      "deb ${mirror%/debian}/debian-security bookworm-security main" >"$dir/mmdebstrap.log" 2>&1 \
      || { tail -30 "$dir/mmdebstrap.log" >&2; exit 1; }
    mv "$tarball.tmp" "$tarball"
  fi
  ctr=$(bah from scratch)
  bah add "$ctr" "$tarball" / >/dev/null
  bah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --cmd bash --os linux --arch "$(dpkg --print-architecture)" "$ctr"
  bah commit --quiet --format docker --rm "$ctr" "$base" >/dev/null
  echo "build-image: $base imported"
fi

# 2. The image. Docker format keeps HEALTHCHECK (OCI image configs have no such field). The
#    build stage is tagged first (frigate-health-build:cache), so that its package layer survives
#    the pruning below and the next build reuses it; the full build then reuses that stage.
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
args=(--isolation chroot --format docker --layers --pull=false
  --build-arg VERSION="$version")
bah bud "${args[@]}" --target build -t localhost/frigate-health-build:cache .
bah bud "${args[@]}" -t "$tag" \
  --label org.opencontainers.image.revision="$revision" \
  --label org.opencontainers.image.created="$(date -u +%Y-%m-%dT%H:%M:%SZ)" .
# Earlier builds' stages, no longer tagged.
bah rmi --prune >/dev/null || true

size=$(bah images --format '{{.Size}}' "$tag" | head -1)
echo "image $tag $size"
