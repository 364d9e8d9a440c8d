import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Engine } from '../engine/index.js';
import { httpStatusOf, invalidArgument, isEngineError } from '../core/errdefs.js';
import { Router } from './router.js';
import { splitVersion, API_VERSION } from './version.js';
import { sendJson, type Call, type Hijack } from './call.js';
import { registerRoutes } from './routes/index.js';
import { SKIFF_VERSION } from '../engine/index.js';
import { DEFAULT_URI, defaultUri } from './default-uri.js';
import { startStallTrace } from './stall-trace.js';

export { DEFAULT_URI };

export interface ServiceOptions {
  /** `unix:///path`, `tcp://host:port`, or `fd://` (systemd socket activation) */
  uri?: string;
  /** seconds of idleness before the service exits; 0 = never (Podman's `--time`) */
  idleSeconds?: number;
  /** group (name or gid) that owns the unix socket */
  socketGroup?: number;
  tls?: { cert: string; key: string; ca?: string };
  /** allow plain TCP on a loopback address */
  insecureTcp?: boolean;
  log?: (msg: string) => void;
  /** the service logs at debug level (`/info` reports it as Debug) */
  debug?: boolean;
  /** JSON-lines file for the event-loop stall recorder (`stall-trace.ts`); off when unset. */
  traceStalls?: string;
}

export interface RunningService {
  address: string;
  /** resolves when the service stops (idle timeout or close()) */
  closed: Promise<void>;
  close(): Promise<void>;
}

/** Headers dockerd sends on every response; clients read the version and OS from the ping. */
function commonHeaders(): Record<string, string> {
  return {
    'Api-Version': API_VERSION,
    Ostype: 'linux',
    'Docker-Experimental': 'false',
    Server: `skiff/${SKIFF_VERSION} (linux)`,
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

/**
 * A socket file left by a service that died is replaced; a live one (something answers) or a
 * path that is not a socket at all is refused rather than deleted.
 */
async function removeStaleSocket(path: string): Promise<void> {
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (!st.isSocket()) throw invalidArgument(`${path} exists and is not a socket: not replacing it`);
  const alive = await new Promise<boolean>((resolve) => {
    const s = connect(path);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
  if (alive) throw invalidArgument(`another service is already listening on ${path}`);
  rmSync(path, { force: true });
}

function readTlsFile(what: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw invalidArgument(`reading ${what} ${file}: ${(e as Error).message}`);
  }
}

/** Refuses what would expose the API (root on this host) without authentication. */
function checkTransport(url: URL, opts: ServiceOptions): void {
  if (url.protocol !== 'tcp:') {
    if (opts.tls) throw invalidArgument(`TLS options apply to tcp:// only, not ${url.protocol}//`);
    if (opts.insecureTcp) throw invalidArgument(`--insecure-tcp applies to tcp:// only, not ${url.protocol}//`);
    return;
  }
  if (opts.tls) return;
  if (!opts.insecureTcp) throw invalidArgument('tcp:// needs --tls-cert and --tls-key (or --insecure-tcp with a loopback address)');
  if (!isLoopback(url.hostname)) {
    throw invalidArgument(`--insecure-tcp only serves a loopback address (127.0.0.1, ::1, localhost), not ${url.hostname}: use TLS`);
  }
}

function writeUpgradeError(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ message }) + '\n';
  socket.end(
    `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Error'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Serves the Docker Engine API over `engine` until idle for `idleSeconds` or closed. */
export async function startService(engine: Engine, opts: ServiceOptions = {}): Promise<RunningService> {
  const log = opts.log ?? (() => undefined);
  const router = registerRoutes(new Router());
  let active = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  const idleMs = (opts.idleSeconds ?? 5) * 1000;
  let server: Server;
  const trace = opts.traceStalls ? startStallTrace(opts.traceStalls) : undefined;

  const touch = (delta: number) => {
    active += delta;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = undefined;
    if (active === 0 && idleMs > 0) idleTimer = setTimeout(() => void service.close(), idleMs).unref();
  };

  const dispatch = async (req: IncomingMessage, res: ServerResponse | undefined, hijack: Hijack | undefined) => {
    touch(1);
    const leave = trace?.enter(`${req.method} ${(req.url ?? '/').split('?')[0]!.replace(/[0-9a-f]{64}/g, '{id}')}`);
    const done = () => {
      leave?.();
      touch(-1);
    };
    if (res) res.once('close', done);
    else hijack!.socket.once('close', done);
    const url = new URL(req.url ?? '/', 'http://skiff');
    const v = splitVersion(url.pathname);
    log(`${req.method} ${req.url}`);
    const fail = (status: number, message: string) => {
      if (res) {
        if (res.headersSent) {
          if (!res.writableEnded) res.end();
          return;
        }
        for (const [k, val] of Object.entries(commonHeaders())) res.setHeader(k, val);
        sendJson(res, status, { message });
      } else writeUpgradeError(hijack!.socket, status, message);
    };
    if (res) for (const [k, val] of Object.entries(commonHeaders())) res.setHeader(k, val);
    if (v.error) return fail(400, v.error);
    const m = router.match(req.method ?? 'GET', v.path);
    if (m === undefined) return fail(404, `page not found`);
    if (m === 'method') return fail(405, `method ${req.method} not allowed for ${v.path}`);
    const call: Call = { engine, req, res, hijack, params: m.params, query: url.searchParams, version: v.version, log, debug: !!opts.debug };
    try {
      await m.handler(call);
    } catch (e) {
      const status = (e as { status?: number }).status ?? httpStatusOf(e);
      const message = e instanceof Error ? e.message : String(e);
      if (!isEngineError(e)) log(`error in ${req.method} ${v.path}: ${(e as Error)?.stack ?? message}`);
      fail(status, message);
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => void dispatch(req, res, undefined);
  const uri = opts.uri ?? defaultUri();
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw invalidArgument(`invalid service URI ${uri}: use unix:///path, tcp://host:port or fd://`);
  }
  checkTransport(url, opts);
  let address = uri;
  if (url.protocol === 'tcp:' && opts.tls) {
    const ca = opts.tls.ca ? readTlsFile('--tls-verify CA', opts.tls.ca) : undefined;
    server = createHttpsServer(
      {
        cert: readTlsFile('--tls-cert', opts.tls.cert),
        key: readTlsFile('--tls-key', opts.tls.key),
        ...(ca ? { ca, requestCert: true, rejectUnauthorized: true } : {}),
      },
      onRequest,
    );
  } else {
    server = createHttpServer(onRequest);
  }
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void dispatch(req, undefined, { socket, head }));
  // Every accepted connection, so stopping can cut them all: streams (logs -f, events), hijacked
  // attach/exec sockets (which the HTTP server no longer tracks) and TLS handshakes in progress.
  const connections = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    connections.add(s);
    s.once('close', () => connections.delete(s));
  });
  // Attach and logs streams stay open as long as the container runs.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 30_000;

  const socketPath = url.protocol === 'unix:' ? decodeURIComponent(url.pathname) : undefined;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (socketPath) {
      const path = socketPath;
      mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
      removeStaleSocket(path)
        .then(() => {
          // Created 0600 so no one else can connect before the group and mode are set.
          const umask = process.umask(0o177);
          try {
            server.listen(path, () => {
              try {
                if (opts.socketGroup !== undefined) chownSync(path, 0, opts.socketGroup);
                chmodSync(path, 0o660);
              } catch (e) {
                server.close();
                reject(e as Error);
                return;
              }
              address = `unix://${path}`;
              engine.containers.handleExitsAt(path);
              resolve();
            });
          } finally {
            process.umask(umask);
          }
        })
        .catch(reject);
    } else if (url.protocol === 'tcp:') {
      server.listen(Number(url.port || 2375), url.hostname.replace(/^\[|\]$/g, ''), () => {
        const a = server.address();
        if (a && typeof a === 'object') address = `tcp://${url.hostname}:${a.port}`;
        resolve();
      });
    } else if (url.protocol === 'fd:') {
      // systemd socket activation: the first passed descriptor is 3.
      if (process.env.LISTEN_PID !== String(process.pid) || !process.env.LISTEN_FDS) {
        reject(invalidArgument('fd:// needs a socket passed by systemd (LISTEN_PID/LISTEN_FDS)'));
        return;
      }
      server.listen({ fd: 3 }, () => resolve());
    } else {
      reject(invalidArgument(`unsupported service URI ${uri}: use unix://, tcp:// or fd://`));
    }
  });

  let closing: Promise<void> | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const service: RunningService = {
    address,
    closed,
    close() {
      closing ??= new Promise<void>((resolve) => {
        if (idleTimer) clearTimeout(idleTimer);
        // First, so that new clients find no socket rather than one that no longer answers.
        if (socketPath) rmSync(socketPath, { force: true });
        if (socketPath) engine.containers.handleExitsAt(undefined);
        trace?.close();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of connections) s.destroy();
      }).then(resolveClosed);
      return closing;
    },
  };
  touch(0);
  return service;
}
