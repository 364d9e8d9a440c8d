// Shared set-up for the container CLI tests: an env with a busybox image, and the checks that
// a test left nothing behind (conmon, mounts, bundles) on the real host.
import assert from 'node:assert/strict';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeEnv, REPO, type RunResult, type TestEnv } from '../../helpers/env.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';

export const IMAGE = 'bb';

export interface ContainerEnv extends TestEnv {
  tar: string;
  /** The CLI this env runs (a private copy of the build: see snapshotCli). */
  bin: string;
  /** Runs skiff and fails the test unless it exits 0; returns stdout. */
  ok(args: string[], input?: string): string;
  /** Removes every container, then asserts nothing of this env is left, then removes the env. */
  teardown(): Promise<void>;
}

/** Signature of a build tree: every file with its size and mtime (code caches excluded). */
function treeSignature(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (!name.includes('.cache')) out.push(`${p.slice(dir.length)} ${st.size} ${st.mtimeMs}`);
    }
  };
  walk(dir);
  return out.join('\n');
}

/**
 * A private copy of the built CLI (bin, dist/cli, package.json for its #dist imports). Other
 * sessions rebuild dist/ in place while tests run, and a container's exit command runs the CLI
 * again long after it started: both must see one complete build. Retries while a build is
 * half-written.
 */
export function snapshotCli(into: string): string {
  const dist = join(REPO, 'dist/cli');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if (existsSync(join(dist, 'cli/main.cjs'))) {
        const before = treeSignature(dist);
        rmSync(into, { recursive: true, force: true });
        mkdirSync(join(into, 'dist'), { recursive: true });
        cpSync(join(REPO, 'bin'), join(into, 'bin'), { recursive: true });
        cpSync(join(REPO, 'package.json'), join(into, 'package.json'));
        // dist/cli is a symlink to the current build, and a copied symlink would still lead to
        // the live build (which the next build deletes): copy the build it points to.
        cpSync(realpathSync(dist), join(into, 'dist/cli'), { recursive: true, filter: (src) => !src.includes('.cache') });
        symlinkSync(join(REPO, 'node_modules'), join(into, 'node_modules'));
        spawnSync('sleep', ['0.3']);
        if (before === treeSignature(dist) && existsSync(join(into, 'dist/cli/cli/main.cjs'))) return join(into, 'bin/skiff');
      }
    } catch {
      // the build removed files while we copied: try again
    }
    if (Date.now() > deadline) throw new Error('no complete build of dist/cli to test');
    spawnSync('sleep', ['0.5']);
  }
}

export function containerEnv(prefix = 'skiff-ctr-'): ContainerEnv {
  const base = makeEnv(prefix);
  // mkdtemp makes the dir 0700; a user-namespaced container's root (an unprivileged host uid)
  // must be able to traverse to its rootfs below the run root.
  chmodSync(base.dir, 0o711);
  const bin = snapshotCli(join(base.dir, 'cli'));
  const env: TestEnv = {
    ...base,
    run(args, opts = {}) {
      const r = spawnSync(process.execPath, [bin, ...args], {
        env: { ...base.env, ...opts.env },
        input: opts.input,
        cwd: opts.cwd,
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      });
      return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
    },
    runAsync(args, opts = {}) {
      return new Promise((res) => {
        const p = spawn(process.execPath, [bin, ...args], { env: { ...base.env, ...opts.env } });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        p.on('close', (code) => res({ code: code ?? 128, stdout, stderr }));
      });
    },
  };
  const tar = makeBusyboxTar(env.dir, join(env.dir, 'busybox.tar'));
  const ok = (args: string[], input?: string): string => {
    const r = env.run(args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `skiff ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  ok(['import', '--change', 'CMD ["/bin/sh"]', tar, IMAGE]);
  return {
    ...env,
    tar,
    bin,
    ok,
    async teardown() {
      try {
        const r = env.run(['rm', '-af']);
        assert.equal(r.code, 0, `rm -af: ${r.stderr}`);
        const left = await waitFor(() => (conmonsUnder(env.dir).length === 0 ? true : undefined), 5000).catch(() => false);
        assert.ok(left, `conmon left behind for ${env.dir}: ${conmonsUnder(env.dir).join(' ')}`);
        assert.deepEqual(mountsUnder(env.dir), [], 'mounts left behind');
        // netavark stops a network config dir's aardvark-dns with the last container using it.
        const dns = await waitFor(() => (processesUnder(env.dir, 'aardvark-dns').length === 0 ? true : undefined), 5000).catch(() => false);
        assert.ok(dns, `aardvark-dns left behind for ${env.dir}; its config: ${aardvarkConfig(env.dir)}`);
        // The timer process leaves by itself once no container needs it.
        const timers = await waitFor(() => (timerProcessesUnder(env.dir).length === 0 ? true : undefined), 15_000).catch(() => false);
        assert.ok(timers, `timer process left behind for ${env.dir}`);
      } finally {
        for (const pid of [...conmonsUnder(env.dir), ...processesUnder(env.dir, 'aardvark-dns'), ...timerProcessesUnder(env.dir)]) killQuietly(pid);
        env.cleanup();
      }
    },
  };
}

/** Mount points at or below `dir` (/proc/mounts escapes spaces as \040). */
export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((m): m is string => !!m && (m === dir || m.startsWith(dir + '/')));
}

/** What aardvark-dns's config dirs below `dir` hold (for a leak's error message). */
function aardvarkConfig(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.includes('aardvark-dns')) out.push(`${p}: ${JSON.stringify(readFileSync(p, 'utf8'))}`);
    }
  };
  try {
    walk(dir);
  } catch {
    // gone meanwhile
  }
  return out.join('; ') || 'none';
}

/** Live (not zombie) conmon processes whose command line mentions `dir`. */
export function conmonsUnder(dir: string): number[] {
  return processesUnder(dir, 'conmon');
}

/** Live (not zombie) processes named `comm` whose command line mentions `dir`. */
export function processesUnder(dir: string, comm: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (!stat.includes(` (${comm}) `) || stat.slice(stat.lastIndexOf(') ') + 2)[0] === 'Z') continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(dir)) pids.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

/** Live `skiff system timers` processes of the env at `dir` (engine/timers/). */
export function timerProcessesUnder(dir: string): number[] {
  return processesUnder(dir, 'node').filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('\0system\0timers');
    } catch {
      return false;
    }
  });
}

/** The process exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(') ') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Polls `probe` until it returns a value, or rejects after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** The container directories of the run root (bundles) and the storage root. */
export function containerDirs(env: TestEnv): { run: string[]; root: string[] } {
  const ls = (d: string) => (existsSync(d) ? readdirSync(d) : []);
  return { run: ls(join(env.runroot, 'containers')), root: ls(join(env.root, 'containers')) };
}

/**
 * Asserts that nothing of removed containers remains: no mount, no bundle, no row, no conmon.
 * conmon may outlive the container by the time its exit command takes, so that is awaited.
 */
export async function assertNoContainerLeft(env: TestEnv, timeoutMs = 5000): Promise<void> {
  await waitFor(() => (conmonsUnder(env.dir).length === 0 ? true : undefined), timeoutMs, 'conmon to exit').catch(() => undefined);
  const mounts = [...mountsUnder(env.root), ...mountsUnder(env.runroot)];
  assert.deepEqual(mounts, [], 'overlay or other mounts left behind');
  assert.deepEqual(containerDirs(env), { run: [], root: [] }, 'container directories left behind');
  assert.deepEqual(conmonsUnder(env.dir), [], 'conmon left behind');
  assert.equal(env.run(['ps', '-aq']).stdout, '', 'ps -a still lists containers');
}

export function expectCode(r: RunResult, code: number, what: string): void {
  assert.equal(r.code, code, `${what}: exit ${r.code}, stdout ${JSON.stringify(r.stdout)}, stderr ${JSON.stringify(r.stderr)}`);
}

export function tmux(args: string[]): { code: number; stdout: string } {
  const r = spawnSync('tmux', args, { encoding: 'utf8' });
  return { code: r.status ?? 1, stdout: r.stdout };
}
