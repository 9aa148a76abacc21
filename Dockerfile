# syntax=docker/dockerfile:1
# One image with both programs: frigate-exporter (default entrypoint) and frigate-remediator.
#   docker build -t frigate-health .      (or: scripts/build-image.sh, with buildah, no daemon)
#   docker run --rm frigate-health --help
#   docker run --rm --entrypoint /usr/local/bin/frigate-remediator frigate-health --help
# The runtime stage is FROM scratch: the two programs, the shared libraries they load, the
# dynamic loader, CA certificates, passwd/group entries for uid 65532 and nothing else (no shell,
# no package manager); scripts/collect-runtime-files.sh picks those files in the build stage.
# The build stage's packages are shared with CI: scripts/packages-build.txt (also read by
# scripts/install-deps.sh).

FROM debian:bookworm AS build
ARG DEBIAN_FRONTEND=noninteractive
COPY scripts/packages-build.txt /tmp/packages-build.txt
RUN apt-get update \
 && { grep -Ev '^[[:space:]]*(#|$)' /tmp/packages-build.txt; echo ca-certificates; } \
    | xargs apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The same build script and preset as CI (optimised, warnings are errors), the two programs only:
# the unit tests run in CI (scripts/test.sh), not here.
RUN scripts/build.sh default -DFHC_TESTS=OFF -DFHC_BENCH=OFF \
 && scripts/collect-runtime-files.sh /out build/default/exporter/frigate-exporter \
      build/default/remediator/frigate-remediator

FROM scratch AS runtime
COPY --from=build /out/ /
# Owner set explicitly (builders differ in whether COPY --from keeps it): STATE_FILE's home
# outside Kubernetes belongs to the user below (a named volume mounted here inherits this).
COPY --from=build --chown=65532:65532 /out/var/lib/frigate-health/ /var/lib/frigate-health/
# Non-root (the uid distroless images use for "nonroot"); the programs need no shell, no
# writable root filesystem (but /tmp for the remediator's TLS key) and no capabilities.
USER 65532:65532
EXPOSE 9711 9712
# The exporter's own check (no shell or curl needed): GET /healthz on LISTEN's port, exit 0/1.
# Running the remediator from this image, override it with
#   /usr/local/bin/frigate-remediator healthcheck
# (Compose: healthcheck.test; Kubernetes ignores HEALTHCHECK and uses the chart's probes).
# Kept only in Docker-format images (buildah: --format docker; OCI images have no HEALTHCHECK).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/frigate-exporter", "healthcheck"]
# OCI annotations. scripts/build-image.sh adds org.opencontainers.image.revision and .created with
# --label (build arguments would not reach a label taken from the layer cache).
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="frigate-health" \
      org.opencontainers.image.description="frigate-exporter (Prometheus metrics and a health verdict for Frigate NVR) and frigate-remediator (Alertmanager webhook to gated restarts of Frigate)" \
      org.opencontainers.image.version="${VERSION}"
ENTRYPOINT ["/usr/local/bin/frigate-exporter"]
