#!/usr/bin/env bash
# Checks, without a container engine, that the runtime image has every shared library the
# binaries load: each library `ldd` reports must belong (dpkg -S) to a package the Dockerfile's
# runtime stage installs (scripts/packages-runtime.txt, with their dependencies) or to the base
# image (listed below). Also checks the libraries civetweb dlopen()s by unversioned name.
# Usage: scripts/check-runtime-libs.sh BINARY...   Exit 0 ok, 1 missing library, 2 usage error.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# Overridable for the script's own tests.
runtime_list=${FHC_RUNTIME_PACKAGES:-$here/scripts/packages-runtime.txt}
dockerfile=${FHC_DOCKERFILE:-$here/Dockerfile}

# Packages debian:bookworm-slim already has (priority required / apt's own dependencies).
base_image_packages=(libc6 libstdc++6 libgcc-s1 zlib1g libzstd1 liblzma5 libbz2-1.0 libgnutls30
  libidn2-0 libunistring2 libp11-kit0 libtasn1-6 libnettle8 libhogweed6 libgmp10 libffi8
  libsystemd0 liblz4-1 libgcrypt20 libgpg-error0 libcap2 libselinux1 libpcre2-8-0 libcrypt1)

# Libraries opened with dlopen() by an unversioned name: invisible to ldd. library -> names.
declare -A dlopened=([libcivetweb]="libssl.so libcrypto.so")

if [ $# -eq 0 ]; then
  echo "usage: $0 BINARY..." >&2
  exit 2
fi
for bin in "$@"; do
  [ -x "$bin" ] || { echo "check-runtime-libs: not an executable: $bin" >&2; exit 2; }
done

# The runtime packages and everything apt would install with them (Depends and Pre-Depends).
mapfile -t listed < <(grep -Ev '^[[:space:]]*(#|$)' "$runtime_list")
declare -A provided=()
for p in "${listed[@]}" "${base_image_packages[@]}"; do provided[$p]=1; done
while read -r dep; do
  provided[$dep]=1
done < <(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
           --no-replaces --no-enhances "${listed[@]}" 2>/dev/null | grep -E '^[a-z0-9]' | sed 's/:.*//')

# Candidate names of a library path: Debian 12 merged /lib into /usr/lib, and dpkg records only
# the name the package shipped, so both spellings of the path and of its target are asked.
candidates() {
  local path=$1 real
  real=$(readlink -f "$path")
  printf '%s\n' "$path" "$real" "${path#/usr}" "/usr$path" "${real#/usr}" "/usr$real"
}

# Libraries of every binary: "binary name path" lines.
libs=()
for bin in "$@"; do
  if ! ldd_out=$(ldd "$bin" 2>&1); then
    echo "check-runtime-libs: ldd failed for $bin: $ldd_out" >&2
    exit 2
  fi
  while read -r name path; do
    libs+=("$bin $name $path")
  done < <(echo "$ldd_out" | awk '/=>/ {print $1, $3} /^[[:space:]]*\/.*ld-linux/ {print $1, $1}')
done

# One dpkg -S call for all candidate paths (it is slow per call): path -> package.
declare -A owner_of=()
mapfile -t all_candidates < <(for l in "${libs[@]}"; do
  read -r _ _ path <<<"$l"; [ -e "$path" ] && candidates "$path"; done | sort -u)
if [ ${#all_candidates[@]} -gt 0 ]; then
  while IFS= read -r line; do
    pkgs=${line%%: /*}  # "libfoo:amd64, libbar:amd64: /path" -> first package, no arch
    pkg=${pkgs%%,*}
    owner_of[${line#*: }]=${pkg%%:*}
  done < <(dpkg -S "${all_candidates[@]}" 2>/dev/null | grep -v '^diversion')
fi
owner() {
  local c
  while read -r c; do
    if [ -n "${owner_of[$c]:-}" ]; then echo "${owner_of[$c]}"; return 0; fi
  done < <(candidates "$1")
  return 1
}

status=0
declare -A seen=()
for l in "${libs[@]}"; do
  read -r bin name path <<<"$l"
  [ -n "$path" ] || continue
  if [ "$path" = "not" ]; then
    echo "MISSING $name: not found on this machine (needed by $bin)"
    status=1
    continue
  fi
  [ -n "${seen[$path]:-}" ] && continue
  seen[$path]=1
  if ! pkg=$(owner "$path"); then
    echo "UNOWNED $name ($path): no Debian package owns it (needed by $bin)"
    status=1
    continue
  fi
  if [ -n "${provided[$pkg]:-}" ]; then
    echo "ok $name -> $pkg"
  else
    echo "MISSING $name -> $pkg: add $pkg to scripts/packages-runtime.txt (needed by $bin)"
    status=1
  fi
  for lib in "${!dlopened[@]}"; do
    case "$name" in "$lib".so*)
      for soname in ${dlopened[$lib]}; do
        if grep -q "ln -s.*$soname" "$dockerfile"; then
          echo "ok $soname (dlopen by $lib) -> linked in the Dockerfile"
        else
          echo "MISSING $soname (dlopen by $lib): the Dockerfile must link it to the versioned file"
          status=1
        fi
      done ;;
    esac
  done
done
exit $status
