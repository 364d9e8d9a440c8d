import { HEALTH_ON_FAILURE, mergeHealthConfig } from '../../core/health.js';
import type { HealthConfig } from '../../core/images/oci.js';
import { invalidArgument } from '../../core/errdefs.js';
import type { ContainerConfigRecord, ContainerCreateRequest } from './types.js';

/** The stored health fields of a new container, checked as dockerd and Podman check them. */
export function healthConfigFor(
  image: HealthConfig | undefined,
  req: Pick<ContainerCreateRequest, 'healthcheck' | 'healthOnFailure'>,
): Pick<ContainerConfigRecord, 'healthcheck' | 'healthOnFailure'> {
  const h = req.healthcheck;
  if (h) {
    for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval'] as const) {
      const v = h[k];
      // dockerd's minimum for any set duration is 1 ms.
      if (v !== undefined && v !== 0 && (v < 1_000_000 || !Number.isFinite(v))) {
        throw invalidArgument(`${k} in Healthcheck cannot be less than 1ms`);
      }
    }
    if (h.Retries !== undefined && h.Retries < 0) throw invalidArgument('Retries in Healthcheck cannot be negative');
  }
  const onFailure = req.healthOnFailure;
  if (onFailure !== undefined && !(HEALTH_ON_FAILURE as readonly string[]).includes(onFailure)) {
    throw invalidArgument(`invalid healthcheck on-failure action "${onFailure}": use none, kill, restart or stop`);
  }
  const merged = mergeHealthConfig(image, h);
  return {
    ...(merged ? { healthcheck: merged } : {}),
    ...(onFailure && onFailure !== 'none' ? { healthOnFailure: onFailure } : {}),
  };
}
