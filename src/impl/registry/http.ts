import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import type { SecureContext } from 'node:tls';
import { invalidArgument } from '../../core/errdefs.js';
import { DEFAULT_REGISTRY_LIMITS } from '../../core/remotes/remotes.js';
import { idleTimeoutError } from './limits.js';

export interface HttpRequest {
  method: string;
  url: URL;
  headers?: OutgoingHttpHeaders;
  /** a buffer, or a factory for a stream (called again on retry or redirect) */
  body?: Buffer | (() => Readable);
  /** accept self-signed or mismatched certificates */
  insecureTls?: boolean;
  /** the registry's CAs (added to Node's) and client certificate; absent: Node's defaults */
  secureContext?: SecureContext;
  agents?: Agents;
  /** no byte either way for this long (connecting and waiting for headers included) fails the exchange */
  idleTimeoutMs?: number;
  /** what the idle error names (`blob sha256:… in host/repo`); default the host */
  what?: string;
  /** aborts the exchange, the response body included */
  signal?: AbortSignal;
}

/**
 * Keep-alive connections for one transfer. Idle keep-alive sockets hold the process open, so
 * whoever creates these destroys them when the transfer is over.
 */
export class Agents {
  readonly http = new HttpAgent({ keepAlive: true, maxSockets: 8 });
  readonly https = new HttpsAgent({ keepAlive: true, maxSockets: 8 });
  destroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

export interface HttpResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: IncomingMessage;
  /** the URL that answered, after redirects */
  url: URL;
}

function once(req: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const https = req.url.protocol === 'https:';
    const opts = {
      method: req.method,
      ...(req.agents ? { agent: https ? req.agents.https : req.agents.http } : {}),
      headers: req.headers,
      ...(req.signal ? { signal: req.signal } : {}),
      ...(https
        ? {
            rejectUnauthorized: !req.insecureTls,
            ...(req.secureContext ? { secureContext: req.secureContext } : {}),
          }
        : {}),
    };
    let response: IncomingMessage | undefined;
    const r = (https ? httpsRequest : httpRequest)(req.url, opts, (res) => {
      response = res;
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url: req.url });
    });
    r.on('error', reject);
    // The socket's inactivity timer runs until the response has ended, so it covers the
    // connect, the wait for headers and every gap in the body; the error goes to whoever
    // reads at that moment (this promise, or the body's consumer).
    const idle = req.idleTimeoutMs ?? DEFAULT_REGISTRY_LIMITS.idleTimeoutMs;
    r.setTimeout(idle, () => {
      const e = idleTimeoutError(req.what ?? `registry ${req.url.host}`, req.url.host, idle);
      if (response) response.destroy(e);
      else r.destroy(e);
    });
    if (req.body === undefined) r.end();
    else if (Buffer.isBuffer(req.body)) r.end(req.body);
    else {
      const src = req.body();
      src.on('error', (e) => r.destroy(e));
      src.pipe(r);
    }
  });
}

/**
 * One HTTP exchange, following redirects (blob storage often lives elsewhere). The
 * Authorization header is dropped when a redirect leaves the registry's host, so a token
 * never reaches a storage backend.
 */
export async function send(req: HttpRequest): Promise<HttpResponse> {
  let cur = req;
  for (let hop = 0; ; hop++) {
    const res = await once(cur);
    const loc = res.headers.location;
    if (![301, 302, 303, 307, 308].includes(res.status) || !loc || hop >= 10) return res;
    res.body.resume();
    const next = new URL(loc, cur.url);
    const headers = { ...cur.headers };
    if (next.host !== req.url.host) delete headers.authorization;
    const method = res.status === 303 ? 'GET' : cur.method;
    cur = { ...cur, url: next, headers, method, body: method === 'GET' ? undefined : cur.body };
  }
}

/** The whole body, refused with `tooBig`'s error past `limit` bytes. */
export async function readBody(
  res: HttpResponse,
  limit: number,
  tooBig: () => Error = () => invalidArgument(`response from ${res.url.host}: larger than ${limit} bytes`),
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res.body as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) {
      res.body.destroy();
      throw tooBig();
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}
