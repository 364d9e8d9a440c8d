#!/usr/bin/env bash
# A minimal root filesystem from busybox-static: the offline sample image.
set -euo pipefail
dir=${1:?usage: sample-rootfs.sh DIR}
mkdir -p "$dir"/{bin,etc,tmp,root,proc,sys,dev,usr/bin,var}
chmod 1777 "$dir/tmp"
cp /bin/busybox "$dir/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$dir/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' > "$dir/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$dir/etc/group"
