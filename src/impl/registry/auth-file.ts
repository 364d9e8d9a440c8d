import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { invalidArgument } from '../../core/errdefs.js';
import type { CredentialStore, Credentials } from '../../core/remotes/remotes.js';
import { userPaths } from '../../core/config/user-paths.js';
import { rootlessUid, userHome } from '../../sys/linux/rootless-uid.js';

interface AuthEntry {
  auth?: string;
  identitytoken?: string;
}
interface AuthDoc {
  auths?: Record<string, AuthEntry>;
  [k: string]: unknown;
}

/**
 * podman's default: `$XDG_RUNTIME_DIR/containers/auth.json`, else `/run/containers/$UID/auth.json`
 * (for a user who is not root, their runtime dir's, also from inside their user namespace).
 */
export function defaultAuthFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.REGISTRY_AUTH_FILE) return env.REGISTRY_AUTH_FILE;
  const uid = rootlessUid();
  if (uid !== undefined) return userPaths(uid, userHome(uid, env), env).authFile;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json');
  return join('/run/containers', String(process.getuid?.() ?? 0), 'auth.json');
}

function dockerConfigFile(env: NodeJS.ProcessEnv): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

function readDoc(path: string): AuthDoc {
  if (!existsSync(path)) return {};
  try {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not an object');
    return doc as AuthDoc;
  } catch (e) {
    throw invalidArgument(`credentials file ${path} is not valid JSON: ${(e as Error).message}`, e);
  }
}

/** Registry keys as docker writes them (`https://index.docker.io/v1/`) matched to a host. */
function keyMatches(key: string, registry: string): boolean {
  const host = key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (host === registry) return true;
  const hub = (h: string) => h === 'docker.io' || h === 'index.docker.io' || h === 'registry-1.docker.io';
  return hub(host) && hub(registry);
}

function decode(entry: AuthEntry): Credentials | undefined {
  if (!entry.auth) return undefined;
  const plain = Buffer.from(entry.auth, 'base64').toString('utf8');
  const i = plain.indexOf(':');
  if (i < 0) return undefined;
  return { username: plain.slice(0, i), password: plain.slice(i + 1) };
}

/**
 * Credentials from the containers-auth.json file (or `--authfile`), then docker's
 * config.json; the first file naming the registry wins, as podman looks them up.
 */
export class AuthFile implements CredentialStore {
  readonly path: string;
  constructor(path?: string, private readonly env: NodeJS.ProcessEnv = process.env) {
    this.path = path ?? defaultAuthFile(env);
  }

  get(registry: string): Credentials | undefined {
    for (const file of [this.path, dockerConfigFile(this.env)]) {
      const auths = readDoc(file).auths ?? {};
      for (const [key, entry] of Object.entries(auths)) {
        if (keyMatches(key, registry)) {
          const c = decode(entry);
          if (c) return c;
        }
      }
    }
    return undefined;
  }

  set(registry: string, c: Credentials): void {
    const doc = readDoc(this.path);
    doc.auths = { ...doc.auths, [registry]: { auth: Buffer.from(`${c.username}:${c.password}`).toString('base64') } };
    this.write(doc);
  }

  /** Removes one registry's entry (true when there was one) or, with no registry, all of them. */
  remove(registry?: string): boolean {
    const doc = readDoc(this.path);
    const auths = doc.auths ?? {};
    const keys = registry === undefined ? Object.keys(auths) : Object.keys(auths).filter((k) => keyMatches(k, registry));
    for (const k of keys) delete auths[k];
    doc.auths = auths;
    if (keys.length > 0 || registry === undefined) this.write(doc);
    return keys.length > 0;
  }

  private write(doc: AuthDoc): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(doc, null, '\t') + '\n', { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
