import { notFound } from '../../core/errdefs.js';
import { AuthFile, RegistryClient } from '../../impl/registry/index.js';
import type { LoginOptions, RemoteOptions } from './remote-types.js';

/** `login`: the credentials are checked against the registry's /v2/ before they are stored. */
export async function registryLogin(registry: string, opts: LoginOptions): Promise<void> {
  const host = registry.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  const creds = { username: opts.username, password: opts.password };
  const client = new RegistryClient(host, { tlsVerify: opts.tlsVerify, certDir: opts.certDir, credentials: { get: () => creds }, userAgent: 'skiff' });
  try {
    await client.checkLogin();
  } finally {
    client.close();
  }
  if (opts.store !== false) new AuthFile(opts.authfile).set(host, creds);
}

/** `logout REGISTRY` or `logout --all`. */
export function registryLogout(registry: string | undefined, opts: RemoteOptions): void {
  const file = new AuthFile(opts.authfile);
  if (registry === undefined) {
    file.remove();
    return;
  }
  const host = registry.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (!file.remove(host)) throw notFound(`not logged into ${host}`);
}
