import { EngineError } from '../../core/errdefs.js';

/** The registry's own explanation, from its `{"errors":[{code,message}]}` body when it sent one. */
export function registryMessage(body: Buffer): string {
  try {
    const doc = JSON.parse(body.toString('utf8')) as { errors?: { code?: string; message?: string }[] };
    const e = doc.errors?.[0];
    if (e) return [e.code?.toLowerCase().replace(/_/g, ' '), e.message].filter(Boolean).join(': ');
  } catch {
    // Not JSON: a proxy's HTML page or nothing at all.
  }
  return '';
}

/** An HTTP failure as an engine error naming the registry and repository, classed by status. */
export function httpError(status: number, what: string, body: Buffer): EngineError {
  const detail = registryMessage(body);
  const tail = detail ? ` (${detail})` : '';
  switch (status) {
    case 401:
      // docker-registry's own detail says just this: do not say it twice.
      if (detail === 'unauthorized: authentication required') return new EngineError('PermissionDenied', `${what}: ${detail}`);
      return new EngineError('PermissionDenied', `${what}: unauthorized: authentication required${tail}`);
    case 403:
      return new EngineError('PermissionDenied', `${what}: denied: requested access to the resource is denied${tail}`);
    case 404:
      return new EngineError('NotFound', `${what}: not found${tail}`);
    case 429:
      return new EngineError('Unavailable', `${what}: too many requests: the registry is rate limiting${tail}`);
    default:
      if (status >= 500) return new EngineError('Unavailable', `${what}: registry error: HTTP ${status}${tail}`);
      return new EngineError('InvalidArgument', `${what}: unexpected HTTP status ${status}${tail}`);
  }
}

const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET']);

export function isRetryableNetworkError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_CODES.has(code);
}

export function networkError(registry: string, e: unknown): EngineError {
  return new EngineError('Unavailable', `registry ${registry}: ${(e as Error).message}`, { cause: e });
}
