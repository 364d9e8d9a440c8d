// N (50) `docker run --rm --network none IMAGE true` started at once against skiff's API service
// and against a private dockerd 20.10 (bench/api-sides.ts), ROUNDS (3) rounds interleaved, who
// goes first alternating. Reports each side's total time (first start to last exit) and every
// failure. Target (issue 20): all complete with no error, skiff's total ≤ dockerd's.
// Run: node --import tsx bench/api-concurrent.ts   (N=50 ROUNDS=3; NETWORK=default drops --network none)
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { checkPeers, DOCKER, median, startSides, versions } from './api-sides.js';

const N = Number(process.env.N ?? 50);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const IMAGE = 'bench/busybox:1';
const NET = process.env.NETWORK === 'default' ? [] : ['--network', 'none'];
const SETTLE_MS = 2000;

checkPeers();

function run(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((res) => {
    const p = spawn(DOCKER, ['run', '--rm', ...NET, IMAGE, 'true'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => res(code === 0 ? undefined : `exit ${code}: ${err.trim()}`));
  });
}

async function batch(env: NodeJS.ProcessEnv): Promise<{ ms: number; errors: string[] }> {
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const t = process.hrtime.bigint();
  const out = await Promise.all(Array.from({ length: N }, () => run(env)));
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, errors: out.filter((e): e is string => e !== undefined) };
}

const sides = await startSides(IMAGE, 'skiff-bench-api-conc-');
try {
  const { skiffEnv, dockerEnv } = sides;
  console.log(`docker CLI / dockerd: ${versions(dockerEnv)}`);
  console.log(`docker CLI / skiff:   ${versions(skiffEnv)}`);
  const loadAvg = () => loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`load average before: ${loadAvg()}\n`);
  const sk: number[] = [];
  const dk: number[] = [];
  const failures: string[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 === 0 ? (['skiff', 'dockerd'] as const) : (['dockerd', 'skiff'] as const);
    for (const side of order) {
      const r = await batch(side === 'skiff' ? skiffEnv : dockerEnv);
      (side === 'skiff' ? sk : dk).push(r.ms);
      for (const e of r.errors) failures.push(`${side} round ${i}: ${e}`);
      console.log(`round ${i} ${side}: ${r.ms.toFixed(0)} ms, ${r.errors.length} failed`);
    }
  }
  console.log(`\n| side | total ms per round | median | failures |`);
  console.log('|---|---|---|---|');
  const row = (name: string, xs: number[], side: string) =>
    console.log(`| ${name} | ${xs.map((x) => x.toFixed(0)).join(', ')} | ${median(xs).toFixed(0)} | ${failures.filter((f) => f.startsWith(side)).length} |`);
  row('skiff API service', sk, 'skiff');
  row('dockerd 20.10', dk, 'dockerd');
  console.log(`\nskiff / dockerd (medians): ${(median(sk) / median(dk)).toFixed(2)}`);
  console.log(`load average after: ${loadAvg()}`);
  console.log(`${N} concurrent \`docker run --rm ${NET.join(' ')} IMAGE true\` per round, ${ROUNDS} rounds; target: no failure, skiff ≤ dockerd.`);
  for (const f of failures.slice(0, 20)) console.log(`failure: ${f}`);
} finally {
  await sides.stop();
}
