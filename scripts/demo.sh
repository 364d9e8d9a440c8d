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
skiff run --rm skiff-sample echo "hello from a skiff container"
# A Containerfile build on top of it, then the built image run.
mkdir -p "$work/ctx"
printf 'hello from a skiff build\n' > "$work/ctx/greeting.txt"
cat > "$work/ctx/Containerfile" <<'CONTAINERFILE'
FROM skiff-sample:latest
COPY greeting.txt /etc/greeting
RUN wc -c < /etc/greeting > /etc/greeting.size
CMD ["sh", "-c", "cat /etc/greeting; echo \"($(cat /etc/greeting.size) bytes)\""]
CONTAINERFILE
skiff build --network none -t skiff-sample:built "$work/ctx"
skiff run --rm skiff-sample:built
