/**
 * @module engine/timers
 * Who runs health probes and restart back-offs without a resident daemon. One holder per run
 * root at a time, named by a flock that dies with it (`<runroot>/timers/lock`):
 *  - `service`: `skiff system service` runs them itself while it lives;
 *  - `process`: elsewhere, one detached `skiff system timers` process, started by the first
 *    command that finds a container needing it and no holder, ending when none needs it;
 *  - `systemd`: where systemd is PID 1, that same process runs as a transient systemd unit
 *    (systemd-run), so systemd supervises it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockHeld, tryLockFile } from '../../sys/flock.js';
import type { ContainerContext } from '../containers/context.js';
import { runTimerLoop } from './loop.js';
import { timersNeeded } from './tasks.js';

export type TimerMode = 'service' | 'process' | 'systemd';

export interface TimerStatus {
  /** The mode a holder would run in here, or the live holder's own. */
  mode: TimerMode;
  /** The live holder's pid, 0 when none runs. */
  pid: number;
}

interface Holder {
  pid: number;
  mode: TimerMode;
}

const SERVICE_RETRY_MS = 2000;

export class TimerEngine {
  constructor(
    private readonly roots: { root: string; runroot: string },
    private readonly cc: () => ContainerContext,
    /** argv of the skiff CLI with this engine's roots (conmon's cleanup command without its verb). */
    private readonly cliArgv: () => string[] | undefined,
  ) {}

  private dir(): string {
    return join(this.roots.runroot, 'timers');
  }

  private lockPath(): string {
    return join(this.dir(), 'lock');
  }

  /** systemd is PID 1 (sd_booted's test). */
  static systemdBooted(): boolean {
    return existsSync('/run/systemd/system');
  }

  status(): TimerStatus {
    const held = lockHeld(this.lockPath());
    const fallback: TimerMode = TimerEngine.systemdBooted() ? 'systemd' : 'process';
    if (!held) return { mode: fallback, pid: 0 };
    try {
      const h = JSON.parse(readFileSync(join(this.dir(), 'holder.json'), 'utf8')) as Holder;
      return { mode: h.mode, pid: h.pid };
    } catch {
      return { mode: fallback, pid: 0 };
    }
  }

  /**
   * The cheap check every command makes: if a container needs the timers and no holder lives,
   * start the timer process (the one that wins the lock stays; a second one leaves at once).
   */
  ensure(): void {
    // A fresh machine's first command (info, version) must not create the store to find out.
    if (!existsSync(this.roots.root)) return;
    const cc = this.cc();
    if (!timersNeeded(cc.records.list())) return;
    mkdirSync(this.dir(), { recursive: true, mode: 0o700 });
    if (lockHeld(this.lockPath())) return;
    const base = this.cliArgv();
    if (!base) return;
    const argv = [...base, 'system', 'timers'];
    if (TimerEngine.systemdBooted()) {
      // Untested here (no systemd on the test machine): a transient service systemd supervises.
      const unit = `skiff-timers-${createHash('sha256').update(this.roots.runroot).digest('hex').slice(0, 12)}`;
      const r = spawnSync('systemd-run', ['--unit', unit, '--collect', '--quiet', '--property', 'KillMode=process', ...argv], { stdio: 'ignore' });
      if (r.status === 0) return;
    }
    const out = openSync(join(this.dir(), 'timers.log'), 'a', 0o600);
    try {
      // Its own session: it outlives this command and any terminal it had.
      spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', out, out], env: process.env }).unref();
    } finally {
      closeSync(out);
    }
  }

  /** `skiff system timers`: hold the lock or leave; run until no container needs timers. */
  async runProcess(opts: { signal?: AbortSignal; log?: (line: string) => void } = {}): Promise<boolean> {
    const fd = this.takeLock(TimerEngine.systemdBooted() && process.env.INVOCATION_ID ? 'systemd' : 'process');
    if (fd === undefined) return false;
    try {
      await runTimerLoop(this.cc(), { exitWhenIdle: true, ...opts });
    } finally {
      this.release(fd);
    }
    return true;
  }

  /** Inside `skiff system service`: the service holds the lock and runs the timers until `signal`. */
  async serveInService(signal: AbortSignal, log?: (line: string) => void): Promise<void> {
    mkdirSync(this.dir(), { recursive: true, mode: 0o700 });
    while (!signal.aborted) {
      // A timer process started earlier keeps the lock until it goes idle; take over after it.
      const fd = this.takeLock('service');
      if (fd === undefined) {
        await new Promise((r) => setTimeout(r, SERVICE_RETRY_MS).unref());
        continue;
      }
      try {
        await runTimerLoop(this.cc(), { exitWhenIdle: false, signal, ...(log ? { log } : {}) });
      } finally {
        this.release(fd);
      }
    }
  }

  private takeLock(mode: TimerMode): number | undefined {
    mkdirSync(this.dir(), { recursive: true, mode: 0o700 });
    const fd = tryLockFile(this.lockPath());
    if (fd !== undefined) writeFileSync(join(this.dir(), 'holder.json'), JSON.stringify({ pid: process.pid, mode } satisfies Holder));
    return fd;
  }

  private release(fd: number): void {
    rmSync(join(this.dir(), 'holder.json'), { force: true });
    closeSync(fd);
  }
}
