/**
 * @module lib/docker-api
 * `serveDockerApi`: the Docker Engine REST API (what `skiff system service` serves) over an
 * engine of this process, for the docker CLI, docker-compose, dockerode and the like.
 */
import type { Engine } from './engine.js';
import { internalOf } from './engine.js';

export interface DockerApiOptions {
  /** `unix:///path` (default /run/skiff/skiff.sock), `tcp://host:port`, or `fd://` (systemd socket activation). */
  uri?: string;
  /** Seconds without a request before the server closes itself; 0 (default) serves until `close()`. */
  idleSeconds?: number;
  /** Group id owning the unix socket (mode 0660). */
  socketGroup?: number;
  /** Certificate and key (PEM files) for `tcp://`; `ca` requires client certificates signed by it. */
  tls?: { cert: string; key: string; ca?: string };
  /** Plain HTTP on a loopback `tcp://` address (the API is root on this host: never on others). */
  insecureTcp?: boolean;
  /** Debug lines of the server. */
  log?: (message: string) => void;
}

export interface DockerApiServer {
  /** Where it listens (`unix:///…`, `tcp://…`). */
  readonly address: string;
  /** Settles when the server has stopped (idle timeout or `close()`). */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/** Starts serving; resolves once the server listens. */
export async function serveDockerApi(engine: Engine, opts: DockerApiOptions = {}): Promise<DockerApiServer> {
  const internal = internalOf(engine);
  const { startService } = await import('../api/index.js');
  const s = await startService(internal, { ...opts, idleSeconds: opts.idleSeconds ?? 0 });
  return { address: s.address, closed: s.closed, close: () => s.close() };
}
