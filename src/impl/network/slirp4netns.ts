/**
 * @module impl/network/slirp4netns
 * User-mode networking for a network namespace that its user cannot give a veth to (a rootless
 * user has no bridge on the host): slirp4netns puts a tap device in the namespace and carries
 * its traffic through ordinary sockets of the user on the host, as Podman 4's default rootless
 * network does. Published ports are slirp4netns's own listeners, added through its API socket.
 *
 * The process outlives the command that started it (a `run -d` returns at once); whoever tears
 * the container's network down stops it by the pid recorded in the container's row, after
 * checking that the pid is still this namespace's slirp4netns (a pid is reused).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { failedPrecondition, internal } from '../../core/errdefs.js';

/** The addresses slirp4netns gives the namespace with --configure and its default 10.0.2.0/24. */
export const SLIRP = { ip: '10.0.2.100', prefixLen: 24, gateway: '10.0.2.2', dns: '10.0.2.3' } as const;

export interface Slirp4netnsOptions {
  /** The network namespace, kept by a bind mount at this path. */
  netns: string;
  apiSocket: string;
  /** slirp4netns's stderr, for the error when it fails to start. */
  logFile: string;
  mtu: number;
  /** Whether 10.0.2.2 reaches the host's loopback (Podman's allow_host_loopback, off by default). */
  allowHostLoopback: boolean;
  /**
   * slirp4netns's own mount namespace with none of the host's files. Only where the netns's bind
   * mount sits in a private mount namespace (a rootless user's): under root's /run/netns, a shared
   * mount, the sandbox's set-up unmounts the namespace's bind mount on the host too.
   */
  sandbox: boolean;
}

/** Starts slirp4netns for the namespace and returns its pid once the tap device is configured. */
export async function startSlirp4netns(o: Slirp4netnsOptions): Promise<number> {
  const args = [
    '--configure',
    `--mtu=${o.mtu}`,
    ...(o.allowHostLoopback ? [] : ['--disable-host-loopback']),
    // Podman's hardening: a seccomp filter, and the sandbox where it is safe (see `sandbox`).
    ...(o.sandbox ? ['--enable-sandbox'] : []),
    '--enable-seccomp',
    '--netns-type=path',
    `--api-socket=${o.apiSocket}`,
    '--ready-fd=3',
    o.netns,
    'tap0',
  ];
  const log = openSync(o.logFile, 'w', 0o600);
  let child;
  try {
    // Its own session and no descriptor of ours but the ready pipe: it outlives this command.
    child = spawn('slirp4netns', args, { detached: true, stdio: ['ignore', 'ignore', log, 'pipe'], cwd: '/' });
  } finally {
    closeSync(log);
  }
  const spawned = new Promise<void>((res, rej) => {
    child.once('spawn', res);
    child.once('error', rej);
  });
  try {
    await spawned;
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw failedPrecondition(missing ? 'slirp4netns is not installed (Debian package slirp4netns)' : `cannot start slirp4netns: ${(e as Error).message}`);
  }
  const ready = child.stdio[3] as Readable;
  const outcome = await new Promise<'ready' | 'exited' | 'timeout'>((res) => {
    const timer = setTimeout(() => res('timeout'), 30_000);
    ready.once('data', () => {
      clearTimeout(timer);
      res('ready');
    });
    child.once('exit', () => {
      clearTimeout(timer);
      res('exited');
    });
  });
  ready.destroy();
  child.unref();
  if (outcome !== 'ready') {
    child.kill('SIGKILL');
    let why = '';
    try {
      why = readFileSync(o.logFile, 'utf8').trim().split('\n').slice(-3).join('; ');
    } catch {
      // nothing logged
    }
    const tun = /tun/i.test(why) ? ' (/dev/net/tun must be readable and writable by every user: mode 0666)' : '';
    throw internal(`slirp4netns ${outcome === 'timeout' ? 'did not get ready' : 'exited'}${why ? `: ${why}` : ''}${tun}`);
  }
  return child.pid!;
}

export interface HostForward {
  proto: 'tcp' | 'udp';
  /** '' = every address. */
  hostAddr: string;
  hostPort: number;
  guestPort: number;
}

/** One published port: slirp4netns listens on the host port and connects to the namespace's address. Its id. */
export async function addHostForward(apiSocket: string, f: HostForward): Promise<number> {
  const reply = (await apiCall(apiSocket, {
    execute: 'add_hostfwd',
    arguments: { proto: f.proto, host_addr: f.hostAddr || '0.0.0.0', host_port: f.hostPort, guest_addr: SLIRP.ip, guest_port: f.guestPort },
  })) as { error?: { desc?: string }; return?: { id?: number } };
  if (reply.error) throw internal(`publishing port ${f.hostPort}/${f.proto} through slirp4netns: ${reply.error.desc ?? JSON.stringify(reply.error)}`);
  return reply.return?.id ?? 0;
}

/** Closes a listener added by addHostForward (a shared slirp4netns outlives the container). */
export async function removeHostForward(apiSocket: string, id: number): Promise<void> {
  const reply = (await apiCall(apiSocket, { execute: 'remove_hostfwd', arguments: { id } })) as { error?: { desc?: string } };
  if (reply.error) throw internal(`removing slirp4netns port forward ${id}: ${reply.error.desc ?? JSON.stringify(reply.error)}`);
}

/** slirp4netns's API: one JSON request per connection, one JSON reply. */
function apiCall(socket: string, req: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const s = connect(socket);
    let buf = '';
    s.setEncoding('utf8');
    s.once('connect', () => s.end(JSON.stringify(req)));
    s.on('data', (d: string) => (buf += d));
    s.once('error', (e) => reject(internal(`slirp4netns API ${socket}: ${e.message}`, e)));
    s.once('close', () => {
      try {
        resolve(JSON.parse(buf));
      } catch (e) {
        reject(internal(`slirp4netns API ${socket} replied ${JSON.stringify(buf)}`, e));
      }
    });
  });
}

/** Whether `pid` is still the slirp4netns of this namespace (alive, not a zombie). */
export function slirp4netnsAlive(pid: number, netns: string): boolean {
  if (!(pid > 0)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') return false;
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv[0]!.endsWith('slirp4netns') && argv.includes(netns);
  } catch {
    return false;
  }
}

/** Stops it and waits until it is gone (SIGKILL after 2 s): its listeners free the host ports. */
export async function stopSlirp4netns(pid: number, netns: string): Promise<void> {
  if (!slirp4netnsAlive(pid, netns)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 200 && slirp4netnsAlive(pid, netns); i++) {
    if (i === 100) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        return;
      }
    }
    await delay(20);
  }
}
