import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { chmodSync, chownSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Engine } from '../engine/index.js';
import { httpStatusOf, invalidArgument, isEngineError } from '../core/errdefs.js';
import { Router } from './router.js';
import { splitVersion, API_VERSION } from './version.js';
import { sendJson, type Call, type Hijack } from './call.js';
import { registerRoutes } from './routes/index.js';
import { SKIFF_VERSION } from '../engine/index.js';

export const DEFAULT_URI = 'unix:///run/skiff/skiff.sock';

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

async function removeStaleSocket(path: string): Promise<void> {
  const alive = await new Promise<boolean>((resolve) => {
    const s = connect(path);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
  if (alive) throw invalidArgument(`another service is already listening on ${path}`);
  rmSync(path, { force: true });
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

  const touch = (delta: number) => {
    active += delta;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = undefined;
    if (active === 0 && idleMs > 0) idleTimer = setTimeout(() => void service.close(), idleMs).unref();
  };

  const dispatch = async (req: IncomingMessage, res: ServerResponse | undefined, hijack: Hijack | undefined) => {
    touch(1);
    const done = () => touch(-1);
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
    const call: Call = { engine, req, res, hijack, params: m.params, query: url.searchParams, version: v.version, log };
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
  const uri = opts.uri ?? DEFAULT_URI;
  const url = new URL(uri);
  let address = uri;
  if (url.protocol === 'tcp:' && opts.tls) {
    server = createHttpsServer(
      {
        cert: readFileSync(opts.tls.cert),
        key: readFileSync(opts.tls.key),
        ...(opts.tls.ca ? { ca: readFileSync(opts.tls.ca), requestCert: true, rejectUnauthorized: true } : {}),
      },
      onRequest,
    );
  } else {
    server = createHttpServer(onRequest);
  }
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void dispatch(req, undefined, { socket, head }));
  // Attach and logs streams stay open as long as the container runs.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (url.protocol === 'unix:') {
      const path = decodeURIComponent(url.pathname);
      mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
      removeStaleSocket(path)
        .then(() =>
          server.listen(path, () => {
            chmodSync(path, 0o660);
            if (opts.socketGroup !== undefined) chownSync(path, 0, opts.socketGroup);
            address = `unix://${path}`;
            resolve();
          }),
        )
        .catch(reject);
    } else if (url.protocol === 'tcp:') {
      if (!opts.tls && !(opts.insecureTcp && isLoopback(url.hostname))) {
        reject(invalidArgument('tcp:// needs --tls-cert and --tls-key, or --insecure-tcp with a loopback address'));
        return;
      }
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
        server.close(() => resolve());
        server.closeAllConnections();
        if (url.protocol === 'unix:') rmSync(decodeURIComponent(url.pathname), { force: true });
      }).then(resolveClosed);
      return closing;
    },
  };
  touch(0);
  return service;
}
