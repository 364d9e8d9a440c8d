#!/usr/bin/env bash
# Makes a busybox image offline (from Debian's busybox-static) and uses it.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash scripts/sample-rootfs.sh "$work/rootfs"
tar --numeric-owner -C "$work/rootfs" -cf "$work/rootfs.tar" .
skiff import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' "$work/rootfs.tar" skiff-sample:latest
skiff images skiff-sample
skiff image inspect --format '{{.Id}} {{json .Config.Cmd}} {{.Size}} bytes' skiff-sample
if skiff run --help >/dev/null 2>&1; then
  skiff run --rm skiff-sample echo "hello from a skiff container"
fi
