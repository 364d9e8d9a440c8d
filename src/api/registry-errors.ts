/**
 * Registry failures as dockerd answers them: a missing manifest is a 404 in the registry's own
 * words (`manifest for REF not found: manifest unknown: …` for a pull), anything else a 500
 * (dockerd has no "unavailable": a registry it cannot reach is its own failure).
 */
import { httpStatusOf, isEngineError } from '../core/errdefs.js';

/** The registry's detail of a not-found error (`…: not found (DETAIL)`), or the whole message. */
function registryDetail(message: string): string {
  return /: not found \((.*)\)$/.exec(message)?.[1] ?? message;
}

type Status = Error & { status: number };

function withStatus(e: Error, status: number, message = e.message): Status {
  return Object.assign(new Error(message, { cause: e }), { status });
}

/** `POST /images/create` failing before any progress was sent. */
export function pullError(e: unknown, shown: string): unknown {
  if (!(e instanceof Error) || !isEngineError(e)) return e;
  if (e.code === 'NotFound') return withStatus(e, 404, `manifest for ${shown} not found: ${registryDetail(e.message)}`);
  if (e.code === 'Unavailable') return withStatus(e, 500);
  return e;
}

/** `GET /distribution/{name}/json`. */
export function distributionError(e: unknown): unknown {
  if (!(e instanceof Error) || !isEngineError(e)) return e;
  if (e.code === 'NotFound') return withStatus(e, 404, registryDetail(e.message));
  if (e.code === 'Unavailable') return withStatus(e, 500);
  return Object.assign(e, { status: httpStatusOf(e) });
}
