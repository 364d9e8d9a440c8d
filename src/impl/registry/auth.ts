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
 * Bearer tokens per scope set. A token is reused until a minute before it expires, or until
 * the registry answers 401 with it (then it is dropped and fetched once more).
 */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  get(key: string): string | undefined {
    const t = this.tokens.get(key);
    if (t && t.expires > Date.now()) return t.token;
    this.tokens.delete(key);
    return undefined;
  }

  set(key: string, token: string, expiresInSec: number | undefined, issuedAt?: string): void {
    const issued = issuedAt ? Date.parse(issuedAt) : NaN;
    const start = Number.isNaN(issued) ? Date.now() : Math.min(issued, Date.now());
    // The spec's default lifetime is 60 s; keep a margin so a token never expires mid-request.
    const life = Math.max(expiresInSec ?? 60, 60) * 1000;
    this.tokens.set(key, { token, expires: start + life - 10_000 });
  }

  drop(key: string): void {
    this.tokens.delete(key);
  }
}
