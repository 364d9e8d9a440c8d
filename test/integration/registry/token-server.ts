// A tiny Bearer token service for docker-registry's `auth: token`: it checks Basic credentials,
// grants the scopes asked for, and signs ES256 JWTs whose `x5c` header carries a certificate
// made with openssl, which the registry trusts through its rootcertbundle.
import { createServer, type Server } from 'node:http';
import { createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';

export const SERVICE = 'skiff-test-registry';
export const ISSUER = 'skiff-test-issuer';

export interface TokenRequest {
  scopes: string[];
  /** the Basic user, or null when the client sent no credentials */
  user: string | null;
  status: number;
}

export interface TokenServer {
  /** `http://127.0.0.1:PORT/token` */
  realm: string;
  /** the PEM certificate docker-registry is to trust */
  certFile: string;
  requests: TokenRequest[];
  /** the answer's field: `token` (distribution's), `access_token` (OAuth2's) or both */
  field: 'token' | 'access_token' | 'both';
  /** scopes (as asked) whose next token is issued already expired, once each */
  expireNext: Set<string>;
  close(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** `repository:name:pull,push` → the JWT access entry; names never contain ':' but types may not either. */
function accessOf(scope: string): { type: string; name: string; actions: string[] } | null {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return null;
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',').filter(Boolean) };
}

export async function startTokenServer(dir: string, user: string, password: string): Promise<TokenServer> {
  const keyFile = join(dir, 'token.key');
  const certFile = join(dir, 'token.crt');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=skiff test token signer',
  ], { stdio: 'ignore' });
  const key = createPrivateKey(readFileSync(keyFile));
  const x5c = [new X509Certificate(readFileSync(certFile)).raw.toString('base64')];

  const requests: TokenRequest[] = [];
  const expireNext = new Set<string>();
  const state = { field: 'token' as TokenServer['field'] };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    const auth = req.headers.authorization;
    let who: string | null = null;
    if (auth?.startsWith('Basic ')) {
      const plain = Buffer.from(auth.slice(6), 'base64').toString();
      if (plain !== `${user}:${password}`) {
        requests.push({ scopes, user: plain.split(':')[0]!, status: 401 });
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="skiff-test-token"' });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] }));
        return;
      }
      who = user;
    }
    if (url.pathname !== '/token' || url.searchParams.get('service') !== SERVICE) {
      requests.push({ scopes, user: who, status: 400 });
      res.writeHead(400).end();
      return;
    }
    requests.push({ scopes, user: who, status: 200 });
    const now = Math.floor(Date.now() / 1000);
    // The registry allows 60 s of clock skew past `exp`: an expired token must be older than that.
    const expired = scopes.some((s) => expireNext.delete(s));
    const claims = {
      iss: ISSUER,
      sub: who ?? '',
      aud: SERVICE,
      iat: now,
      nbf: now - 10,
      exp: expired ? now - 120 : now + 300,
      jti: randomBytes(8).toString('hex'),
      // Anonymous clients get a token that grants nothing: the registry then answers 401.
      access: who ? scopes.map(accessOf).filter((a) => a !== null) : [],
    };
    const header = { typ: 'JWT', alg: 'ES256', x5c };
    const signing = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const sig = sign('sha256', Buffer.from(signing), { key, dsaEncoding: 'ieee-p1363' });
    const token = `${signing}.${b64url(sig)}`;
    const body: Record<string, unknown> = { expires_in: 300, issued_at: new Date(now * 1000).toISOString() };
    if (state.field !== 'access_token') body.token = token;
    if (state.field !== 'token') body.access_token = token;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    certFile,
    requests,
    get field() {
      return state.field;
    },
    set field(f) {
      state.field = f;
    },
    expireNext,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
