import { join } from 'node:path';
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

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);
const CLIENT_CERT_ALERT = /^ERR_SSL_.*ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|UNKNOWN_CA|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE)$/;

export interface TlsContextHint {
  /** the certs.d directory looked in */
  dir: string;
  /** the client certificate presented, if any */
  clientCert?: string;
}

/**
 * A TLS failure that says the server does speak HTTPS (so falling back to HTTP would not help),
 * worded as Go's x509 errors are, with what to do about it; undefined for anything else.
 */
export function tlsFailure(e: unknown, hint: TlsContextHint): { untrusted: boolean; message: string } | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  const fix = `add its CA to ${join(hint.dir, 'ca.crt')} or use --tls-verify=false`;
  if (UNTRUSTED.has(code)) return { untrusted: true, message: `certificate signed by an unknown authority (${fix})` };
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return { untrusted: false, message: `certificate has expired or is not yet valid (${(e as Error).message}; or use --tls-verify=false)` };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return { untrusted: false, message: `certificate is not valid for this name: ${(e as Error).message} (or use --tls-verify=false)` };
  }
  if (CLIENT_CERT_ALERT.test(code)) {
    const alert = code.replace(/^.*ALERT_/, '').toLowerCase().replace(/_/g, ' ');
    return {
      untrusted: false,
      message: hint.clientCert
        ? `the registry refused the client certificate ${hint.clientCert} (tls alert: ${alert})`
        : `the registry requires a client certificate (tls alert: ${alert}; put client.cert and client.key in ${hint.dir})`,
    };
  }
  return undefined;
}
