/**
 * @module registry
 * An OCI distribution client: ping, auth (anonymous, Basic, Bearer), Resolver, Fetcher and
 * Pusher per repository, and the auth.json credential files.
 */
import type { RegistryOptions } from '../../core/remotes/remotes.js';
import { RegistryClient } from './client.js';
import { RemoteRepository } from './remote.js';
import { Agents } from './http.js';

export { RegistryClient, isLoopback } from './client.js';
export { RemoteRepository } from './remote.js';
export { isIdleTimeout } from './limits.js';
export { AuthFile, defaultAuthFile } from './auth-file.js';
export { loadRegistriesConf, expandShortName, pullSources, pushTarget, type RegistriesConf, type Source } from './registries-conf.js';

/** Clients are per host, so a pull of several repositories shares scheme, challenge and tokens. */
export class Registries {
  private readonly clients = new Map<string, RegistryClient>();
  private readonly agents = new Agents();
  constructor(private readonly opts: RegistryOptions) {}

  /** `insecure`: registries.conf allows plain HTTP and unverified TLS for this host. */
  client(host: string, insecure = false): RegistryClient {
    let c = this.clients.get(host);
    if (!c) {
      const opts = insecure ? { ...this.opts, tlsVerify: false } : this.opts;
      this.clients.set(host, (c = new RegistryClient(host, opts, this.agents)));
    }
    return c;
  }

  /** Ends kept-alive connections: call when the transfer is over. */
  close(): void {
    this.agents.destroy();
  }

  repository(host: string, repo: string, push = false, insecure = false): RemoteRepository {
    return new RemoteRepository(this.client(host, insecure), repo, push);
  }
}
