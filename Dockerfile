# The container image of the native binary, for a machine that can pull base images:
#   docker build -t localhost/datahub-exporter:latest .        (or: podman build / buildah bud)
# CI cannot pull (no registry access): tests/scripts/build-image.sh builds the equivalent image FROM scratch with
# buildah, from the published binary and this machine's Debian glibc, OpenSSL and CA certificates, then runs it.
#
# Build stage: the .NET 10 SDK (Ubuntu 24.04, glibc 2.39) with clang and zlib for the NativeAOT link.
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends clang zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish src/DatahubExporter -c Release -r linux-x64 -o /out

# Run stage: distroless "cc" (Debian 13: glibc 2.41, libssl, CA certificates, no shell), as the unprivileged
# user 65534 that examples/kubernetes/ also sets. No HEALTHCHECK: Kubernetes probes /-/healthy and /-/ready.
FROM gcr.io/distroless/cc-debian13:nonroot
COPY --from=build /out/datahub_exporter /usr/local/bin/datahub_exporter
USER 65534:65534
EXPOSE 48080
ENTRYPOINT ["/usr/local/bin/datahub_exporter"]
# The systemd unit's listen address; the configuration comes from TENCENTCLOUD_* variables or a mounted
# --conf file (add --conf=/etc/datahub_exporter/datahub_exporter.conf to the arguments to use one).
CMD ["--web.listen-address=:48080"]
