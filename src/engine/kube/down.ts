/**
 * @module engine/kube/down
 * `kube down` (and `kube play --down`/`--replace`): the pods a manifest names, with their
 * containers, the files written for their ConfigMap/Secret volumes and their emptyDir volumes.
 * Claimed volumes (PersistentVolumeClaims) stay, as in Podman 4.3; `force` removes them too
 * (Podman 4.4's `kube down --force`).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubePlan } from '../../core/kube/play.js';
import type { Engine } from '../index.js';

/** Where a pod's ConfigMap and Secret volumes are written (play.ts); gone with the pod. */
export function podFilesDir(engine: Engine, podId: string): string {
  return join(engine.ctx.root, 'kube', podId);
}

export interface DownReport {
  /** Pod ids, in the manifest's order. */
  pods: string[];
  volumes: string[];
}

async function removeVolume(engine: Engine, name: string): Promise<boolean> {
  try {
    engine.volumes.inspect(name);
  } catch {
    return false;
  }
  await engine.volumes.remove(name, { force: true });
  return true;
}

export async function kubeDown(engine: Engine, plan: KubePlan, opts: { force?: boolean }): Promise<DownReport> {
  const report: DownReport = { pods: [], volumes: [] };
  for (const pod of plan.pods) {
    if (!engine.pods.exists(pod.name)) continue;
    const id = engine.pods.resolve(pod.name);
    await engine.pods.remove(id, { force: true });
    await rm(podFilesDir(engine, id), { recursive: true, force: true });
    report.pods.push(id);
    for (const v of pod.scratchVolumes) await removeVolume(engine, v);
  }
  if (opts.force) for (const v of plan.volumes) if (await removeVolume(engine, v)) report.volumes.push(v);
  return report;
}
