# syntax=docker/dockerfile:1
# One image with both programs: frigate-exporter (default entrypoint) and frigate-remediator.
#   docker build -t frigate-health .
#   docker run --rm frigate-health --help
#   docker run --rm --entrypoint /usr/local/bin/frigate-remediator frigate-health --help
# Package lists are shared with CI: scripts/packages-build.txt (also read by
# scripts/install-deps.sh) and scripts/packages-runtime.txt (checked against the binaries by
# scripts/check-runtime-libs.sh).

FROM debian:bookworm AS build
COPY scripts/packages-build.txt /tmp/packages-build.txt
RUN apt-get update \
 && grep -Ev '^[[:space:]]*(#|$)' /tmp/packages-build.txt \
    | xargs apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The same build script as CI (default preset: release build with tests), then the unit tests.
ARG RUN_TESTS=true
RUN rm -rf build/default && scripts/build.sh default \
 && if [ "$RUN_TESTS" = true ]; then ctest --test-dir build/default --output-on-failure -j "$(nproc)"; fi \
 && install -D -m 0755 -s build/default/exporter/frigate-exporter /out/usr/local/bin/frigate-exporter \
 && install -D -m 0755 -s build/default/remediator/frigate-remediator /out/usr/local/bin/frigate-remediator

FROM debian:bookworm-slim AS runtime
COPY scripts/packages-runtime.txt /tmp/packages-runtime.txt
# civetweb loads OpenSSL with dlopen("libssl.so") / dlopen("libcrypto.so"): those unversioned
# names normally come with libssl-dev; link them to libssl3's files instead.
RUN apt-get update \
 && grep -Ev '^[[:space:]]*(#|$)' /tmp/packages-runtime.txt \
    | xargs apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /tmp/packages-runtime.txt \
 && libdir=$(dirname "$(readlink -f /usr/lib/*/libssl.so.3)") \
 && ln -s libssl.so.3 "$libdir/libssl.so" \
 && ln -s libcrypto.so.3 "$libdir/libcrypto.so"
COPY --from=build /out/ /
# Home of STATE_FILE outside Kubernetes; a named volume mounted here inherits this ownership.
RUN install -d -o 65532 -g 65532 -m 0700 /var/lib/frigate-health
# Non-root (the uid distroless images use for "nonroot"); the programs need no shell, no
# writable root filesystem and no capabilities.
USER 65532:65532
EXPOSE 9711 9712
ENTRYPOINT ["/usr/local/bin/frigate-exporter"]
