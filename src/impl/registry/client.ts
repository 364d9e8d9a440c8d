import type { OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { DEFAULT_REGISTRY_LIMITS, type Credentials, type RegistryLimits, type RegistryOptions } from '../../core/remotes/remotes.js';
import { EngineError } from '../../core/errdefs.js';
import { basicHeader, parseChallenges, processTokens, tokenKey, type Challenge, type FetchedToken } from './auth.js';
import { registryTls, systemExtraCas, type RegistryTls } from './certs.js';
import { httpError, isRetryableNetworkError, networkError, tlsFailure } from './errors.js';
import { Agents, readBody, send, type HttpRequest, type HttpResponse } from './http.js';

export interface ClientRequest {
  method: string;
  /** path below the registry root (`/v2/...`), or an absolute URL (upload locations) */
  path: string;
  headers?: OutgoingHttpHeaders;
  body?: Buffer | (() => Readable);
  /** token scopes (`repository:foo/bar:pull`) the request needs */
  scopes: string[];
  /** what the error names: `registry/repo[:tag]` */
  what: string;
  /** statuses returned to the caller instead of thrown (404 for HEAD, 202 for uploads…) */
  accept?: number[];
}

const ATTEMPTS = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Docker's rule: 127.0.0.0/8 and localhost may speak plain HTTP without being configured
 * insecure. Unlike Docker, a loopback registry that does speak HTTPS must present a
 * certificate we trust (podman's rule), so a TLS test registry is really checked.
 */
export function isLoopback(host: string): boolean {
  const h = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Docker Hub's API lives on another host than its name. */
export function apiHost(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
}

/**
 * One registry host: finds the scheme (HTTPS, or HTTP where allowed and the host does not
 * speak TLS), trusts the CAs and presents the client certificate of its certs.d directory
 * (or --cert-dir), answers its auth
 * challenge (Basic, or Bearer tokens cached per identity and scope set for the whole process,
 * fetched again when the registry refuses one) and retries what may succeed on a
 * second try (5xx, connection resets) with backoff.
 */
export class RegistryClient {
  readonly registry: string;
  readonly limits: RegistryLimits;
  private base?: URL;
  private readonly insecureTls: boolean;
  private readonly allowHttp: boolean;
  private challenge?: Challenge;
  private tls?: RegistryTls;

  private readonly agents: Agents;

  constructor(registry: string, private readonly opts: RegistryOptions = {}, agents?: Agents) {
    this.registry = registry;
    this.limits = opts.limits ?? DEFAULT_REGISTRY_LIMITS;
    this.agents = agents ?? new Agents();
    this.insecureTls = opts.tlsVerify === false;
    this.allowHttp = opts.tlsVerify === false || isLoopback(registry);
  }

  private credentials(): Credentials | undefined {
    return this.opts.credentials?.get(this.registry);
  }

  /** GET /v2/: picks the scheme and learns the auth challenge. */
  async ping(): Promise<HttpResponse> {
    const host = apiHost(this.registry);
    const schemes = this.allowHttp ? ['https:', 'http:'] : ['https:'];
    let last: unknown;
    for (const scheme of schemes) {
      const url = new URL(`${scheme}//${host}/v2/`);
      try {
        const res = await this.pingOnce(url);
        this.base = new URL(`${scheme}//${host}`);
        const ch = parseChallenges(res.headers['www-authenticate']);
        this.challenge = ch.find((c) => c.scheme === 'bearer') ?? ch.find((c) => c.scheme === 'basic');
        return res;
      } catch (e) {
        // A TLS server that refused us would answer plain HTTP with a 400: say why HTTPS failed.
        if (e instanceof EngineError) throw e;
        last = e;
      }
    }
    throw networkError(this.registry, last);
  }

  /** One ping; a certificate Node's store does not know is tried again with the system bundle's extra CAs. */
  private async pingOnce(url: URL): Promise<HttpResponse> {
    this.tls ??= registryTls(this.registry, this.opts.certDir);
    const get = () => this.retrying(() => this.send({ method: 'GET', url, headers: this.ua() }));
    try {
      return await get();
    } catch (e) {
      let failure = tlsFailure(e, this.tls);
      if (failure?.untrusted && systemExtraCas().length > 0) {
        this.tls = registryTls(this.registry, this.opts.certDir, true);
        try {
          return await get();
        } catch (again) {
          e = again;
          failure = tlsFailure(again, this.tls);
        }
      }
      if (failure) throw new EngineError('Unavailable', `pinging registry ${this.registry}: ${failure.message}`, { cause: e });
      throw e;
    }
  }

  private send(req: HttpRequest): Promise<HttpResponse> {
    return send({
      ...req,
      agents: this.agents,
      insecureTls: this.insecureTls,
      idleTimeoutMs: this.limits.idleTimeoutMs,
      what: req.what ?? `registry ${this.registry}`,
      ...(this.opts.signal ? { signal: this.opts.signal } : {}),
      ...(this.tls?.context ? { secureContext: this.tls.context } : {}),
    });
  }

  /** A failure talking to `to` (the registry, or its token service), TLS ones explained. */
  private failure(to: string, e: unknown): EngineError {
    // Already worded (an idle timeout names what it was fetching).
    if (e instanceof EngineError) return e;
    if (this.opts.signal?.aborted) return new EngineError('Canceled', `registry ${to}: canceled`, { cause: e });
    const t = this.tls && tlsFailure(e, this.tls);
    return t ? new EngineError('Unavailable', `registry ${to}: ${t.message}`, { cause: e }) : networkError(to, e);
  }

  /** Drops kept-alive connections (they would keep the process alive). */
  close(): void {
    this.agents.destroy();
  }

  private ua(): OutgoingHttpHeaders {
    return { 'user-agent': this.opts.userAgent ?? 'skiff' };
  }

  private async retrying(fn: () => Promise<HttpResponse>): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fn();
        if (res.status < 500 || res.status === 501 || attempt >= ATTEMPTS) return res;
        res.body.resume();
      } catch (e) {
        if (!isRetryableNetworkError(e) || attempt >= ATTEMPTS) throw e;
      }
      await sleep(200 * 2 ** (attempt - 1));
    }
  }

  /**
   * The Authorization header for a request needing `scopes`. `rejected` is the bearer token
   * the registry just refused (expired or revoked): a new one is fetched in its place.
   */
  private async authorization(scopes: string[], what: string, rejected?: string): Promise<string | undefined> {
    const ch = this.challenge;
    if (!ch) return undefined;
    const creds = this.credentials();
    if (ch.scheme === 'basic') return creds ? basicHeader(creds) : undefined;
    const token = await processTokens.obtain(
      tokenKey(this.registry, creds, scopes),
      () => this.fetchToken(ch, scopes, creds, what),
      rejected,
    );
    return `Bearer ${token}`;
  }

  private async fetchToken(ch: Challenge, scopes: string[], creds: Credentials | undefined, what: string): Promise<FetchedToken> {
    const realm = ch.params.realm;
    if (!realm) throw new EngineError('InvalidArgument', `registry ${this.registry}: bearer challenge without a realm`);
    const url = new URL(realm);
    if (ch.params.service) url.searchParams.set('service', ch.params.service);
    for (const s of new Set(scopes)) url.searchParams.append('scope', s);
    const headers: OutgoingHttpHeaders = { ...this.ua() };
    if (creds) headers.authorization = basicHeader(creds);
    let res: HttpResponse;
    try {
      res = await this.retrying(() => this.send({ method: 'GET', url, headers, what: `registry ${this.registry} (token service ${url.host})` }));
    } catch (e) {
      throw this.failure(`${this.registry} (token service ${url.host})`, e);
    }
    const body = await readBody(res, 1 << 20);
    if (res.status === 401 && creds) {
      throw new EngineError('PermissionDenied', `${what}: unauthorized: invalid username or password (the token service at ${url.host} refused them)`);
    }
    if (res.status !== 200) throw httpError(res.status, `${what}: token service at ${url.host}`, body);
    let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown };
    try {
      doc = JSON.parse(body.toString('utf8')) as typeof doc;
    } catch (e) {
      throw new EngineError('InvalidArgument', `registry ${this.registry}: the token service at ${url.host} sent no JSON`, { cause: e });
    }
    // Distribution's field is `token`, OAuth2's `access_token`; services may send both.
    const token = typeof doc.token === 'string' && doc.token ? doc.token : doc.access_token;
    if (typeof token !== 'string' || !token) {
      throw new EngineError('InvalidArgument', `registry ${this.registry}: the token service at ${url.host} sent no token`);
    }
    return {
      token,
      ...(typeof doc.expires_in === 'number' ? { expiresIn: doc.expires_in } : {}),
      ...(typeof doc.issued_at === 'string' ? { issuedAt: doc.issued_at } : {}),
    };
  }

  /** Sends a request with auth, retries and redirects; non-2xx statuses not in `accept` throw. */
  async request(req: ClientRequest): Promise<HttpResponse> {
    if (!this.base) await this.ping();
    const url = /^https?:/.test(req.path) ? new URL(req.path) : new URL(req.path, this.base);
    let res: HttpResponse | undefined;
    let rejected: string | undefined;
    for (let authTry = 0; authTry < 2; authTry++) {
      const auth = await this.authorization(req.scopes, req.what, rejected);
      const headers: OutgoingHttpHeaders = { ...this.ua(), ...req.headers };
      if (auth) headers.authorization = auth;
      try {
        res = await this.retrying(() => this.send({ method: req.method, url, headers, body: req.body, what: req.what }));
      } catch (e) {
        throw this.failure(this.registry, e);
      }
      if (res.status !== 401 || authTry > 0) break;
      // A 401 with a new challenge (expired token, first contact): answer it once more.
      const ch = parseChallenges(res.headers['www-authenticate']);
      const next = ch.find((c) => c.scheme === 'bearer') ?? ch.find((c) => c.scheme === 'basic');
      if (!next) break;
      res.body.resume();
      this.challenge = next;
      rejected = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    }
    if (!res) throw networkError(this.registry, new Error('no response'));
    if ((res.status >= 200 && res.status < 300) || req.accept?.includes(res.status)) return res;
    const body = await readBody(res, 1 << 20).catch(() => Buffer.alloc(0));
    throw httpError(res.status, req.what, body);
  }

  /** For `login`: are these credentials good for this registry? Throws PermissionDenied when not. */
  async checkLogin(): Promise<void> {
    const res = await this.ping();
    res.body.resume();
    if (res.status === 200) return;
    if (res.status !== 401 || !this.challenge) {
      throw httpError(res.status, `registry ${this.registry}`, Buffer.alloc(0));
    }
    if (this.challenge.scheme === 'bearer') {
      // Asked of the token service itself, never answered from the cache: the point is to check.
      await this.fetchToken(this.challenge, [], this.credentials(), `registry ${this.registry}`).catch((e: unknown) => {
        throw new EngineError('PermissionDenied', `logging in to ${this.registry}: invalid username or password`, { cause: e });
      });
      return;
    }
    const check = await this.request({ method: 'GET', path: '/v2/', scopes: [], what: `registry ${this.registry}`, accept: [401] });
    check.body.resume();
    if (check.status === 401) {
      throw new EngineError('PermissionDenied', `logging in to ${this.registry}: invalid username or password`);
    }
  }
}
