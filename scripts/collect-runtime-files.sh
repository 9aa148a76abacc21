#!/usr/bin/env bash
# Collects into DEST everything the programs need at run time, for the image's runtime stage
# (FROM scratch; see the Dockerfile) and nothing else:
#   - each BINARY, stripped, in DEST/usr/local/bin;
#   - every shared library `ldd` lists and the dynamic loader, at their real paths, with the
#     links the loader follows to them (soname links, Debian 12's merged-/usr links /lib, /lib64);
#   - libraries a library opens with dlopen() by a name ldd cannot see (table below);
#   - Debian's CA bundle (/etc/ssl/certs/ca-certificates.crt, libcurl's built-in CA path);
#   - /etc/passwd, /etc/group (root and nonroot 65532), /etc/nsswitch.conf;
#   - /tmp (1777; the TLS listener writes its key there) and /var/lib/frigate-health (0700,
#     owned by 65532; STATE_FILE's home outside Kubernetes).
# No tzdata: the programs log and mail in UTC; only the restart annotation uses local time, as
# kubectl does, and without zone files that is UTC too.
# Usage: scripts/collect-runtime-files.sh DEST BINARY...   Exit 0 ok, 1 failure, 2 usage error.
set -euo pipefail

# Libraries opened with dlopen() by an unversioned name: invisible to ldd. When the library on
# the left is collected, each "name=soname" on the right is linked in the soname's folder.
# Debian 12's civetweb 1.15 (libcivetweb1) loads OpenSSL as dlopen("libssl.so") and
# dlopen("libcrypto.so") (strings /usr/lib/x86_64-linux-gnu/libcivetweb.so.1), names that
# normally come with libssl-dev.
declare -A dlopened=([libcivetweb.so.1]="libssl.so=libssl.so.3 libcrypto.so=libcrypto.so.3")

if [ $# -lt 2 ]; then
  echo "usage: $0 DEST BINARY..." >&2
  exit 2
fi
dest=$1
shift
for bin in "$@"; do
  [ -x "$bin" ] && [ -f "$bin" ] || { echo "collect-runtime-files: not an executable: $bin" >&2; exit 2; }
done
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
chmod 0755 "$dest"  # the image's root folder

# Debian 12 merged /lib and /lib64 into /usr: keep those two top-level links, so the
# loader's path in each binary (/lib64/ld-linux-x86-64.so.2) and ldd's paths resolve the same.
for top in lib lib64; do
  if [ -L "/$top" ] && [ ! -e "$dest/$top" ]; then ln -s "$(readlink "/$top")" "$dest/$top"; fi
done

# Copies PATH into DEST under its real folder, keeping each symbolic link on the way as a link.
copy_path() {
  local p=$1 dir name target hops=0
  while :; do
    dir=$(readlink -f "$(dirname "$p")")
    name=$(basename "$p")
    mkdir -p "$dest$dir"
    if [ -L "$dir/$name" ]; then
      target=$(readlink "$dir/$name")
      [ -e "$dest$dir/$name" ] || [ -L "$dest$dir/$name" ] || ln -s "$target" "$dest$dir/$name"
      case $target in /*) p=$target ;; *) p=$dir/$target ;; esac
      hops=$((hops + 1))
      [ $hops -lt 40 ] || { echo "collect-runtime-files: link loop at $p" >&2; exit 1; }
    elif [ -f "$dir/$name" ]; then
      [ -e "$dest$dir/$name" ] || cp -p "$dir/$name" "$dest$dir/$name"
      return 0
    else
      echo "collect-runtime-files: missing file $dir/$name" >&2
      exit 1
    fi
  done
}

# The library file the loader would find for SONAME (from ldconfig's cache).
find_soname() {
  ldconfig -p | awk -v n="$1" '$1 == n { print $NF; exit }'
}

libs=()
for bin in "$@"; do
  install -D -m 0755 -s "$bin" "$dest/usr/local/bin/$(basename "$bin")"
  if ! out=$(ldd "$bin" 2>&1); then
    echo "collect-runtime-files: ldd failed for $bin: $out" >&2
    exit 1
  fi
  if grep -q "not found" <<<"$out"; then
    echo "collect-runtime-files: $bin: a library is missing on this machine:" >&2
    grep "not found" <<<"$out" >&2
    exit 1
  fi
  # "name => /path (addr)" lines and the loader's "/lib64/ld-linux-x86-64.so.2 (addr)" line.
  mapfile -t -O ${#libs[@]} libs < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 }
                                          $1 ~ /^\// { print $1 }' <<<"$out")
done

for lib in $(printf '%s\n' "${libs[@]}" | sort -u); do
  copy_path "$lib"
  soname=$(basename "$lib")
  for pair in ${dlopened[$soname]:-}; do
    name=${pair%%=*}
    target=${pair#*=}
    path=$(find_soname "$target")
    [ -n "$path" ] || { echo "collect-runtime-files: $soname dlopens $name, but $target is not installed" >&2; exit 1; }
    copy_path "$path"
    dir=$(readlink -f "$(dirname "$path")")
    [ -e "$dest$dir/$name" ] || ln -s "$target" "$dest$dir/$name"
  done
done

# HTTPS to Frigate and the Kubernetes API, SMTP over TLS: libcurl's built-in CA bundle path.
ca=/etc/ssl/certs/ca-certificates.crt
[ -s "$ca" ] || { echo "collect-runtime-files: $ca missing (install ca-certificates)" >&2; exit 1; }
install -D -m 0644 "$ca" "$dest$ca"

# Users and groups: root and the unprivileged user the image runs as (the uid distroless images
# use for "nonroot"); hosts from /etc/hosts, then DNS (glibc 2.36 has both built in).
install -d -m 0755 "$dest/etc"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$dest/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$dest/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$dest/etc/nsswitch.conf"
chmod 0644 "$dest/etc/passwd" "$dest/etc/group" "$dest/etc/nsswitch.conf"
install -d -m 1777 "$dest/tmp"
install -d -o 65532 -g 65532 -m 0700 "$dest/var/lib/frigate-health"

files=$(find "$dest" -type f | wc -l)
echo "collect-runtime-files: $files files, $(du -sh "$dest" | cut -f1) in $dest"
