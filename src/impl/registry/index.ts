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
export { AuthFile, defaultAuthFile } from './auth-file.js';

/** Clients are per host, so a pull of several repositories shares scheme, challenge and tokens. */
export class Registries {
  private readonly clients = new Map<string, RegistryClient>();
  private readonly agents = new Agents();
  constructor(private readonly opts: RegistryOptions) {}

  client(host: string): RegistryClient {
    let c = this.clients.get(host);
    if (!c) this.clients.set(host, (c = new RegistryClient(host, this.opts, this.agents)));
    return c;
  }

  /** Ends kept-alive connections: call when the transfer is over. */
  close(): void {
    this.agents.destroy();
  }

  repository(host: string, repo: string, push = false): RemoteRepository {
    return new RemoteRepository(this.client(host), repo, push);
  }
}
