// A private dockerd (Debian's docker.io, 20.10) as a reference for what skiff's API service should
// do: its own --data-root, --exec-root, pid file, config file and unix socket under `dir`, no
// iptables rules and no default bridge (user-defined networks, as compose makes, still work).
// Started as bench/api-run.ts starts it; stopping removes what it made (containers, volumes,
// networks), stops it and the containerd it supervises, and leaves no mount below `dir`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { hasBinary, type RunResult } from './env.js';
import { need, tool, type Need } from './requires.js';

/** What a test needs to run a reference dockerd: the daemon, the CLI, and no system containerd it would share. */
export function dockerdNeeds(): Need[] {
  return [
    tool('dockerd'),
    tool('docker'),
    need(!existsSync('/run/containerd/containerd.sock'), 'no system containerd', 'a system containerd would be shared by the private dockerd; stop it'),
  ];
}

export interface Dockerd {
  socket: string;
  /** The environment for docker clients talking to this dockerd. */
  clientEnv: NodeJS.ProcessEnv;
  docker(args: string[], opts?: { input?: string; timeoutMs?: number }): RunResult;
  /** Like docker(), throwing unless it exits 0; returns stdout. */
  dockerOk(args: string[]): string;
  /** Loads an image archive (`skiff save` / `docker save`). */
  load(archive: string): void;
  log(): string;
  stop(): Promise<void>;
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function stopProcess(p: ChildProcess, graceMs: number): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

function killPidFile(file: string): void {
  if (!existsSync(file)) return;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!(pid > 1)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Starts dockerd with everything under `dir` (which the caller removes afterwards, e.g. with removeTree). */
export async function startDockerd(dir: string): Promise<Dockerd> {
  if (!hasBinary('dockerd')) throw new Error('dockerd is not installed (Debian docker.io)');
  mkdirSync(dir, { recursive: true });
  const d = (p: string) => join(dir, p);
  const socket = d('docker.sock');
  mkdirSync(d('docker-config'), { recursive: true });
  // Its own config file keeps /etc/docker/daemon.json out.
  writeFileSync(d('daemon.json'), '{}\n');
  const logFile = d('dockerd.log');
  const proc = spawn(
    'dockerd',
    [
      '--config-file', d('daemon.json'),
      '--data-root', d('data'),
      '--exec-root', d('exec'),
      '--pidfile', d('docker.pid'),
      '-H', `unix://${socket}`,
      '--iptables=false',
      '--bridge=none',
    ],
    { stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')] },
  );
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-4000) : '');
  const clientEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DOCKER_HOST: `unix://${socket}`,
    DOCKER_BUILDKIT: '0',
    DOCKER_CONFIG: d('docker-config'),
  };
  const docker = (args: string[], opts: { input?: string; timeoutMs?: number } = {}): RunResult => {
    const r = spawnSync('docker', args, { env: clientEnv, input: opts.input, encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000 });
    return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
  };
  const dockerOk = (args: string[]): string => {
    const r = docker(args);
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')} (private dockerd) exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  const stop = async () => {
    try {
      if (proc.exitCode === null && proc.signalCode === null) {
        // What it mounted for containers and volumes goes with them.
        const ids = docker(['ps', '-aq']).stdout.split('\n').filter(Boolean);
        if (ids.length) docker(['rm', '-f', '-v', ...ids]);
        const vols = docker(['volume', 'ls', '-q']).stdout.split('\n').filter(Boolean);
        if (vols.length) docker(['volume', 'rm', '-f', ...vols]);
        docker(['network', 'prune', '-f']);
      }
    } finally {
      // dockerd stops its containerd on SIGTERM; a crashed dockerd leaves it to us.
      await stopProcess(proc, 20_000);
      killPidFile(d('exec/containerd/containerd.pid'));
    }
  };
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`dockerd exited (${proc.exitCode ?? proc.signalCode}): ${log()}`);
    if (await socketAnswers(socket)) break;
    if (i > 1200) {
      await stop();
      throw new Error(`dockerd did not listen on ${socket}: ${log()}`);
    }
    await delay(50);
  }
  return {
    socket,
    clientEnv,
    docker,
    dockerOk,
    load(archive) {
      dockerOk(['load', '-i', archive]);
    },
    log,
    stop,
  };
}
