import { createHash } from 'node:crypto';
import type { Credentials } from '../../core/remotes/remotes.js';

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` (quoted or bare values). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (!header) return [];
  const out: Challenge[] = [];
  for (const h of Array.isArray(header) ? header : [header]) {
    const re = /\s*([A-Za-z][\w-]*)(?:\s+|$)((?:\s*[\w-]+=(?:"(?:[^"\\]|\\.)*"|[^,\s]*)\s*,?)*)/y;
    let m: RegExpExecArray | null;
    while (re.lastIndex < h.length && (m = re.exec(h)) !== null) {
      if (m[0] === '') break;
      const params: Record<string, string> = {};
      for (const p of m[2]!.matchAll(/([\w-]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
        params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
      }
      out.push({ scheme: m[1]!.toLowerCase(), params });
    }
  }
  return out;
}

export function basicHeader(c: Credentials): string {
  return 'Basic ' + Buffer.from(`${c.username}:${c.password}`).toString('base64');
}

interface CachedToken {
  token: string;
  expires: number;
}

/**
 * Bearer tokens per registry, identity and scope set, shared by every client in the process
 * (a long-lived service pulls again without asking the token service again). A token is
 * reused until ten seconds before it expires, or until the registry refuses it; requests
 * that need the same token at the same time wait for one fetch instead of each making one.
 */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<string>>();

  /**
   * The cached token for `key`, else the one `fetch` gets. `rejected` is a token the registry
   * has just refused: it is dropped if still cached, so the next caller fetches a new one,
   * while callers that already hold a newer token keep it.
   */
  async obtain(key: string, fetch: () => Promise<FetchedToken>, rejected?: string): Promise<string> {
    const cur = this.tokens.get(key);
    if (cur && (cur.token === rejected || cur.expires <= Date.now())) this.tokens.delete(key);
    const hit = this.tokens.get(key);
    if (hit) return hit.token;
    let p = this.inflight.get(key);
    if (!p) {
      p = fetch().then(
        (t) => {
          this.inflight.delete(key);
          this.set(key, t);
          return t.token;
        },
        (e: unknown) => {
          this.inflight.delete(key);
          throw e;
        },
      );
      this.inflight.set(key, p);
    }
    return p;
  }

  private set(key: string, t: FetchedToken): void {
    const issued = t.issuedAt ? Date.parse(t.issuedAt) : NaN;
    const start = Number.isNaN(issued) ? Date.now() : Math.min(issued, Date.now());
    // The spec's default and minimum lifetime is 60 s; the margin keeps a token from expiring mid-request.
    const life = Math.max(t.expiresIn ?? 60, 60) * 1000;
    this.tokens.set(key, { token: t.token, expires: start + life - 10_000 });
  }
}

export interface FetchedToken {
  token: string;
  /** seconds, as the token service said (`expires_in`) */
  expiresIn?: number;
  /** RFC 3339 (`issued_at`) */
  issuedAt?: string;
}

export const processTokens = new TokenCache();

/**
 * The cache key: registry, who asks (a digest of the credentials, so a new login or another
 * auth file never gets someone else's token) and the scope set in a stable order.
 */
export function tokenKey(registry: string, creds: Credentials | undefined, scopes: string[]): string {
  const who = creds ? createHash('sha256').update(`${creds.username}\0${creds.password}`).digest('hex') : '-';
  return `${registry} ${who} ${[...new Set(scopes)].sort().join(' ')}`;
}
