// The two sides the API benches time the docker CLI against: skiff's `system service` on a private
// root and socket, and a private dockerd 20.10 (test/helpers/dockerd.ts: its own data-root,
// exec-root, pid file, socket and the containerd it supervises), both holding the same busybox
// image (`skiff import`, `skiff save`, `docker load`). bench/api-run.ts describes the dockerd set-up.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { hasBinary, makeEnv, SKIFF_BIN, type TestEnv } from '../test/helpers/env.js';
import { makeBusyboxTar } from '../test/helpers/busybox.js';
import { startDockerd, type Dockerd } from '../test/helpers/dockerd.js';

export const DOCKER = process.env.DOCKER_CLI ?? 'docker';

export interface Sides {
  env: TestEnv;
  skiffEnv: NodeJS.ProcessEnv;
  dockerEnv: NodeJS.ProcessEnv;
  serviceLog: string;
  stop(): Promise<void>;
}

export const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
export const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
export const p90 = (xs: number[]) => sorted(xs)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.9) - 1)]!;

/** Exits with a message unless dockerd, the docker CLI and no system containerd are there. */
export function checkPeers(): void {
  if (!hasBinary('dockerd')) {
    console.error('dockerd is not installed; install Debian\'s docker.io first: apt-get install -y docker.io');
    process.exit(1);
  }
  if (!hasBinary(DOCKER)) {
    console.error(`the docker CLI (${DOCKER}) is not installed`);
    process.exit(1);
  }
  if (existsSync('/run/containerd/containerd.sock')) {
    console.error('a system containerd is running (/run/containerd/containerd.sock); dockerd would share it instead of starting its own');
    process.exit(1);
  }
}

export async function waitForSocket(path: string, proc: ChildProcess, what: string, logFile: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`${what} exited (${proc.exitCode ?? proc.signalCode}): ${readFileSync(logFile, 'utf8').slice(-3000)}`);
    }
    const up = await new Promise<boolean>((res) => {
      const s = connect(path);
      s.once('connect', () => (s.destroy(), res(true)));
      s.once('error', () => res(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not listen on ${path}: ${readFileSync(logFile, 'utf8').slice(-3000)}`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcess(proc: ChildProcess | undefined, graceMs: number): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const gone = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

/**
 * Starts both sides with `image` in each. SKIFF_SERVICE_ARGS (space-separated) go before the
 * service's own arguments to node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
 */
export async function startSides(image: string, prefix: string): Promise<Sides> {
  const env = makeEnv(prefix);
  let dockerd: Dockerd | undefined;
  let service: ChildProcess | undefined;
  const stop = async () => {
    try {
      await stopProcess(service, 10_000);
      await dockerd?.stop();
    } finally {
      env.cleanup();
    }
  };
  try {
    const skiffSock = join(env.dir, 'skiff.sock');
    const d = (p: string) => join(env.dir, p);
    mkdirSync(d('docker-config'));
    const cli = { PATH: process.env.PATH, HOME: env.dir, DOCKER_BUILDKIT: '0', DOCKER_CONFIG: d('docker-config') };
    const tar = makeBusyboxTar(env.dir, d('busybox.tar'));
    for (const args of [['import', '-c', 'CMD ["/bin/sh"]', tar, image], ['save', '-o', d('image.tar'), image]]) {
      const r = env.run(args);
      if (r.code !== 0) throw new Error(`skiff ${args[0]}: ${r.stderr}`);
    }
    dockerd = await startDockerd(d('dockerd'));
    dockerd.load(d('image.tar'));
    const serviceLog = d('service.log');
    const nodeArgs = (process.env.SKIFF_SERVICE_ARGS ?? '').split(' ').filter(Boolean);
    service = spawn(process.execPath, [...nodeArgs, SKIFF_BIN, 'system', 'service', '--time', '0', `unix://${skiffSock}`], {
      env: env.env,
      stdio: ['ignore', openSync(serviceLog, 'a'), openSync(serviceLog, 'a')],
    });
    await waitForSocket(skiffSock, service, 'skiff system service', serviceLog);
    return { env, skiffEnv: { ...cli, DOCKER_HOST: `unix://${skiffSock}` }, dockerEnv: { ...cli, DOCKER_HOST: `unix://${dockerd.socket}` }, serviceLog, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The CLI's and each server's versions, as a line for the record. */
export function versions(e: NodeJS.ProcessEnv): string {
  return spawnSync(DOCKER, ['version', '--format', '{{.Client.Version}} / {{.Server.Version}} (API {{.Server.APIVersion}})'], { env: e, encoding: 'utf8' }).stdout.trim();
}
