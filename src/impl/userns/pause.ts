/**
 * The pause process of a user who is not root: it holds their user and mount namespaces for as
 * long as it lives (Podman's rootless pause process), so every later skiff command, conmon and
 * the containers share one set of id maps and see the same storage mounts.
 *
 * Node cannot make or join a user namespace itself: unshare(2) and setns(2) into a user
 * namespace need a single-threaded caller, and Node has libuv's and V8's threads from the start.
 * So util-linux does both: `unshare` (which runs newuidmap/newgidmap for its own child, with the
 * ranges of /etc/subuid and /etc/subgid) execs the pause program, and `nsenter` joins it and
 * execs skiff again. No helper of our own to compile, and both are in every Debian base.
 */
import { accessSync, closeSync, constants, openSync, readFileSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { failedPrecondition } from '../../core/errdefs.js';
import type { SubIdRange } from '../../core/config/subids.js';
import { openLockFile, tryFlock, unlockAndClose } from '../../sys/flock.js';

export interface PauseOptions {
  /** pid file (and `<file>.lock`, `<file>.log` beside it) */
  pauseFile: string;
  uid: number;
  subuid: SubIdRange;
  subgid: SubIdRange;
}

const PAUSE_PROGRAMS = [['/usr/bin/catatonit', '-P'], ['/usr/libexec/podman/catatonit', '-P']];

/** The pid of the live pause process of this user, starting one when none lives. */
export async function ensurePause(opts: PauseOptions): Promise<number> {
  const live = livePause(opts.pauseFile, opts.uid);
  if (live) return live;
  const fd = openLockFile(`${opts.pauseFile}.lock`);
  try {
    for (let i = 0; !tryFlock(fd); i++) {
      if (i > 600) throw failedPrecondition(`the user namespace's pause process is being started by another process for too long (${opts.pauseFile}.lock)`);
      await sleep(50);
    }
    // Another command may have started it while this one waited for the lock.
    return livePause(opts.pauseFile, opts.uid) ?? (await startPause(opts));
  } finally {
    unlockAndClose(fd);
  }
}

/** The recorded pause process if it still lives, is this user's, and sits in another user namespace. */
export function livePause(pauseFile: string, uid: number): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(pauseFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const realUid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
    if (realUid !== uid) return undefined;
    if (readlinkSync(`/proc/${pid}/ns/user`) === readlinkSync('/proc/self/ns/user')) return undefined;
    return pid;
  } catch {
    return undefined;
  }
}

async function startPause(opts: PauseOptions): Promise<number> {
  const program = PAUSE_PROGRAMS.find(([p]) => exists(p!)) ?? ['/bin/sleep', 'infinity'];
  const args = [
    '--map-user=0',
    '--map-group=0',
    `--map-users=${opts.subuid.start},1,${opts.subuid.count}`,
    `--map-groups=${opts.subgid.start},1,${opts.subgid.count}`,
    '--mount',
    '--propagation=private',
    '--',
    ...program,
  ];
  const logFile = `${opts.pauseFile}.log`;
  const log = openSync(logFile, 'w', 0o600);
  let child;
  try {
    // Its own session, cwd / and no inherited descriptors: it outlives this command and its terminal.
    child = spawn('unshare', args, { detached: true, stdio: ['ignore', 'ignore', log], cwd: '/' });
  } finally {
    closeSync(log);
  }
  const exited = new Promise<number>((res) => child.once('exit', (code, sig) => res(code ?? (sig ? 128 : 1))));
  child.once('error', () => undefined);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw failedPrecondition('cannot start unshare (util-linux) for the user namespace');
  // unshare execs the pause program only once newuidmap/newgidmap wrote the maps.
  const want = program[0]!.split('/').pop()!.slice(0, 15);
  for (let i = 0; ; i++) {
    const code = await Promise.race([exited, sleep(20).then(() => undefined)]);
    if (code !== undefined) {
      let why = '';
      try {
        why = readFileSync(logFile, 'utf8').trim();
      } catch {
        // nothing logged
      }
      throw failedPrecondition(
        `cannot create the user namespace (unshare exited ${code}${why ? `: ${why}` : ''}); check this user's ranges in /etc/subuid and /etc/subgid and that newuidmap/newgidmap (uidmap) are installed setuid`,
      );
    }
    if (comm(pid) === want) break;
    if (i > 500) throw failedPrecondition(`the user namespace's pause process (pid ${pid}) did not start`);
  }
  const tmp = `${opts.pauseFile}.${process.pid}`;
  writeFileSync(tmp, `${pid}\n`, { mode: 0o600 });
  renameSync(tmp, opts.pauseFile);
  return pid;
}

function comm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function exists(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
