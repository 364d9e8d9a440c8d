// A real user who is not root, made for one test (useradd, with or without subordinate ranges in
// /etc/subuid and /etc/subgid), running skiff as that user through setpriv: the namespace, the
// pause process and the storage are the user's own, as on a machine where they logged in.
// cleanup() kills every process of the user and of their subordinate ids (by pid, from /proc),
// which ends their namespaces and the mounts inside them, then removes the user, its subordinate
// lines, its home and its /tmp/skiff-UID run dir.
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { SKIFF_BIN, REPO, type RunResult } from '../../helpers/env.js';
import { STRICT, need, type Need } from '../../helpers/requires.js';

export interface Range {
  start: number;
  count: number;
}

export interface RootlessUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  subuid?: Range;
  subgid?: Range;
  /** skiff as this user, from their home, with a login-like environment (no root's variables). */
  run(args: string[], opts?: { env?: NodeJS.ProcessEnv; input?: string }): RunResult;
  /** skiff that must succeed; its stdout. */
  ok(args: string[], opts?: { env?: NodeJS.ProcessEnv; input?: string }): string;
  /** A shell command as this user (outside skiff's namespace). */
  sh(cmd: string, opts?: { env?: NodeJS.ProcessEnv }): RunResult;
  /** skiff as this user in the background (a service). */
  spawn(args: string[]): ChildProcess;
  cleanup(): void;
}

let seq = 0;

function readRange(file: string, name: string): Range | undefined {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [who, start, count] = line.split(':');
    if (who === name) return { start: Number(start), count: Number(count) };
  }
  return undefined;
}

export function makeUser(opts: { subids?: boolean } = {}): RootlessUser {
  const name = `skr${process.pid % 100000}x${seq++}`;
  const home = mkdtempSync('/tmp/skiff-rootless-home-');
  // useradd gives a new user subordinate ranges itself (SUB_UID_COUNT in login.defs); 0 asks for none.
  const noSub = opts.subids === false ? ['-K', 'SUB_UID_COUNT=0', '-K', 'SUB_GID_COUNT=0'] : [];
  shadowTool('useradd', ['-M', '-d', home, '-s', '/bin/sh', '-U', ...noSub, name]);
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  chownSync(home, uid, gid);
  chmodSync(home, 0o700);
  let subuid = readRange('/etc/subuid', name);
  let subgid = readRange('/etc/subgid', name);
  if (opts.subids !== false && (!subuid || !subgid)) {
    // A login.defs that allocates nothing: a range past everything else in the files.
    const top = (f: string) => Math.max(100000, ...readFileSync(f, 'utf8').split('\n').map((l) => l.split(':')).filter((p) => p.length === 3).map((p) => Number(p[1]) + Number(p[2])));
    subuid = { start: top('/etc/subuid'), count: 65536 };
    subgid = { start: top('/etc/subgid'), count: 65536 };
    writeFileSync('/etc/subuid', `${name}:${subuid.start}:${subuid.count}\n`, { flag: 'a' });
    writeFileSync('/etc/subgid', `${name}:${subgid.start}:${subgid.count}\n`, { flag: 'a' });
  }
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: home,
    USER: name,
    LOGNAME: name,
    LANG: 'C.UTF-8',
    ...extra,
  });
  const asUser = ['--reuid', String(uid), '--regid', String(gid), '--init-groups'];
  const run = (args: string[], o: { env?: NodeJS.ProcessEnv; input?: string } = {}): RunResult => {
    const r = spawnSync('setpriv', [...asUser, process.execPath, SKIFF_BIN, ...args], {
      env: env(o.env),
      cwd: home,
      input: o.input,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
  };
  return {
    name,
    uid,
    gid,
    home,
    subuid,
    subgid,
    run,
    ok(args, o) {
      const r = run(args, o);
      if (r.code !== 0) throw new Error(`skiff ${args.join(' ')} as ${name} exited ${r.code}: ${r.stderr}`);
      return r.stdout;
    },
    sh(cmd, o = {}) {
      const r = spawnSync('setpriv', [...asUser, 'sh', '-c', cmd], { env: env(o.env), cwd: home, encoding: 'utf8' });
      return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
    },
    spawn(args) {
      return spawn('setpriv', [...asUser, process.execPath, SKIFF_BIN, ...args], { env: env(), cwd: home, stdio: ['ignore', 'ignore', 'pipe'] });
    },
    cleanup() {
      killAll(uid, subuid);
      // userdel removes the user's /etc/subuid and /etc/subgid lines too.
      shadowTool('userdel', [name]);
      for (const f of ['/etc/subuid', '/etc/subgid']) {
        const text = readFileSync(f, 'utf8');
        const kept = text.split('\n').filter((l) => !l.startsWith(`${name}:`) && !l.startsWith(`${uid}:`));
        if (kept.join('\n') !== text) writeFileSync(f, kept.join('\n'));
      }
      rmSync(home, { recursive: true, force: true });
      rmSync(`/tmp/skiff-${uid}`, { recursive: true, force: true });
    },
  };
}

/** useradd/userdel, again while another test file's holds the lock on /etc/passwd or /etc/subuid. */
function shadowTool(cmd: string, args: string[]): void {
  for (let i = 0; ; i++) {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status === 0) return;
    if (i >= 50 || !/lock|try again/i.test(r.stderr)) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    spawnSync('sleep', ['0.1']);
  }
}

/** Processes whose real uid is the user's or one of their subordinate ids. */
function pidsOf(uid: number, sub: Range | undefined): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const u = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${d}/status`, 'utf8'))?.[1]);
      if (u === uid || (sub && u >= sub.start && u < sub.start + sub.count)) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function killAll(uid: number, sub: Range | undefined): void {
  for (let i = 0; i < 100; i++) {
    const pids = pidsOf(uid, sub);
    if (pids.length === 0) return;
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    spawnSync('sleep', ['0.05']);
  }
}

function othersReach(): boolean {
  // every directory on the way to bin/skiff, dist/ and node_modules must be o+x (o+r for the files)
  const r = spawnSync('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', 'sh', '-c', `test -r "${SKIFF_BIN}" && test -r "${REPO}/dist/cli/cli/main.cjs" && test -r "$(readlink -f "${REPO}/node_modules")/better-sqlite3/package.json"`]);
  return r.status === 0;
}

/**
 * Whether a user other than root can reach and run the skiff CLI of this checkout. Under CI, whose
 * clone may sit below a 0700 directory, the directories above the checkout get o+x (traversal
 * only, no listing) so the test users can reach it; elsewhere the test skips and says why.
 */
export function cliReachable(): Need {
  let ok = othersReach();
  if (!ok && STRICT) {
    for (let d = dirname(REPO); d !== '/'; d = dirname(d)) {
      const mode = statSync(d).mode;
      if ((mode & 0o001) === 0) chmodSync(d, (mode & 0o7777) | 0o001);
    }
    ok = othersReach();
  }
  return need(ok && existsSync('/usr/bin/newuidmap'), 'a checkout that other users can read (o+x on the directories above it, o+r on its files) and newuidmap', 'clone into a world-readable directory; scripts/setup.sh installs uidmap');
}
