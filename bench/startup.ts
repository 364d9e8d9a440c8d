// CLI start-up: `skiff images` (on a root with one image) against bare `node -e 0`.
// Target: within 30 ms of bare Node. Run: node --import tsx bench/startup.ts
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeEnv } from '../test/helpers/env.js';
import { makeBusyboxTar } from '../test/helpers/busybox.js';

const RUNS = Number(process.env.RUNS ?? 30);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const env = makeEnv('skiff-bench-');
try {
  const tar = makeBusyboxTar(env.dir, join(env.dir, 'bb.tar'));
  if (env.run(['import', tar, 'bench:1']).code !== 0) throw new Error('import failed');
  const bin = join(import.meta.dirname, '../bin/skiff');
  const cases: [string, string, string[]][] = [
    ['node -e 0', process.execPath, ['-e', '0']],
    ['skiff version', process.execPath, [bin, 'version']],
    ['skiff images', process.execPath, [bin, 'images']],
    ['skiff image inspect', process.execPath, [bin, 'image', 'inspect', 'bench:1']],
  ];
  // Interleaved rounds, so a change in the machine's speed affects every command alike.
  const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (const [, cmd, args] of cases) time(cmd, args, env.env);
  for (let i = 0; i < RUNS; i++) {
    for (const [name, cmd, args] of cases) samples.get(name)!.push(time(cmd, args, env.env));
  }
  const results = new Map([...samples].map(([name, xs]) => [name, median(xs)] as const));
  const base = results.get('node -e 0')!;
  console.log(`| command | median ms (${RUNS} runs) | over bare node |`);
  console.log('|---|---|---|');
  for (const [name, ms] of results) console.log(`| ${name} | ${ms.toFixed(1)} | ${(ms - base).toFixed(1)} ms |`);
} finally {
  env.cleanup();
}
