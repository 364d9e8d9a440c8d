import { parseDurationMs } from '../../core/config/duration.js';
import { invalidArgument } from '../../core/errdefs.js';
import type { RegistryLimits } from '../../core/remotes/remotes.js';
import { parseBytes } from '../../core/runtime/units.js';

/** `[engine]`'s registry_idle_timeout, registry_max_blob_size and registry_max_manifest_size over `base`. */
export function registryLimits(engine: Record<string, unknown>, base: RegistryLimits, path: string): RegistryLimits {
  const out = { ...base };
  const idle = engine.registry_idle_timeout;
  if (idle !== undefined) {
    const ms = parseDurationMs(idle);
    if (ms === undefined || !(ms > 0)) {
      throw invalidArgument(`config ${path}: engine.registry_idle_timeout must be a duration such as "30s", not ${JSON.stringify(idle)}`);
    }
    out.idleTimeoutMs = ms;
  }
  const size = (key: string, fallback: number): number => {
    const v = engine[key];
    if (v === undefined) return fallback;
    let n = NaN;
    try {
      if (typeof v === 'string' || typeof v === 'number') n = parseBytes(v);
    } catch {
      // reported below
    }
    if (!(n > 0) || !Number.isSafeInteger(n)) throw invalidArgument(`config ${path}: engine.${key} must be a size such as "4MiB", not ${JSON.stringify(v)}`);
    return n;
  };
  out.maxBlobSize = size('registry_max_blob_size', out.maxBlobSize);
  out.maxManifestSize = size('registry_max_manifest_size', out.maxManifestSize);
  return out;
}
