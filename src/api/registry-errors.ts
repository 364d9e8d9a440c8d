/**
 * Registry failures as dockerd answers them: a missing manifest is a 404 in the registry's own
 * words (`manifest for REF not found: manifest unknown: …` for a pull); a registry it cannot
 * reach or that refuses it (no credentials: dockerd 20.10 says 500 "…: no basic auth
 * credentials") is a 500. A bad reference stays a 400.
 */
import { isEngineError } from '../core/errdefs.js';

/** The registry's detail of a not-found error (`…: not found (DETAIL)`), or the whole message. */
function registryDetail(message: string): string {
  return /: not found \((.*)\)$/.exec(message)?.[1] ?? message;
}

type Status = Error & { status: number };

const SERVER_SIDE = new Set<string>(['Unavailable', 'PermissionDenied', 'Internal']);

function withStatus(e: Error, status: number, message = e.message): Status {
  return Object.assign(new Error(message, { cause: e }), { status });
}

/** `POST /images/create` failing before any progress was sent. */
export function pullError(e: unknown, shown: string): unknown {
  if (!(e instanceof Error) || !isEngineError(e)) return e;
  if (e.code === 'NotFound') return withStatus(e, 404, `manifest for ${shown} not found: ${registryDetail(e.message)}`);
  if (SERVER_SIDE.has(e.code)) return withStatus(e, 500);
  return e;
}

/** `GET /distribution/{name}/json`. */
export function distributionError(e: unknown): unknown {
  if (!(e instanceof Error) || !isEngineError(e)) return e;
  if (e.code === 'NotFound') return withStatus(e, 404, registryDetail(e.message));
  if (SERVER_SIDE.has(e.code)) return withStatus(e, 500);
  return e;
}
