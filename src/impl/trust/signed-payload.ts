/**
 * The JSON document both signature formats sign (containers-signature(5)): `critical` names the
 * manifest digest and the docker reference it vouches for, under a type each format sets
 * ("atomic container signature" for simple signing, "cosign container image signature" for
 * sigstore); `optional` carries the creator and a timestamp. Each format reads `optional` its
 * own way; `critical` is read as strictly as containers/image reads it.
 */
import { invalidArgument } from '../../core/errdefs.js';

export interface SignedPayload {
  manifestDigest: string;
  dockerReference: string;
  creator?: string;
  timestamp?: number;
}

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

export function exactKeys(o: unknown, keys: string[], what: string): Obj {
  if (!isObj(o)) throw invalidArgument(`${what} is not an object`);
  const have = Object.keys(o).sort();
  if (have.join() !== [...keys].sort().join()) throw invalidArgument(`${what} has fields ${have.join(', ')}, expected ${keys.join(', ')}`);
  return o;
}

/** Keys in Go's json.Marshal order of maps (sorted), so the bytes are what containers/image would write. */
export function makeSignedPayload(type: string, manifestDigest: string, dockerReference: string, creator: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: { identity: { 'docker-reference': dockerReference }, image: { 'docker-manifest-digest': manifestDigest }, type },
      optional: { creator, timestamp: Math.floor(Date.now() / 1000) },
    }),
  );
}

/** The document's JSON, or `what` is not JSON. */
export function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw invalidArgument(`${what} is not JSON`);
  }
}

/** `critical` of `type`, nothing unknown in it: the digest and reference it names. */
export function readCritical(critical: unknown, type: string): SignedPayload {
  const c = exactKeys(critical, ['type', 'image', 'identity'], 'critical');
  if (c.type !== type) throw invalidArgument(`critical.type is "${String(c.type)}", not "${type}"`);
  const image = exactKeys(c.image, ['docker-manifest-digest'], 'critical.image');
  const identity = exactKeys(c.identity, ['docker-reference'], 'critical.identity');
  const digest = image['docker-manifest-digest'];
  const ref = identity['docker-reference'];
  if (typeof digest !== 'string' || typeof ref !== 'string') throw invalidArgument('critical.image and critical.identity must hold strings');
  return { manifestDigest: digest, dockerReference: ref };
}
