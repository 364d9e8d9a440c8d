#!/bin/bash
# Records what a private dockerd 20.10 (Debian's docker.io) answers, for the shape tests.
# Run as root from the repository: bash test/vendor/dockerd/record.sh [OUT_DIR]
# It starts its own dockerd (own data/exec roots, no default bridge, no iptables), imports an
# offline busybox rootfs as `busybox`, records the documents below, then stops dockerd and removes
# its roots. OUT_DIR defaults to this folder.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}
W=$(mktemp -d /tmp/skiff-dockerd-record.XXXXXX)
SOCK=$W/docker.sock
export DOCKER_HOST=unix://$SOCK DOCKER_CONFIG=$W/cfg HOME=$W DOCKER_BUILDKIT=0
mkdir -p "$W/cfg"
echo '{}' >"$W/daemon.json"
cleanup() {
  [ -f "$W/docker.pid" ] && kill "$(cat "$W/docker.pid")" 2>/dev/null || true
  for _ in $(seq 100); do [ -f "$W/docker.pid" ] || break; sleep 0.2; done
  [ -f "$W/exec/containerd/containerd.pid" ] && kill -9 "$(cat "$W/exec/containerd/containerd.pid")" 2>/dev/null || true
  grep " $W" /proc/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT
dockerd --config-file "$W/daemon.json" --data-root "$W/data" --exec-root "$W/exec" --pidfile "$W/docker.pid" \
  -H "unix://$SOCK" --iptables=false --bridge=none >"$W/dockerd.log" 2>&1 &
for _ in $(seq 300); do curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1 && break; sleep 0.1; done
api() { curl -sf --unix-socket "$SOCK" -X "${2:-GET}" "http://d/v1.41$1"; }

node --import tsx --input-type=module -e "
import { makeBusyboxTar } from '$PWD/test/helpers/busybox.ts';
makeBusyboxTar('$W', '$W/busybox.tar');"
docker import -c 'CMD ["/bin/sh"]' "$W/busybox.tar" busybox >/dev/null

id=$(docker create busybox)
redact() { jq -S --arg w "$W" 'walk(if type == "string" then gsub($w; "$W") else . end)'; }
api "/containers/$id/json" | redact >"$OUT/container-inspect.json"
api "/containers/$id/json?size=1" | jq -S '{SizeRw, SizeRootFs}' >"$OUT/container-inspect-size.json"
api "/containers/json?all=1" | jq -S . >"$OUT/container-list.json"
api "/info" | redact >"$OUT/info.json"

# Mounts: what .Mounts lists for each kind, and the HostConfig fields they come from.
mkdir -p "$W/h"
m=$(docker create --network none -v vol1:/v -v "$W/h:/h:ro" --tmpfs /t1:size=1m --mount type=tmpfs,dst=/t2 \
  --mount type=bind,src="$W/h",dst=/h2 --mount type=volume,src=vol2,dst=/v2,volume-nocopy busybox)
api "/containers/$m/json" | redact | jq -S '{Mounts, HostConfig: (.HostConfig | {Binds, Tmpfs, Mounts})}' >"$OUT/container-mounts.json"

# Sizes: a container that wrote 100000 bytes, then commit, list filters and prune.
w=$(docker run --network none --name writer busybox sh -c 'head -c 100000 /dev/zero >/f')
docker commit writer child:1 >/dev/null
docker create --network none --name from-child child:1 >/dev/null
docker create --network none --name from-tag busybox:latest >/dev/null
bid=$(docker image inspect -f '{{.Id}}' busybox)
docker create --network none --name from-id "${bid:7:12}" >/dev/null
# dockerd filters publish= and expose= on the ports of running containers only: one that runs.
docker network create --subnet 10.213.77.0/24 rec >/dev/null
docker run -d --network rec --name published -p 127.0.0.1:18080:80/tcp --expose 90 busybox sleep 600 >/dev/null
docker create --name published-created -p 127.0.0.1:18081:80/tcp --expose 90 busybox >/dev/null
api "/containers/published/json" | jq -S '.NetworkSettings | {Ports, Networks: (.Networks | map_values(keys))}' >"$OUT/running-network.json"
{
  echo '{'
  echo "\"writer\": $(api "/containers/writer/json?size=1" | jq -c '{SizeRw, SizeRootFs}'),"
  echo "\"child\": $(api "/images/child:1/json" | jq -c --arg b "$bid" '{Parent, ParentIsBusybox: (.Parent == $b)}'),"
  echo "\"list\": $(api "/containers/json?all=1" | jq -c 'map({Names, Image, Ports}) | sort_by(.Names[0])'),"
  echo '"filters": {'
  sep=''
  for f in ancestor=busybox ancestor=busybox:latest "ancestor=${bid:7:12}" "ancestor=$bid" ancestor=child:1 \
      publish=18080 publish=18080/tcp publish=80 publish=18000-18100 expose=80 expose=90 expose=90/tcp expose=85-95 expose=18080; do
    echo "$sep\"${f/$bid/LONG_ID}\": $(docker ps -a --filter "$f" --format '{{.Names}}' | sort | jq -R . | jq -sc .)"
    sep=','
  done
  echo '},'
  docker rm -f published >/dev/null
  docker network rm rec >/dev/null
  echo "\"prune\": $(api "/containers/prune" POST | jq -c '{SpaceReclaimed, Deleted: (.ContainersDeleted | length)}')"
  echo '}'
} | sed -e "s/${bid#sha256:}/LONG_ID/g" -e "s/${bid:7:12}/SHORT_ID/g" | jq -S . >"$OUT/facts.json"
docker version --format '{{.Server.Version}} {{.Server.GoVersion}}' >"$OUT/VERSION"
