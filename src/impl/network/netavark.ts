/**
 * @module impl/network/netavark
 * Runs netavark (the network backend Podman 4 uses): `setup`/`teardown <netns>` with the
 * request on stdin. netavark does the bridge, veth, addresses, firewall rules and aardvark-dns;
 * the caller picks the addresses (IPAM is ours).
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { internal } from '../../core/errdefs.js';
import type { NetavarkRequest, NetavarkStatus } from './types.js';

export interface NetavarkOptions {
  binary: string;
  /** Where netavark keeps aardvark-dns's files and its lock. */
  configDir: string;
  aardvarkBinary: string;
  /**
   * A rootless user's: the namespace netavark runs in and takes for the host (their rootless
   * netns), and a lock of their own (their rules are in that namespace, not the host's).
   */
  rootless?: { netns: string; lockFile: string };
}

export const DEFAULT_NETAVARK = '/usr/lib/podman/netavark';
export const DEFAULT_AARDVARK = '/usr/lib/podman/aardvark-dns';
const LOCK_FILE = '/run/lock/skiff-netavark.lock';

/**
 * Docker's bridges cannot reach each other. netavark 1.4's `isolate` option appends its jump
 * to FORWARD after its own ACCEPT rules (so it never drops), and the first teardown of any
 * isolated network deletes the jump for all of them. So skiff keeps its own two-stage chains
 * (the same rules, at the top of FORWARD) for the bridges in $SKIFF_ISOLATE, added after setup
 * and removed once netavark has deleted the bridge. Runs under the lock.
 */
const SETUP_SCRIPT = `"$0" "$@" || exit $?
{
rules=$(iptables-save -t filter)
has() { printf '%s\\n' "$rules" | grep -qxF -e "$1"; }
ok=1
has "-A FORWARD -j SKIFF_ISOLATION_1" || ok=
for b in $SKIFF_ISOLATE; do
  has "-A SKIFF_ISOLATION_1 -i $b ! -o $b -j SKIFF_ISOLATION_2" || ok=
  has "-A SKIFF_ISOLATION_2 -o $b -j DROP" || ok=
done
[ -n "$ok" ] && exit 0
iptables -w -N SKIFF_ISOLATION_1; iptables -w -N SKIFF_ISOLATION_2
iptables -w -C FORWARD -j SKIFF_ISOLATION_1 || iptables -w -I FORWARD 1 -j SKIFF_ISOLATION_1
for b in $SKIFF_ISOLATE; do
  iptables -w -C SKIFF_ISOLATION_1 -i "$b" ! -o "$b" -j SKIFF_ISOLATION_2 || iptables -w -A SKIFF_ISOLATION_1 -i "$b" ! -o "$b" -j SKIFF_ISOLATION_2
  iptables -w -C SKIFF_ISOLATION_2 -o "$b" -j DROP || iptables -w -A SKIFF_ISOLATION_2 -o "$b" -j DROP
done
} >/dev/null 2>&1
exit 0`;

/**
 * A setup on bridges that already exist (their chains made by an earlier setup) without ports
 * only checks rules and adds the container's veth, so such setups share the lock; the first
 * setup of a bridge, one with ports and every teardown still hold it alone. The bridges are
 * checked under the lock: a teardown may remove one between our look and the lock.
 */
const RETRY_ALONE = 75;
const SHARED_SETUP_SCRIPT = `for b in $SKIFF_BRIDGES; do [ -e "/sys/class/net/$b" ] || exit ${RETRY_ALONE}; done
${SETUP_SCRIPT}`;

const TEARDOWN_SCRIPT = `"$0" "$@"; rc=$?
for b in $SKIFF_ISOLATE; do
  [ -e "/sys/class/net/$b" ] && continue
  iptables -w -D SKIFF_ISOLATION_1 -i "$b" ! -o "$b" -j SKIFF_ISOLATION_2
  iptables -w -D SKIFF_ISOLATION_2 -o "$b" -j DROP
done >/dev/null 2>&1
exit $rc`;

/** Bridges of the request's networks that are isolated from other bridges (the default). */
function isolatedBridges(req: NetavarkRequest): string {
  return Object.values(req.network_info)
    .filter((n) => n.options?.isolate !== 'false')
    .map((n) => n.network_interface)
    .join(' ');
}

/** The bridges a request attaches to, when a setup of it may share the lock (if they exist). */
function sharedBridges(verb: 'setup' | 'teardown', req: NetavarkRequest): string | undefined {
  if (verb !== 'setup' || req.port_mappings?.length) return undefined;
  const bridges = Object.values(req.network_info).map((n) => n.network_interface);
  if (!bridges.length || bridges.some((b) => !b)) return undefined;
  return bridges.join(' ');
}

async function run(o: NetavarkOptions, verb: 'setup' | 'teardown', netns: string, req: NetavarkRequest): Promise<string> {
  const bridges = sharedBridges(verb, req);
  if (bridges !== undefined) {
    const r = await runLocked(o, verb, netns, req, bridges);
    if (r !== RETRY_ALONE) return r;
  }
  const r = await runLocked(o, verb, netns, req);
  if (r === RETRY_ALONE) throw internal(`netavark ${verb}: exit status ${RETRY_ALONE}`);
  return r;
}

/** Runs netavark under the host-wide lock: shared (setups on existing bridges) or alone. */
function runLocked(o: NetavarkOptions, verb: 'setup' | 'teardown', netns: string, req: NetavarkRequest, sharedOn?: string): Promise<string | typeof RETRY_ALONE> {
  const args = ['--config', o.configDir, '--rootless', o.rootless ? 'true' : 'false', '--aardvark-binary', o.aardvarkBinary, verb, netns];
  const lockFile = o.rootless?.lockFile ?? LOCK_FILE;
  const inNetns = o.rootless ? ['nsenter', `--net=${o.rootless.netns}`] : [];
  // netavark 1.4 does not serialise its iptables work: two setups at once fail with "Chain
  // already exists". The rules are host-wide, so is the lock; flock(1) drops it if we die, and
  // -o keeps it from aardvark-dns, which netavark leaves running.
  mkdirSync(dirname(lockFile), { recursive: true });
  const script = sharedOn !== undefined ? SHARED_SETUP_SCRIPT : verb === 'setup' ? SETUP_SCRIPT : TEARDOWN_SCRIPT;
  return new Promise((resolve, reject) => {
    const cmd = [...inNetns, 'flock', sharedOn !== undefined ? '-s' : '-x', '-o', '-w', '300', lockFile, 'sh', '-c', script, o.binary, ...args];
    const p = spawn(cmd[0]!, cmd.slice(1), {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        ...process.env,
        RUST_LOG: process.env.RUST_LOG ?? 'netavark=warn',
        SKIFF_ISOLATE: isolatedBridges(req),
        SKIFF_BRIDGES: sharedOn ?? '',
      },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', (e) => reject(internal(`running ${o.binary}: ${e.message}`, e)));
    p.on('close', (code) => {
      if (code === 0) return resolve(out);
      if (code === RETRY_ALONE && sharedOn !== undefined && !out) return resolve(RETRY_ALONE);
      let msg = err.trim();
      try {
        // netavark reports failures as {"error": "..."} on stdout.
        msg = (JSON.parse(out) as { error?: string }).error ?? msg;
      } catch {
        // not JSON: keep stderr
      }
      reject(internal(`netavark ${verb}: ${msg || `exit status ${code}`}`));
    });
    p.stdin.on('error', () => undefined);
    p.stdin.end(JSON.stringify(req));
  });
}

export async function netavarkSetup(o: NetavarkOptions, netns: string, req: NetavarkRequest): Promise<NetavarkStatus> {
  const out = await run(o, 'setup', netns, req);
  try {
    return JSON.parse(out) as NetavarkStatus;
  } catch (e) {
    throw internal(`netavark setup printed something that is not JSON: ${out.slice(0, 200)}`, e);
  }
}

export async function netavarkTeardown(o: NetavarkOptions, netns: string, req: NetavarkRequest): Promise<void> {
  await run(o, 'teardown', netns, req);
}

/** Drops a bridge's isolation rules (network rm after a crash left them without netavark's teardown). */
export function removeIsolation(bridge: string): Promise<void> {
  return new Promise((resolve) => {
    const p = spawn('flock', ['-o', '-w', '300', LOCK_FILE, 'sh', '-c', TEARDOWN_SCRIPT, 'true'], {
      stdio: 'ignore',
      env: { ...process.env, SKIFF_ISOLATE: bridge },
    });
    p.on('error', () => resolve());
    p.on('close', () => resolve());
  });
}
