/**
 * @module engine/containers
 * The container lifecycle: create, start, stop, kill, wait, rm, ps, inspect, logs, pause,
 * rename, cleanup. One facade for the CLI and the API service.
 */
import type { AttachEnd, AttachSession, AttachStreams } from '../../core/oci-runtime/runtime.js';
import { readLogs, type ReadLogsOptions } from '../../impl/runtime/logs.js';
import type { LogRecord } from '../../core/oci-runtime/k8s-log.js';
import { alreadyExists, failedPrecondition, internal, invalidArgument, notImplemented } from '../../core/errdefs.js';
import { logDriverOf } from './log-config.js';
import type { EngineContext } from '../context.js';
import { ContainerContext, type ContainerEngineOptions } from './context.js';
import {
  cleanupContainer, killContainer, pauseContainer, removeContainer, stopContainer, unpauseContainer, waitContainer,
  type RemoveOptions,
} from './lifecycle.js';
import { inspectDoc, summarize } from './read.js';
import { resolveContainer } from './resolve.js';
import type { StartOptions } from './start.js';
import { isActive } from './state.js';
import { refreshContainer } from './sync.js';
import { validName } from './names.js';
import { containerSizes, writableSize } from './size.js';
import { containerEvent } from './events.js';
import { containerListFilter } from './list-filter.js';
import { pruneFilter } from '../prune-filter.js';
import type { ContainerListOptions, ContainerPruneReport, ContainerSummary } from './types.js';
import type { CreateInput } from './create-input.js';
import { lockedContainer } from './locked.js';

import type * as execMod from './exec.js';
import type * as topMod from './top.js';
import type * as copyMod from './copy.js';
import type * as changesMod from './changes.js';
import type * as commitMod from './commit.js';
import type * as exportMod from './export.js';
import type * as statsMod from './stats.js';
import type * as waitMod from './wait.js';
import type * as pathStatMod from './path-stat.js';
import type * as execSessionsMod from './exec-sessions.js';
import type * as healthMod from './health.js';
import type * as updateMod from './update.js';
import type * as systemdMod from '../systemd/generate.js';

type Rest<F> = F extends (cc: ContainerContext, ...args: infer A) => infer R ? (...args: A) => R : never;

export type * from './types.js';
export type { RemoveOptions, StartOptions, AttachStreams, AttachSession };
export type { WaitCondition } from './wait.js';
export type { ContainerPathStat } from './path-stat.js';
export { parseWaitCondition } from './wait.js';
export type { ExecConfig, ExecInstance, ExecStartOptions } from './exec-sessions.js';
export type { ContainerUpdateRequest } from './update.js';
export type { GenerateSystemdOptions, GeneratedUnit } from '../systemd/generate.js';

/** An attach made before start: connected by this process's next start of the container. */
interface PendingAttach {
  streams: AttachStreams;
  connected(s: AttachSession): void;
}

export class ContainerEngine {
  readonly cc: ContainerContext;
  private readonly pendingAttach = new Map<string, Set<PendingAttach>>();
  /** Attach sessions of this process by container, until they end. */
  private readonly attached = new Map<string, Set<Promise<unknown>>>();
  constructor(ctx: EngineContext, opts: ContainerEngineOptions = {}) {
    this.cc = new ContainerContext(ctx, opts);
  }

  // Verbs that live in their own files, loaded when first used (`ps` never loads `commit`).
  readonly exec: Rest<typeof execMod.execContainer> = async (...a) =>
    (await import('./exec.js')).execContainer(this.cc, ...a);
  readonly top: Rest<typeof topMod.topContainer> = async (...a) =>
    (await import('./top.js')).topContainer(this.cc, ...a);
  readonly copy: Rest<typeof copyMod.copyContainer> = async (...a) =>
    (await import('./copy.js')).copyContainer(this.cc, ...a);
  readonly changes: Rest<typeof changesMod.changesContainer> = async (...a) =>
    (await import('./changes.js')).changesContainer(this.cc, ...a);
  readonly commit: Rest<typeof commitMod.commitContainer> = async (...a) =>
    (await import('./commit.js')).commitContainer(this.cc, ...a);
  readonly export: Rest<typeof exportMod.exportContainer> = async (...a) =>
    (await import('./export.js')).exportContainer(this.cc, ...a);
  readonly stats: Rest<typeof statsMod.statsContainer> = async (...a) =>
    (await import('./stats.js')).statsContainer(this.cc, ...a);
  /** What `cp` stats before copying (`HEAD /containers/{id}/archive`). */
  readonly statPath: Rest<typeof pathStatMod.statContainerPath> = async (...a) =>
    (await import('./path-stat.js')).statContainerPath(this.cc, ...a);
  /** Docker's wait conditions (not-running, next-exit, removed). */
  readonly waitFor: Rest<typeof waitMod.waitForCondition> = async (ref, ...a) => {
    const code = await (await import('./wait.js')).waitForCondition(this.cc, ref, ...a);
    await this.streamsDrained(ref);
    return code;
  };
  /** New limits and restart policy: live for a running container, stored for its next start. */
  readonly update: Rest<typeof updateMod.updateContainer> = async (...a) =>
    (await import('./update.js')).updateContainer(this.cc, ...a);
  /** `generate systemd`: the unit files for a container. */
  readonly systemdUnits: Rest<typeof systemdMod.generateSystemd> = async (...a) =>
    (await import('../systemd/generate.js')).generateSystemd(this.cc, ...a);
  /** Exec instances: create, then start (attached or detached), inspect after the end. */
  readonly execCreate: Rest<typeof execSessionsMod.createExec> = async (...a) =>
    (await import('./exec-sessions.js')).createExec(this.cc, ...a);
  readonly execStart: Rest<typeof execSessionsMod.startExec> = async (...a) =>
    (await import('./exec-sessions.js')).startExec(this.cc, ...a);
  readonly execInspect: Rest<typeof execSessionsMod.inspectExec> = async (...a) =>
    (await import('./exec-sessions.js')).inspectExec(this.cc, ...a);
  readonly execResize: Rest<typeof execSessionsMod.resizeExec> = async (...a) =>
    (await import('./exec-sessions.js')).resizeExec(this.cc, ...a);

  /** `healthcheck run`: one probe now, recorded as the timers' probes are. */
  readonly healthcheck: Rest<typeof healthMod.runHealthcheck> = async (...a) =>
    (await import('./health.js')).runHealthcheck(this.cc, ...a);

  /** The stopped containers a boot brings back (`start --all --filter restart-policy=always`). */
  async restartAtBoot(): Promise<string[]> {
    return (await import('./restart.js')).containersToRestartAtBoot(this.cc).then((cs) => cs.map((c) => c.id));
  }

  /** What create would refuse about the request itself, before anything (a pull) is done for it. */
  async check(input: CreateInput) {
    const req = (await import('./create-input.js')).normalizeCreate(input);
    return (await import('./create-checks.js')).checkCreateRequest(this.cc, req);
  }

  /** Either front's request, normalised once (create-input.ts), then created. */
  async create(input: CreateInput) {
    // create and start (spec generation, seccomp data, networking) load on first use: `ps` never needs them.
    const req = (await import('./create-input.js')).normalizeCreate(input);
    return (await import('./create.js')).createContainer(this.cc, req);
  }

  /** Also connects the attach calls made before it (`attach(..., { beforeStart: true })`). */
  async start(ref: string, opts: StartOptions = {}) {
    const id = resolveContainer(this.cc, ref).id;
    const pending = [...(this.pendingAttach.get(id) ?? [])];
    let r;
    try {
      r = await (await import('./start.js')).startContainer(this.cc, ref, pending.length ? { ...opts, attachAlso: pending.map((p) => p.streams) } : opts);
    } catch (e) {
      // Docker removes an AutoRemove container whose start failed; `run --rm` waits for that.
      const row = this.cc.records.get(id);
      if (row?.config.autoRemove && row.state.status === 'created') {
        await removeContainer(this.cc, id, { force: true, volumes: true }).catch(() => undefined);
      }
      throw e;
    }
    this.pendingAttach.delete(id);
    pending.forEach((p, i) => p.connected(r.also[i]!));
    if (r.attach) this.track(id, r.attach.done);
    return { id: r.container.id, attach: r.attach };
  }

  async stop(ref: string, timeoutSec?: number): Promise<string> {
    return (await stopContainer(this.cc, ref, timeoutSec)).id;
  }

  /** stop and start under one hold of the lock: no other verb slips in between. */
  async restart(ref: string, timeoutSec?: number): Promise<string> {
    const id = resolveContainer(this.cc, ref).id;
    return lockedContainer(this.cc, id, async () => {
      const c = await stopContainer(this.cc, id, timeoutSec);
      await (await import('./start.js')).startContainer(this.cc, c.id);
      containerEvent(this.cc, c, 'restart');
      return c.id;
    });
  }

  async kill(ref: string, signal?: string): Promise<string> {
    return (await killContainer(this.cc, ref, signal)).id;
  }

  wait(ref: string, opts?: { signal?: AbortSignal }): Promise<number> {
    return waitContainer(this.cc, ref, opts);
  }

  remove(ref: string, opts?: RemoveOptions): Promise<string> {
    return removeContainer(this.cc, ref, opts);
  }

  pause(ref: string) {
    return pauseContainer(this.cc, ref);
  }

  unpause(ref: string) {
    return unpauseContainer(this.cc, ref);
  }

  /** Sets the container's pty size (`-t` containers). */
  async resize(ref: string, size: { rows: number; cols: number }): Promise<void> {
    const c = resolveContainer(this.cc, ref);
    const runtime = await this.cc.runtime(c.config.runtime);
    await runtime.resizePty(this.cc.runtimeContainer(c), size);
  }

  /**
   * Connects to a running container's stdio (`attach`). With `beforeStart`, a container that is
   * not running is attached when this process next starts it (Docker's API attaches before
   * start); its stdin stays unread, so buffered, until then.
   */
  async attach(ref: string, streams: AttachStreams, opts: { beforeStart?: boolean } = {}): Promise<AttachSession> {
    const c = await refreshContainer(this.cc, resolveContainer(this.cc, ref));
    if (isActive(c.state.status)) {
      const runtime = await this.cc.runtime(c.config.runtime);
      const s = await runtime.attach(this.cc.runtimeContainer(c), streams);
      this.track(c.id, s.done);
      containerEvent(this.cc, c, 'attach');
      return s;
    }
    if (!opts.beforeStart) throw failedPrecondition(`you cannot attach to a stopped container, start it first`);
    containerEvent(this.cc, c, 'attach');
    const set = this.pendingAttach.get(c.id) ?? new Set<PendingAttach>();
    this.pendingAttach.set(c.id, set);
    let settle!: (end: AttachEnd) => void;
    const done = new Promise<AttachEnd>((r) => (settle = r));
    let real: AttachSession | undefined;
    const entry: PendingAttach = {
      streams,
      connected: (s) => {
        real = s;
        void s.done.then(settle);
      },
    };
    set.add(entry);
    this.track(c.id, done);
    return {
      done,
      close: () => {
        if (real) return real.close();
        set.delete(entry);
        if (!set.size) this.pendingAttach.delete(c.id);
        settle('closed');
      },
    };
  }

  cleanup(ref: string) {
    return cleanupContainer(this.cc, ref);
  }

  /**
   * While the API service listens on `socket`, conmon tells it of exits (POST
   * /skiff/containers/{id}/exited) instead of starting `skiff container cleanup`.
   */
  handleExitsAt(socket: string | undefined): void {
    this.cc.exitSocket = socket;
  }

  rename(ref: string, name: string): void {
    if (!validName(name)) throw invalidArgument(`invalid container name "${name}"`);
    const c = resolveContainer(this.cc, ref);
    if (!this.cc.records.rename(c.id, name)) throw alreadyExists(`the container name "${name}" is already in use`);
    containerEvent(this.cc, { ...c, name }, 'rename', { oldName: `/${c.name}` });
  }

  private track(id: string, done: Promise<unknown>): void {
    const set = this.attached.get(id) ?? new Set();
    this.attached.set(id, set);
    set.add(done);
    void done.finally(() => {
      set.delete(done);
      if (!set.size) this.attached.delete(id);
    });
  }

  /**
   * As dockerd handles an exit only once the attached streams are drained (2 s at most), a
   * wait answers after the output has gone out: dockerode's run reads its output when wait returns.
   */
  private async streamsDrained(ref: string): Promise<void> {
    let id = ref;
    try {
      id = resolveContainer(this.cc, ref).id;
    } catch {
      // removed: its sessions are keyed by the full id the caller used
    }
    const set = this.attached.get(id);
    if (!set?.size) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...set]), new Promise((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
  }

  /** Full id of a container (NotFound otherwise). */
  resolve(ref: string): string {
    return resolveContainer(this.cc, ref).id;
  }

  async list(opts: ContainerListOptions = {}, since: (iso: string) => string = (s) => s): Promise<ContainerSummary[]> {
    // Read only here (refreshed rows are new objects): the list may share the decoded documents.
    const rows = this.cc.records.listForReading();
    const filter = containerListFilter(this.cc, opts.filters, rows.map((r) => r.id));
    const all = opts.all || filter.all;
    const out: ContainerSummary[] = [];
    const resolved = new Map<string, string | undefined>();
    for (const [i, row] of rows.entries()) {
      const c = await refreshContainer(this.cc, row);
      // Only a live row may be gone by now (its exit, handled meanwhile, removed it with --rm);
      // the refresh leaves any other row as it was read.
      if (isActive(row.state.status) && !this.cc.records.get(c.id)) continue;
      if (!all && !isActive(c.state.status)) continue;
      const s = summarize(this.cc, c, since, resolved);
      if (!filter.keep(s, i)) continue;
      out.push(opts.size ? { ...s, ...(await containerSizes(this.cc, c)) } : s);
    }
    if (opts.last !== undefined && opts.last >= 0) return out.slice(0, opts.last);
    return out;
  }

  /** Docker's inspect document; `size` adds SizeRw and SizeRootFs (`inspect -s`, `?size=1`). */
  async inspect(ref: string, opts: { size?: boolean } = {}) {
    const c = await refreshContainer(this.cc, resolveContainer(this.cc, ref));
    const doc = inspectDoc(this.cc, c);
    return opts.size ? { ...doc, ...(await containerSizes(this.cc, c)) } : doc;
  }

  /**
   * The container's log records. Not a generator itself: an unknown container or a driver
   * that keeps nothing readable fails here, before a caller has answered anything.
   */
  logs(ref: string, opts: Omit<ReadLogsOptions, 'isRunning' | 'previous'> = {}): AsyncGenerator<LogRecord> {
    const c = resolveContainer(this.cc, ref);
    const driver = logDriverOf(c.config.logConfig);
    if (driver === 'none') throw notImplemented('configured logging driver does not support reading');
    if (driver === 'journald') {
      throw notImplemented(`skiff does not read journald: use journalctl CONTAINER_ID_FULL=${c.id}`);
    }
    const cc = this.cc;
    const logPath = cc.paths(c.id).logPath;
    return readLogs(logPath, {
      ...opts,
      previous: `${logPath}.1`,
      isRunning: async () => {
        const row = cc.records.get(c.id);
        return !!row && isActive((await refreshContainer(cc, row)).state.status);
      },
    });
  }

  /**
   * `rm --link` / `DELETE /containers/{id}?link=1` removes a link, never the container. skiff
   * has no links, so a name that resolves is a container's own name, which dockerd refuses to
   * unlink (a 500: its plain error); one that does not is a 404, as there.
   */
  removeLink(ref: string): never {
    resolveContainer(this.cc, ref);
    throw internal('Conflict, cannot remove the default link name of the container');
  }

  /**
   * `container prune`: every container that is not running and matches the filters (`until`:
   * created at or before; `label`, `label!` over the image's and its own labels). The space
   * reclaimed is what their writable layers held, as dockerd counts it.
   */
  async prune(filters?: ReadonlyMap<string, string[]>): Promise<ContainerPruneReport> {
    const f = pruneFilter('containers', filters);
    const removed: string[] = [];
    let reclaimed = 0;
    for (const row of this.cc.records.list()) {
      const c = await refreshContainer(this.cc, row);
      if (isActive(c.state.status) || !this.cc.records.get(c.id)) continue;
      // A live build's working container between its create and its start.
      if (c.config.build && this.cc.ctx.locks.busy('build', c.config.build)) continue;
      // A pod's infra container goes with its pod (`pod rm`, `pod prune`).
      if (c.config.pod?.isInfra) continue;
      if (f.until !== undefined && c.created > f.until) continue;
      if (!f.labels({ ...(c.config.imageConfig.Labels ?? {}), ...(c.config.opts.labels ?? {}) })) continue;
      const size = await writableSize(this.cc, c);
      removed.push(await removeContainer(this.cc, c.id));
      reclaimed += size;
    }
    return { ContainersDeleted: removed, SpaceReclaimed: reclaimed };
  }
}
