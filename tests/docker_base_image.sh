#!/usr/bin/env bash
# Build the plain Debian image the Docker tests start from, from Debian's own packages (no image registry).
# Needs root, debootstrap and a running Docker daemon (Debian: apt-get install debootstrap docker.io).
set -euo pipefail
TAG="${1:-linclass/debian:bookworm}"
ROOTFS="$(mktemp -d)"
trap 'rm -rf "$ROOTFS"' EXIT
debootstrap --variant=minbase bookworm "$ROOTFS" http://deb.debian.org/debian
tar -C "$ROOTFS" -c . | docker import - "$TAG"
echo "built $TAG"
