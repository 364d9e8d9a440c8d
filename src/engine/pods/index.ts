/**
 * @module engine/pods
 * Podman's pods: a row per pod and an infra container holding the namespaces its members share
 * (network with the published ports, IPC, UTS, optionally PID). One facade for the CLI (and the
 * API service's `/libpod/pods/*`, when it has them).
 */
import type { ContainerEngine } from '../containers/index.js';
import type { LogRecord } from '../../core/oci-runtime/k8s-log.js';
import type { ReadLogsOptions } from '../../impl/runtime/logs.js';
import { inspectPod, listPods } from './read.js';
import {
  killPod, pausePod, prunePods, removePod, restartPod, startPod, stopPod, unpausePod,
} from './lifecycle.js';
import { podContainers, podRecords, resolvePod } from './store.js';
import type { PodActionReport, PodCreateRequest, PodInspect, PodSummary } from './types.js';

export type * from './types.js';

export interface PodLogRecord {
  container: { id: string; name: string };
  record: LogRecord;
}

export class PodEngine {
  constructor(private readonly containers: () => ContainerEngine) {}

  private get ce(): ContainerEngine {
    return this.containers();
  }

  async create(req: PodCreateRequest): Promise<string> {
    // create loads the container create path (and the pause image's builder) on first use.
    return (await (await import('./create.js')).createPod(this.ce.cc, req)).id;
  }

  list(filters?: ReadonlyMap<string, string[]>): Promise<PodSummary[]> {
    return listPods(this.ce.cc, filters);
  }

  inspect(ref: string): Promise<PodInspect> {
    return inspectPod(this.ce.cc, ref);
  }

  exists(ref: string): boolean {
    try {
      resolvePod(this.ce.cc.ctx, ref);
      return true;
    } catch {
      return false;
    }
  }

  /** A pod's id by name, id or prefix (for `ps --filter pod=` and `--pod`). */
  resolve(ref: string): string {
    return resolvePod(this.ce.cc.ctx, ref).id;
  }

  /** Container id → its pod, for `ps --pod`. */
  memberships(): Map<string, { id: string; name: string }> {
    const pods = new Map(podRecords(this.ce.cc.ctx).list().map((p) => [p.id, p.name]));
    const out = new Map<string, { id: string; name: string }>();
    for (const c of this.ce.cc.records.list()) {
      const id = c.config.pod?.id;
      if (id && pods.has(id)) out.set(c.id, { id, name: pods.get(id)! });
    }
    return out;
  }

  start(ref: string): Promise<PodActionReport> {
    return startPod(this.ce, ref);
  }

  stop(ref: string, timeoutSec?: number): Promise<PodActionReport> {
    return stopPod(this.ce, ref, timeoutSec);
  }

  restart(ref: string, timeoutSec?: number): Promise<PodActionReport> {
    return restartPod(this.ce, ref, timeoutSec);
  }

  kill(ref: string, signal?: string): Promise<PodActionReport> {
    return killPod(this.ce, ref, signal);
  }

  pause(ref: string): Promise<PodActionReport> {
    return pausePod(this.ce, ref);
  }

  unpause(ref: string): Promise<PodActionReport> {
    return unpausePod(this.ce, ref);
  }

  remove(ref: string, opts?: { force?: boolean; timeoutSec?: number }): Promise<string> {
    return removePod(this.ce, ref, opts);
  }

  prune(): Promise<string[]> {
    return prunePods(this.ce);
  }

  /** `pod top`: each running container's processes, a CONTAINER column first (as Podman's). */
  async top(ref: string, psArgs: string[] = []): Promise<{ Titles: string[]; Processes: string[][] }> {
    const p = resolvePod(this.ce.cc.ctx, ref);
    let titles: string[] = [];
    const rows: string[][] = [];
    for (const c of podContainers(this.ce.cc, p.id)) {
      if (c.state.status !== 'running' && c.state.status !== 'paused') continue;
      const t = await this.ce.top(c.id, psArgs);
      titles = t.Titles;
      for (const proc of t.Processes) rows.push([c.name, ...proc]);
    }
    return { Titles: ['CONTAINER', ...titles], Processes: rows };
  }

  /** `pod stats`: the pod's containers' samples. */
  async stats(ref: string) {
    const p = resolvePod(this.ce.cc.ctx, ref);
    const ids = podContainers(this.ce.cc, p.id).map((c) => c.id);
    return ids.length ? this.ce.stats(ids) : [];
  }

  /**
   * `pod logs`: the members' logs (the infra container says nothing), each record with its
   * container; one after the other, or with `follow` as they come, until every member ended.
   */
  async *logs(ref: string, opts: Omit<ReadLogsOptions, 'isRunning' | 'previous'> = {}): AsyncGenerator<PodLogRecord> {
    const p = resolvePod(this.ce.cc.ctx, ref);
    const members = podContainers(this.ce.cc, p.id).filter((c) => !c.config.pod?.isInfra);
    if (!opts.follow) {
      for (const c of members) {
        for await (const record of this.ce.logs(c.id, opts)) yield { container: { id: c.id, name: c.name }, record };
      }
      return;
    }
    const queue: PodLogRecord[] = [];
    let wake: (() => void) | undefined;
    let live = members.length;
    let failed: unknown;
    const pump = async (c: { id: string; name: string }) => {
      try {
        for await (const record of this.ce.logs(c.id, opts)) {
          queue.push({ container: { id: c.id, name: c.name }, record });
          wake?.();
        }
      } catch (e) {
        failed ??= e;
      } finally {
        live--;
        wake?.();
      }
    };
    for (const c of members) void pump(c);
    while (live > 0 || queue.length) {
      if (queue.length) {
        yield queue.shift()!;
        continue;
      }
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
    if (failed) throw failed;
  }

}
