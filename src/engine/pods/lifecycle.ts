/**
 * Pod verbs over the pod's containers: start brings the infra container up first (the members
 * join its namespaces), stop and kill take the members first and the infra last, rm -f removes
 * the members, then the infra, then the row. Each verb holds the pod's lock, so two pod verbs do
 * not interleave; each container keeps its own lock for its own step.
 */
import { failedPrecondition } from '../../core/errdefs.js';
import type { ContainerEngine } from '../containers/index.js';
import type { ContainerRecord } from '../containers/types.js';
import { podEvent } from './events.js';
import { removePodCgroup } from './cgroup.js';
import { freshContainers } from './read.js';
import { podContainers, podRecords, resolvePod } from './store.js';
import type { PodActionReport, PodRecord } from './types.js';

type Step = (c: ContainerRecord) => Promise<unknown>;

function withPod<T>(ce: ContainerEngine, ref: string, fn: (p: PodRecord) => Promise<T>): Promise<T> {
  const p = resolvePod(ce.cc.ctx, ref);
  return ce.cc.ctx.locks.with('pod', p.id, () => fn(resolvePod(ce.cc.ctx, p.id)), { what: `pod ${p.id.slice(0, 12)}` });
}

/** Members together (as Podman, in parallel), then the infra container; errors collected per container. */
async function each(ce: ContainerEngine, p: PodRecord, step: Step, opts: { infraFirst?: boolean; skip?: (c: ContainerRecord) => boolean } = {}): Promise<string[]> {
  const cs = (await freshContainers(ce.cc, p.id)).filter((c) => !opts.skip?.(c));
  const infra = cs.filter((c) => c.id === p.infraId);
  const members = cs.filter((c) => c.id !== p.infraId);
  const errs: string[] = [];
  const run = async (group: ContainerRecord[]) => {
    const results = await Promise.allSettled(group.map((c) => step(c)));
    results.forEach((r, i) => {
      if (r.status === 'rejected') errs.push(`${group[i]!.id.slice(0, 12)}: ${(r.reason as Error).message}`);
    });
  };
  if (opts.infraFirst) {
    await run(infra);
    if (errs.length) return errs;
    await run(members);
  } else {
    await run(members);
    await run(infra);
  }
  return errs;
}

function report(p: PodRecord, errs: string[], verb: string): PodActionReport {
  if (errs.length) throw failedPrecondition(`${verb} pod ${p.name}: ${errs.join('; ')}`);
  return { Id: p.id, Errs: [] };
}

const active = (c: ContainerRecord) => c.state.status === 'running' || c.state.status === 'paused' || c.state.status === 'restarting';

export function startPod(ce: ContainerEngine, ref: string): Promise<PodActionReport> {
  return withPod(ce, ref, async (p) => {
    const errs = await each(ce, p, (c) => ce.start(c.id), { infraFirst: true, skip: active });
    podEvent(ce.cc.ctx, p, 'start');
    return report(p, errs, 'starting');
  });
}

export function stopPod(ce: ContainerEngine, ref: string, timeoutSec?: number): Promise<PodActionReport> {
  return withPod(ce, ref, async (p) => {
    const errs = await each(ce, p, (c) => ce.stop(c.id, timeoutSec), { skip: (c) => !active(c) });
    podEvent(ce.cc.ctx, p, 'stop');
    return report(p, errs, 'stopping');
  });
}

export function killPod(ce: ContainerEngine, ref: string, signal?: string): Promise<PodActionReport> {
  return withPod(ce, ref, async (p) => {
    const errs = await each(ce, p, (c) => ce.kill(c.id, signal), { skip: (c) => c.state.status !== 'running' });
    podEvent(ce.cc.ctx, p, 'kill');
    return report(p, errs, 'killing');
  });
}

export function pausePod(ce: ContainerEngine, ref: string): Promise<PodActionReport> {
  return withPod(ce, ref, async (p) => {
    const errs = await each(ce, p, (c) => ce.pause(c.id), { skip: (c) => c.state.status !== 'running' });
    podEvent(ce.cc.ctx, p, 'pause');
    return report(p, errs, 'pausing');
  });
}

export function unpausePod(ce: ContainerEngine, ref: string): Promise<PodActionReport> {
  return withPod(ce, ref, async (p) => {
    const errs = await each(ce, p, (c) => ce.unpause(c.id), { skip: (c) => c.state.status !== 'paused', infraFirst: true });
    podEvent(ce.cc.ctx, p, 'unpause');
    return report(p, errs, 'unpausing');
  });
}

export async function restartPod(ce: ContainerEngine, ref: string, timeoutSec?: number): Promise<PodActionReport> {
  await stopPod(ce, ref, timeoutSec);
  return startPod(ce, ref);
}

/**
 * Without force a pod whose containers run is refused; with it they are stopped and removed.
 * Members made while the infra went (a `run --pod` racing this) are taken in a second pass.
 */
export function removePod(ce: ContainerEngine, ref: string, opts: { force?: boolean; timeoutSec?: number } = {}): Promise<string> {
  return withPod(ce, ref, async (p) => {
    const cs = await freshContainers(ce.cc, p.id);
    if (!opts.force && cs.some(active)) {
      throw failedPrecondition(`pod ${p.id} has containers that are running: stop them or remove the pod with --force`);
    }
    if (opts.force && opts.timeoutSec !== undefined) await each(ce, p, (c) => ce.stop(c.id, opts.timeoutSec), { skip: (c) => !active(c) });
    for (let pass = 0; pass < 2; pass++) {
      const errs = await each(ce, p, (c) => ce.remove(c.id, { force: true, withPod: true }));
      if (errs.length) throw failedPrecondition(`removing pod ${p.name}: ${errs.join('; ')}`);
    }
    if (podContainers(ce.cc, p.id).length) throw failedPrecondition(`removing pod ${p.name}: containers joined it while it was removed`);
    if (p.config.cgroupParent) removePodCgroup(p.config.cgroupParent);
    podRecords(ce.cc.ctx).delete(p.id);
    podEvent(ce.cc.ctx, p, 'remove');
    return p.id;
  });
}

/** `pod prune`: pods none of whose containers runs (Podman: exited or created pods). */
export async function prunePods(ce: ContainerEngine): Promise<string[]> {
  const out: string[] = [];
  for (const p of podRecords(ce.cc.ctx).list()) {
    const cs = await freshContainers(ce.cc, p.id);
    if (cs.some(active)) continue;
    try {
      out.push(await removePod(ce, p.id, {}));
    } catch {
      // started or removed meanwhile: not prunable any more
    }
  }
  return out;
}
