// A busybox bundle with a hand-written config.json (runc spec's defaults, not terminal) and a
// ConmonRuntime whose every directory lives in the test's temp dir. Cleanup deletes each
// container from runc, kills any conmon left behind (by its pid file) and removes the tree.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { makeBusyboxRootfs } from '../../helpers/busybox.js';
import { removeTree } from '../../helpers/env.js';
import { ConmonRuntime } from '../../../src/impl/runtime/conmon-runtime.js';
import type { CreateOptions, RuntimeContainer } from '../../../src/core/oci-runtime/runtime.js';
import { root, tool, unmet } from '../../helpers/requires.js';

export const CONMON = '/usr/bin/conmon';
export const RUNC = '/usr/sbin/runc';
export const BUSYBOX = '/bin/busybox';

/** Why the runtime tests cannot run here, or false. */
export function skipReason(): string | false {
  return unmet(root(), tool(CONMON), tool(RUNC), tool(BUSYBOX));
}

export interface SpecOptions {
  args: string[];
  terminal?: boolean;
  /** Leave out the PID namespace, so the process is not PID 1 and default signal actions apply. */
  hostPid?: boolean;
  /** linux.resources.memory limit (and the same memory+swap limit), bytes. */
  memoryLimit?: number;
}

export function ociConfig(rootfs: string, o: SpecOptions): Record<string, unknown> {
  const caps = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];
  const namespaces = ['pid', 'network', 'ipc', 'uts', 'mount'].filter((n) => !(o.hostPid && n === 'pid'));
  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: !!o.terminal,
      user: { uid: 0, gid: 0 },
      args: o.args,
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      // Below this host's hard limit (20000); runc fails on anything above it.
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: rootfs, readonly: true },
    hostname: 'rt-test',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      {
        destination: '/dev/pts', type: 'devpts', source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    ],
    linux: {
      resources: {
        devices: [{ allow: false, access: 'rwm' }],
        ...(o.memoryLimit ? { memory: { limit: o.memoryLimit, swap: o.memoryLimit } } : {}),
      },
      namespaces: namespaces.map((type) => ({ type })),
      maskedPaths: ['/proc/kcore', '/sys/firmware'],
      readonlyPaths: ['/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

export interface Harness {
  dir: string;
  runtime: ConmonRuntime;
  /** A fresh container's bundle, run dir and per-container exit paths. */
  container(o: SpecOptions): { c: RuntimeContainer; opts: CreateOptions };
}

/** Directory layout and runtime for one test; everything is undone in t.after. */
export function harness(t: TestContext, shared: { rootfs: string }): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-rt-'));
  const runtime = new ConmonRuntime({ name: 'runc', path: RUNC, conmonPath: CONMON, stateDir: join(dir, 'runc-root'), timeoutMs: 30_000 });
  const made: RuntimeContainer[] = [];
  t.after(async () => {
    for (const c of made) {
      await runtime.delete(c.id, true).catch(() => undefined);
      killMonitor(c);
    }
    // Every conmon started for this test (containers and exec sessions) must be gone.
    const left = await waitFor('conmon to exit', () => (conmonsUnder(dir).length ? undefined : []), 5000).catch(() => conmonsUnder(dir));
    for (const pid of left) process.kill(pid, 'SIGKILL');
    removeTree(dir);
    assert.deepEqual(left, [], `conmon processes left behind for ${dir}`);
  });
  return {
    dir,
    runtime,
    container(o) {
      const id = `skiff-rt-${randomBytes(6).toString('hex')}`;
      const bundle = join(dir, id, 'bundle');
      const runDir = join(dir, id, 'run');
      mkdirSync(bundle, { recursive: true });
      mkdirSync(runDir, { recursive: true });
      writeFileSync(join(bundle, 'config.json'), JSON.stringify(ociConfig(shared.rootfs, o), null, 2));
      const c = { id, bundle, runDir, name: id };
      made.push(c);
      const opts: CreateOptions = {
        tty: !!o.terminal,
        stdin: false,
        logPath: join(runDir, 'ctr.log'),
        exitDir: join(dir, 'exits'),
        persistDir: join(dir, id, 'persist'),
      };
      return { c, opts };
    },
  };
}

/** Live (not zombie) conmon processes whose command line mentions `dir`. */
export function conmonsUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (!stat.includes('(conmon)') || stat.split(') ')[1]![0] === 'Z') continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(dir)) pids.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

/** Kills a conmon this test started, if it is still there. */
export function killMonitor(c: RuntimeContainer): void {
  const pid = monitorPidSync(c);
  if (pid) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function monitorPidSync(c: RuntimeContainer): number | undefined {
  try {
    const pid = Number(readFileSync(join(c.runDir, 'conmon.pid'), 'utf8').trim());
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'conmon' ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Shared read-only busybox rootfs for a test file. */
export function sharedRootfs(): { rootfs: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-rt-rootfs-'));
  const rootfs = makeBusyboxRootfs(join(dir, 'rootfs'));
  return { rootfs, cleanup: () => removeTree(dir) };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
