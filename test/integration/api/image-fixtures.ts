// The API service on a private socket over a private root, the real docker CLI pointed at it,
// and a raw HTTP helper for what the CLI does not show (status codes, JSON shapes).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { killQuietly, processesUnder } from '../containers/fixtures.js';
import { privateNetworkConfig } from '../network/fixtures.js';
import { makeEnv, SKIFF_BIN, type RunResult, type TestEnv } from '../../helpers/env.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  /** the body parsed as JSON, or undefined */
  json: unknown;
}

export interface ApiService {
  env: TestEnv;
  sock: string;
  proc: ChildProcess;
  /** runs the docker CLI against the service (legacy builder, private config dir) */
  docker(args: string[], opts?: { input?: string | Buffer; cwd?: string }): RunResult;
  /** runs the docker CLI and fails the test unless it exits 0 */
  dockerOk(args: string[], opts?: { input?: string | Buffer; cwd?: string }): string;
  api(method: string, path: string, opts?: { body?: unknown; headers?: Record<string, string> }): Promise<ApiResponse>;
  /** skiff's own CLI on the same root */
  skiff(args: string[]): string;
  stop(): Promise<void>;
}

async function waitForSocket(path: string, proc: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`skiff system service exited ${proc.exitCode}: ${log()}`);
    const up = await new Promise<boolean>((res) => {
      const s = connect(path);
      s.once('connect', () => (s.destroy(), res(true)));
      s.once('error', () => res(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the service did not listen on ${path}: ${log()}`);
}

export function apiRequest(
  sock: string,
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const raw = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : typeof opts.body === 'string' ? Buffer.from(opts.body) : Buffer.from(JSON.stringify(opts.body));
  const headers: Record<string, string> = { ...(raw && !Buffer.isBuffer(opts.body) ? { 'Content-Type': 'application/json' } : {}), ...opts.headers };
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: sock, method, path, headers: { ...headers, ...(raw ? { 'Content-Length': String(raw.length) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(raw);
  });
}

/** JSON-lines stream body (pull, push, load, build) as objects. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export async function startApiService(prefix: string): Promise<ApiService> {
  const env = makeEnv(prefix);
  privateNetworkConfig(env.dir);
  const sock = join(env.dir, 'api.sock');
  const proc = spawn(process.execPath, [SKIFF_BIN, '--log-level', 'debug', 'system', 'service', '--time', '0', `unix://${sock}`], {
    env: env.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  proc.stderr!.on('data', (d) => (log = (log + d).slice(-20000)));
  await waitForSocket(sock, proc, () => log);
  const dockerConfig = join(env.dir, 'docker-config');
  mkdirSync(dockerConfig, { recursive: true });
  const dockerEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: env.dir, DOCKER_HOST: `unix://${sock}`, DOCKER_BUILDKIT: '0', DOCKER_CONFIG: dockerConfig };
  const docker = (args: string[], opts: { input?: string | Buffer; cwd?: string } = {}): RunResult => {
    const r = spawnSync('docker', args, { env: dockerEnv, input: opts.input, cwd: opts.cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
  };
  return {
    env,
    sock,
    proc,
    docker,
    dockerOk(args, opts) {
      const r = docker(args, opts);
      assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}\n${r.stdout}\nservice log tail:\n${log.slice(-3000)}`);
      return r.stdout;
    },
    api: (method, path, opts) => apiRequest(sock, method, path, opts),
    skiff(args) {
      const r = env.run(args);
      assert.equal(r.code, 0, `skiff ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    },
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
      // Builds and pulls start no container that outlives them; anything left is a leak to stop.
      for (const pid of [...processesUnder(env.dir, 'conmon'), ...processesUnder(env.dir, 'aardvark-dns')]) killQuietly(pid);
      env.cleanup();
    },
  };
}

/** Imports a busybox root filesystem as `name` into the service's root. */
export function importBusybox(s: ApiService, name = 'busybox:local'): string {
  const tar = makeBusyboxTar(s.env.dir, join(s.env.dir, 'busybox.tar'));
  return s.skiff(['import', '-c', 'CMD ["/bin/sh"]', tar, name]).trim();
}
