/**
 * Docker's `POST /containers/{id}/update` body (container.UpdateConfig: the Resources fields
 * and RestartPolicy) → the engine's update request. The docker CLI sends every field, unset
 * ones as Go zero values, so 0 and "" mean "leave it"; PidsLimit is a pointer (null = leave it).
 */
import { invalidArgument } from '../../core/errdefs.js';
import type { ContainerUpdateRequest } from '../../engine/containers/index.js';

type Obj = Record<string, unknown>;

function num(b: Obj, field: string): number | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidArgument(`invalid ${field}: want a number`);
  return v;
}

function nonZero(b: Obj, field: string): number | undefined {
  return num(b, field) || undefined;
}

function str(b: Obj, field: string): string | undefined {
  const v = b[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw invalidArgument(`invalid ${field}: want a string`);
  return v;
}

export function updateRequestFromBody(body: Obj): ContainerUpdateRequest {
  const nano = nonZero(body, 'NanoCpus');
  const rp = body.RestartPolicy;
  if (rp !== undefined && rp !== null && (typeof rp !== 'object' || Array.isArray(rp))) throw invalidArgument('invalid RestartPolicy: want an object');
  const name = rp ? str(rp as Obj, 'Name') : undefined;
  return {
    resources: {
      memory: nonZero(body, 'Memory'),
      memorySwap: nonZero(body, 'MemorySwap'),
      memoryReservation: nonZero(body, 'MemoryReservation'),
      cpus: nano === undefined ? undefined : nano / 1e9,
      cpuShares: nonZero(body, 'CpuShares'),
      cpuQuota: nonZero(body, 'CpuQuota'),
      cpuPeriod: nonZero(body, 'CpuPeriod'),
      cpusetCpus: str(body, 'CpusetCpus'),
      cpusetMems: str(body, 'CpusetMems'),
      pidsLimit: num(body, 'PidsLimit'),
      blkioWeight: nonZero(body, 'BlkioWeight'),
    },
    ...(name ? { restartPolicy: { name, maximumRetryCount: num(rp as Obj, 'MaximumRetryCount') ?? 0 } } : {}),
  };
}
