// A real docker-registry on loopback, a recording/tampering/throttling proxy in front of it,
// and a busybox image imported into a skiff root to push.
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { createServer as createNetServer, connect } from 'node:net';
import { createServer, request, type Server } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { makeEnv, type TestEnv } from '../../helpers/env.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';

export async function freePort(): Promise<number> {
  const s = createNetServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  s.close();
  return port;
}

export interface Registry {
  host: string;
  proc: ChildProcess;
  stop(): void;
}

export interface TokenAuth {
  realm: string;
  service: string;
  issuer: string;
  /** PEM certificate(s) the token signer's x5c chain must lead to */
  rootCertBundle: string;
}

export interface RegistryTls {
  cert: string;
  key: string;
  /** CA file client certificates must chain to: the registry then refuses clients without one */
  clientCa?: string;
}

/** Is something accepting connections on the port? (A TLS registry asking for client certificates answers no plain request.) */
function listening(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      res(true);
    });
    s.on('error', () => res(false));
  });
}

/** Does the registry answer on /v2/ over plain HTTP? */
function answers(port: number): Promise<boolean> {
  return new Promise((res) => {
    const r = request({ host: '127.0.0.1', port, path: '/v2/' }, (x) => {
      x.resume();
      res(true);
    });
    r.on('error', () => res(false));
    r.end();
  });
}

/**
 * Starts /usr/bin/docker-registry with filesystem storage under `dir`; `htpasswd` adds Basic
 * auth, `token` Bearer token auth against a token service, `tls` serves HTTPS only.
 */
export async function startRegistry(
  dir: string,
  opts: { htpasswd?: { user: string; password: string }; token?: TokenAuth; tls?: RegistryTls } = {},
): Promise<Registry> {
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const port = await freePort();
  let auth = '';
  if (opts.htpasswd) {
    const file = join(dir, 'htpasswd');
    execFileSync('htpasswd', ['-Bbc', file, opts.htpasswd.user, opts.htpasswd.password], { stdio: 'ignore' });
    auth = `auth:\n  htpasswd:\n    realm: skiff-test\n    path: ${file}\n`;
  }
  if (opts.token) {
    const t = opts.token;
    auth = `auth:\n  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${t.rootCertBundle}\n`;
  }
  let tls = '';
  if (opts.tls) {
    tls = `  tls:\n    certificate: ${opts.tls.cert}\n    key: ${opts.tls.key}\n`;
    if (opts.tls.clientCa) tls += `    clientcas:\n      - ${opts.tls.clientCa}\n`;
  }
  const conf = join(dir, 'config.yml');
  writeFileSync(
    conf,
    `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'storage')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${tls}${auth}`,
  );
  const proc = spawn('/usr/bin/docker-registry', ['serve', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (d) => (log += d));
  for (let i = 0; i < 100; i++) {
    const up = opts.tls ? await listening(port) : await answers(port);
    if (up) return { host: `127.0.0.1:${port}`, proc, stop: () => proc.kill() };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  throw new Error(`docker-registry did not start: ${log}`);
}

export interface Logged {
  method: string;
  url: string;
  range?: string;
  status: number;
}

export interface Proxy {
  host: string;
  log: Logged[];
  /** blob digest → corrupt one byte of it */
  corrupt: Set<string>;
  /** blob digest → bytes/second */
  throttle: Map<string, number>;
  blobGets(): Logged[];
  close(): Promise<void>;
}

/** An HTTP proxy in front of the registry that records every request and can corrupt or slow blobs. */
export async function startProxy(target: string): Promise<Proxy> {
  const [thost, tport] = target.split(':');
  const log: Logged[] = [];
  const corrupt = new Set<string>();
  const throttle = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const digest = /\/blobs\/(sha256:[a-f0-9]{64})$/.exec(req.url ?? '')?.[1];
    const entry: Logged = { method: req.method!, url: req.url!, status: 0, ...(req.headers.range ? { range: req.headers.range } : {}) };
    log.push(entry);
    const up = request(
      { host: thost, port: Number(tport), method: req.method, path: req.url, headers: { ...req.headers, host: target } },
      (ures) => {
        entry.status = ures.statusCode ?? 0;
        const headers = { ...ures.headers };
        if (headers.location) headers.location = headers.location.replace(target, req.headers.host ?? target);
        res.writeHead(ures.statusCode ?? 502, headers);
        const rate = digest && req.method === 'GET' ? throttle.get(digest) : undefined;
        let flipped = false;
        // A paused stream still emits 'end' once it has nothing buffered: the response ends only
        // after the last throttled slice is out, or the client would see a short body.
        let slicing = false;
        let ended = false;
        ures.on('data', (chunk: Buffer) => {
          if (digest && req.method === 'GET' && corrupt.has(digest) && !flipped && chunk.length > 0) {
            chunk = Buffer.from(chunk);
            chunk[chunk.length >> 1]! ^= 0xff;
            flipped = true;
          }
          if (rate) {
            ures.pause();
            slicing = true;
            // Small slices so the client sees steady progress.
            const slices: Buffer[] = [];
            for (let o = 0; o < chunk.length; o += 4096) slices.push(chunk.subarray(o, o + 4096));
            const push = () => {
              const s = slices.shift();
              if (!s) {
                slicing = false;
                return ended ? res.end() : ures.resume();
              }
              if (!res.write(s)) res.once('drain', () => setTimeout(push, (s.length / rate) * 1000));
              else setTimeout(push, (s.length / rate) * 1000);
            };
            push();
          } else res.write(chunk);
        });
        ures.on('end', () => {
          ended = true;
          if (!slicing) res.end();
        });
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    log,
    corrupt,
    throttle,
    blobGets: () => log.filter((l) => l.method === 'GET' && /\/blobs\/sha256:/.test(l.url)),
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** stdout of `skiff ARGS` in `env`, which must succeed. */
export function ok(env: TestEnv, args: string[]): string {
  const r = env.run(args);
  assert.equal(r.code, 0, `skiff ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** stdout of `skopeo ARGS`, which must succeed. */
export function skopeo(args: string[]): string {
  const r = spawnSync('skopeo', args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `skopeo ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

export interface RegistryRoots {
  /** holds busybox as bb:latest */
  a: TestEnv;
  /** starts empty */
  b: TestEnv;
  /** runs under a's dir */
  reg: Registry;
  /** busybox's rootfs tar, in a's dir */
  busybox: string;
  stop(): void;
}

/** Two skiff roots and a registry; busybox is imported into the first with `changes` (`-c ...`). */
export async function registryRoots(prefix: string, second: string, changes: string[]): Promise<RegistryRoots> {
  const a = makeEnv(`${prefix}a-`);
  const b = makeEnv(`${prefix}${second}-`);
  const reg = await startRegistry(join(a.dir, 'registry'));
  const busybox = makeBusyboxTar(a.dir, join(a.dir, 'busybox.tar'));
  ok(a, ['import', ...changes, busybox, 'bb:latest']);
  return {
    a,
    b,
    reg,
    busybox,
    stop() {
      reg.stop();
      a.cleanup();
      b.cleanup();
    },
  };
}
