/**
 * The one rule for byte counts a registry controls: a descriptor's size is checked against the
 * configured cap before anything is fetched, and a body is never read past its descriptor's
 * size (one byte more and it is refused), so a body that never ends cannot fill disk or memory.
 */
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Descriptor } from '../../core/content/content.js';
import { EngineError, invalidArgument } from '../../core/errdefs.js';
import { MediaType } from '../../core/images/oci.js';
import type { RegistryLimits } from '../../core/remotes/remotes.js';

const DOCUMENT_TYPES = new Set<string>([
  MediaType.OciIndex,
  MediaType.OciManifest,
  MediaType.DockerManifestList,
  MediaType.DockerManifest,
  MediaType.OciConfig,
  MediaType.DockerConfig,
]);

/** Documents (read whole) are held to the manifest cap, anything else to the blob cap. */
export function capFor(desc: Pick<Descriptor, 'mediaType'>, limits: RegistryLimits): { max: number; setting: string } {
  return DOCUMENT_TYPES.has(desc.mediaType)
    ? { max: limits.maxManifestSize, setting: 'registry_max_manifest_size' }
    : { max: limits.maxBlobSize, setting: 'registry_max_blob_size' };
}

/** Refuses a descriptor claiming more than its cap, before any byte of it is asked for. */
export function refuseOversized(desc: Pick<Descriptor, 'mediaType' | 'size'>, limits: RegistryLimits, what: string, document = false): void {
  const { max, setting } = document ? { max: limits.maxManifestSize, setting: 'registry_max_manifest_size' } : capFor(desc, limits);
  if (desc.size > max) {
    throw invalidArgument(`${what}: its descriptor claims ${desc.size} bytes, more than the ${max} allowed (engine.${setting} in skiff.conf)`);
  }
}

export function tooLong(what: string, size: number): EngineError {
  return invalidArgument(`${what}: the registry sent more than the ${size} bytes its descriptor gives`);
}

/**
 * `src` passed through, failing as soon as it carries more than `size` bytes (the chunk that
 * overflows is not passed on) and tearing the connection down then.
 */
export function bounded(src: Readable, size: number, what: string): Readable {
  let n = 0;
  const cut = new Transform({
    // A socket hands over 64 KiB at a time: with the default 16 KiB marks every chunk paused
    // and resumed the response (a pull's downloads spent a tenth of their main-thread time so).
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      if (n > size) return cb(tooLong(what, size));
      cb(null, chunk);
    },
  });
  // An error on either side destroys both: the source's socket goes with the refused body.
  pipeline(src, cut).catch(() => undefined);
  return cut;
}

/** Marks the error of a connection that went silent: retrying would only wait as long again. */
const IDLE = Symbol.for('skiff.registryIdleTimeout');

export function idleTimeoutError(what: string, host: string, ms: number): EngineError {
  const secs = ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
  const from = what.includes(host) ? '' : ` (at ${host})`;
  return Object.assign(
    new EngineError('Unavailable', `${what}${from}: the registry sent nothing for ${secs} (engine.registry_idle_timeout in skiff.conf)`),
    { [IDLE]: true },
  );
}

export function isIdleTimeout(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[IDLE] === true;
}
