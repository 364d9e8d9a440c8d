// Per-test storage root, run root and CLI runner: every test gets its own dirs and removes them.
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { releaseOctets } from './octets.js';

export const REPO = resolve(import.meta.dirname, '../..');
export const SKIFF_BIN = join(REPO, 'bin/skiff');

export interface TestEnv {
  dir: string;
  root: string;
  runroot: string;
  env: NodeJS.ProcessEnv;
  /** Runs `skiff` synchronously with this env's roots. */
  run(args: string[], opts?: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string }): RunResult;
  /** Runs `skiff` asynchronously (for concurrency tests). */
  runAsync(args: string[], opts?: { env?: NodeJS.ProcessEnv }): Promise<RunResult>;
  cleanup(): void;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Unmounts everything below `dir` (deepest first), then removes it. */
export function removeTree(dir: string): void {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((m): m is string => !!m && (m === dir || m.startsWith(dir + '/')))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) spawnSync('umount', ['-l', m]);
  rmSync(dir, { recursive: true, force: true });
  releaseOctets(dir);
}


export function makeEnv(prefix = 'skiff-test-'): TestEnv {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const root = join(dir, 'root');
  const runroot = join(dir, 'run');
  // Its own config file, so the machine's /etc/skiff/skiff.conf never leaks into a test.
  writeFileSync(join(dir, 'skiff.conf'), '[storage]\ndriver = "overlay"\n');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SKIFF_ROOT: root,
    SKIFF_RUNROOT: runroot,
    SKIFF_CONFIG: join(dir, 'skiff.conf'),
  };
  return {
    dir,
    root,
    runroot,
    env,
    run(args, opts = {}) {
      const r = spawnSync(process.execPath, [SKIFF_BIN, ...args], {
        env: { ...env, ...opts.env },
        input: opts.input,
        cwd: opts.cwd,
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      });
      return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
    },
    runAsync(args, opts = {}) {
      return new Promise((res) => {
        const p = spawn(process.execPath, [SKIFF_BIN, ...args], { env: { ...env, ...opts.env } });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d) => (stdout += d));
        p.stderr.on('data', (d) => (stderr += d));
        p.on('close', (code) => res({ code: code ?? 128, stdout, stderr }));
      });
    },
    cleanup() {
      removeTree(dir);
    },
  };
}

export function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

export function sh(cmd: string, opts: { cwd?: string } = {}): string {
  return execFileSync('sh', ['-c', cmd], { encoding: 'utf8', cwd: opts.cwd, maxBuffer: 256 * 1024 * 1024 });
}
