/**
 * The `X-Registry-Auth` header (pull, push) and the `/auth` body: base64 of Docker's
 * AuthConfig JSON. The docker CLI sends URL-safe base64 with padding (`e30=` for none),
 * docker-modem swaps `+/` for `-_` and may drop the padding; all of these decode here.
 */
import type { IncomingMessage } from 'node:http';
import { invalidArgument } from '../core/errdefs.js';
import type { Credentials } from '../core/remotes/remotes.js';

export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  email?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

export function decodeBase64Json(value: string, what: string): unknown {
  const std = value.trim().replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*=*$/.test(std)) throw invalidArgument(`${what}: not base64`);
  const text = Buffer.from(std, 'base64').toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw invalidArgument(`${what}: not base64-encoded JSON`);
  }
}

/** Username and password of an AuthConfig, from its fields or its `auth` (base64 `user:password`). */
export function credentialsOf(a: AuthConfig): Credentials | undefined {
  if (typeof a.username === 'string' && a.username !== '' && typeof a.password === 'string') {
    return { username: a.username, password: a.password };
  }
  if (typeof a.auth === 'string' && a.auth !== '') {
    const plain = Buffer.from(a.auth, 'base64').toString('utf8');
    const i = plain.indexOf(':');
    if (i > 0) return { username: plain.slice(0, i), password: plain.slice(i + 1) };
  }
  return undefined;
}

/** Credentials the client sent with a pull or push; none (`{}` or no header) means the service's own. */
export function registryAuth(req: IncomingMessage): Credentials | undefined {
  const h = req.headers['x-registry-auth'];
  const value = Array.isArray(h) ? h[0] : h;
  if (!value) return undefined;
  const doc = decodeBase64Json(value, 'X-Registry-Auth');
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalidArgument('X-Registry-Auth: not an AuthConfig object');
  return credentialsOf(doc as AuthConfig);
}
