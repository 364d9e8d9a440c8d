// Shared set-up for the API tests: a container env (its own roots, a busybox image, a private
// copy of the CLI) with `skiff system service` serving it on a unix socket, and the real
// docker CLI pointed at that socket. Stopping checks that nothing is left behind.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { containerEnv, waitFor, type ContainerEnv } from '../containers/fixtures.js';
import { privateNetworkConfig } from '../network/fixtures.js';
import type { RunResult } from '../../helpers/env.js';

export { IMAGE, waitFor } from '../containers/fixtures.js';

export interface ApiEnv extends ContainerEnv {
  socket: string;
  /** The environment for docker clients: DOCKER_HOST, DOCKER_BUILDKIT=0, a private DOCKER_CONFIG. */
  clientEnv: NodeJS.ProcessEnv;
  /** Runs the docker CLI against the service. */
  docker(args: string[], opts?: { input?: string | Buffer; timeoutMs?: number }): RunResult;
  dockerAsync(args: string[], opts?: { input?: string }): Promise<RunResult>;
  /** Like docker(), failing the test unless it exits 0; returns stdout. */
  dockerOk(args: string[], input?: string): string;
  /** One raw API request over the socket. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string; json(): unknown }>;
  /** Stops the service, removes every container and checks nothing is left. */
  stop(): Promise<void>;
}

export function hasDocker(): boolean {
  return spawnSync('sh', ['-c', 'command -v docker']).status === 0;
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** `opts.env` is added to the service's environment (a signature policy, registries.d). */
export async function apiEnv(prefix = 'skiff-api-', opts: { env?: NodeJS.ProcessEnv } = {}): Promise<ApiEnv> {
  const env = containerEnv(prefix);
  // Published ports and service names need addresses no other test's root hands out too.
  privateNetworkConfig(env.dir);
  const socket = join(env.dir, 'api.sock');
  const service: ChildProcess = spawn(process.execPath, [env.bin, 'system', 'service', '--time', '0', `unix://${socket}`], {
    env: { ...env.env, ...opts.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let serviceErr = '';
  service.stderr!.on('data', (d: Buffer) => (serviceErr += d.toString()));
  await waitFor(async () => ((await socketAnswers(socket)) ? true : undefined), 20_000, 'the API socket').catch((e: Error) => {
    throw new Error(`${e.message}: ${serviceErr}`);
  });
  const dockerConfig = join(env.dir, 'docker-config');
  mkdirSync(dockerConfig, { recursive: true });
  const clientEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DOCKER_HOST: `unix://${socket}`,
    DOCKER_BUILDKIT: '0',
    DOCKER_CONFIG: dockerConfig,
    TESTCONTAINERS_RYUK_DISABLED: 'true',
    TESTCONTAINERS_HOST_OVERRIDE: 'localhost',
  };
  const docker = (args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): RunResult => {
    const r = spawnSync('docker', args, {
      env: clientEnv,
      input: opts.input,
      encoding: 'utf8',
      timeout: opts.timeoutMs ?? 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
  };
  const api: ApiEnv['api'] = (method, path, body) =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const req = request(
        { socketPath: socket, agent: false, method, path, headers: data === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as unknown });
          });
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  return {
    ...env,
    socket,
    clientEnv,
    docker,
    dockerAsync(args, opts = {}) {
      return new Promise((resolve) => {
        const p = spawn('docker', args, { env: clientEnv });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        p.on('close', (code) => resolve({ code: code ?? 128, stdout, stderr }));
        p.stdin.end(opts.input);
      });
    },
    dockerOk(args, input) {
      const r = docker(args, input === undefined ? {} : { input });
      assert.equal(r.code, 0, `docker ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return r.stdout;
    },
    api,
    async stop() {
      try {
        service.kill('SIGTERM');
        const exited = await waitFor(() => (service.exitCode !== null || service.signalCode !== null ? true : undefined), 10_000, 'the service to stop').catch(() => false);
        if (!exited) service.kill('SIGKILL');
        assert.ok(exited, `the service did not stop on SIGTERM: ${serviceErr}`);
      } finally {
        await env.teardown();
      }
    },
  };
}
