#!/usr/bin/env bash
# Installs everything skiff needs on a Debian machine (as root), builds it and puts `skiff` on PATH.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(
  runc crun conmon catatonit tini          # OCI runtimes, monitor, init processes
  netavark aardvark-dns iproute2 iptables  # networking
  uidmap fuse-overlayfs slirp4netns        # rootless: newuidmap/newgidmap, FUSE overlay, user-mode network (unshare/nsenter: util-linux)
  busybox-static zstd tar bzip2 xz-utils   # test images; ADD unpacks bzip2/xz with the host's tools
  tmux                                     # terminal tests (run -it)
  docker-registry podman skopeo            # interop peers and a real registry for tests
  docker-compose python3-docker            # compose v1 and docker-py against the API service
  podman-compose                           # the compose peer of skiff compose (with podman)
  apache2-utils openssl curl               # htpasswd (bcrypt), certificates, raw HTTP in the API tests
  python3-nacl                             # libsodium: the sigstore key-file peer (Debian's skopeo has sigstore disabled)
  systemd                                  # systemd-socket-activate (fd:// test), systemd-analyze verify of units
  gcc libc6-dev                            # a static helper compiled by the cp race test
  clang lld wasi-libc libclang-rt-14-dev-wasm32 wabt   # WASM tests: C for wasm32-wasi, wat2wasm
)
# Under CI a test whose tool is missing fails rather than skip (test/helpers/requires.ts names the
# package): every tool a test runs is in this list.
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# The API tests drive skiff's socket with a real docker CLI, and the fidelity tests compare with a
# private dockerd: Debian's docker.io ships both. A machine with only a docker CLI (this kind has
# docker 28's in /usr/local/bin) still needs the package for dockerd.
command -v dockerd >/dev/null || missing+=(docker.io)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q "${missing[@]}"
fi

if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "setup: Node.js 20 or newer is needed" >&2
  exit 1
fi

# Rootless mode's fuse-overlayfs (storage.mount_program) opens /dev/fuse as the user: udev makes it
# 0666 on a desktop; a machine without udev leaves the kernel's 0600.
if [ -c /dev/fuse ]; then chmod 0666 /dev/fuse; fi
# Rootless networking's slirp4netns opens /dev/net/tun as the user inside its namespace: Debian's
# udev rules make it 0666; without udev the kernel leaves 0600.
if [ -c /dev/net/tun ]; then chmod 0666 /dev/net/tun; fi

npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
ln -sf "$PWD/bin/skiff" /usr/local/bin/skiff
mkdir -p /etc/skiff
[ -f /etc/skiff/skiff.conf ] || cp conf/skiff.conf /etc/skiff/skiff.conf
echo "setup: skiff $(bin/skiff version --format '{{.Client.Version}}') ready at /usr/local/bin/skiff"
