// The list and inspect verbs through skiff's API service against a private dockerd 20.10, with
// COUNT (500) containers (created, not running) and COUNT images in each, made the same way on
// both sides through the docker CLI: `docker create --name … IMAGE true` and `docker import` of a
// one-file tar whose content differs per image (so each is its own image, not a tag). Then
// `docker ps -a`, `docker images`, `docker inspect CONTAINER`, `docker image inspect IMAGE` are
// timed in interleaved rounds (who goes first alternates). Target (issue 20): skiff ≤ 0.5 ×
// dockerd's median for each. A third side is the client's floor: the docker CLI against
// bench/api-replay.ts, which answers skiff's responses from memory (no server work at all).
// Run: node --import tsx bench/api-list.ts   (RUNS=15, COUNT=500, JOBS=4 clients while populating)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { checkPeers, DOCKER, median, p90, startSides, versions } from './api-sides.js';

const RUNS = Number(process.env.RUNS ?? 15);
const COUNT = Number(process.env.COUNT ?? 500);
const JOBS = Number(process.env.JOBS ?? 4);
const IMAGE = 'bench/busybox:1';

checkPeers();

/** A ustar archive holding one regular file `name` with `body`. */
function oneFileTar(name: string, body: string): Buffer {
  const data = Buffer.from(body);
  const h = Buffer.alloc(512);
  const put = (s: string, off: number, len: number) => h.write(s.slice(0, len), off, 'latin1');
  const oct = (n: number, len: number) => n.toString(8).padStart(len - 1, '0') + '\0';
  put(name, 0, 100);
  put(oct(0o644, 8), 100, 8);
  put(oct(0, 8), 108, 8);
  put(oct(0, 8), 116, 8);
  put(oct(data.length, 12), 124, 12);
  put(oct(1_700_000_000, 12), 136, 12);
  h.fill(' ', 148, 156);
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  put(oct(sum, 7) + ' ', 148, 8);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([h, data, pad, Buffer.alloc(1024)]);
}

function dockerAsync(args: string[], env: NodeJS.ProcessEnv, input?: Buffer): Promise<void> {
  return new Promise((res, rej) => {
    const p = spawn(DOCKER, args, { env, stdio: [input ? 'pipe' : 'ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d) => (err += d));
    if (input) p.stdin!.end(input);
    p.on('close', (code) => (code === 0 ? res() : rej(new Error(`docker ${args.join(' ')} (${env.DOCKER_HOST}): exit ${code}: ${err}`))));
  });
}

/** Runs `job(i)` for i in [0, n) with at most JOBS at once. */
async function pool(n: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: JOBS }, async () => {
    while (next < n) await job(next++);
  }));
}

function timed(args: string[], env: NodeJS.ProcessEnv): { ms: number; out: string } {
  const t = process.hrtime.bigint();
  const r = spawnSync(DOCKER, args, { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')} (${env.DOCKER_HOST}): exit ${r.status}: ${r.stderr}`);
  return { ms, out: r.stdout };
}

async function startReplay(dir: string, target: string): Promise<{ proc: ChildProcess; socket: string }> {
  const socket = join(dir, 'replay.sock');
  const proc = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'api-replay.ts'), socket, target], { stdio: 'ignore' });
  for (let i = 0; i < 400; i++) {
    const up = await new Promise<boolean>((res) => {
      const s = connect(socket);
      s.once('connect', () => (s.destroy(), res(true)));
      s.once('error', () => res(false));
    });
    if (up) return { proc, socket };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('bench/api-replay.ts did not listen');
}

const sides = await startSides(IMAGE, 'skiff-bench-api-list-');
let replay: ChildProcess | undefined;
try {
  const { skiffEnv, dockerEnv } = sides;
  const r = await startReplay(sides.env.dir, skiffEnv.DOCKER_HOST!.slice('unix://'.length));
  replay = r.proc;
  const floorEnv = { ...skiffEnv, DOCKER_HOST: `unix://${r.socket}` };
  console.log(`docker CLI / dockerd: ${versions(dockerEnv)}`);
  console.log(`docker CLI / skiff:   ${versions(skiffEnv)}`);
  const loadAvg = () => loadavg().map((l) => l.toFixed(1)).join(' ');

  const t0 = Date.now();
  for (const [name, env] of [['skiff', skiffEnv], ['dockerd', dockerEnv]] as const) {
    const s = Date.now();
    await pool(COUNT, (i) => dockerAsync(['create', '--name', `bench-c-${i}`, '--label', `n=${i}`, '-e', `N=${i}`, IMAGE, 'true'], env));
    const c = Date.now();
    await pool(COUNT, (i) => dockerAsync(['import', '-', `bench/img-${i}:1`], env, oneFileTar(`file-${i}`, `image ${i}\n`)));
    console.log(`${name}: ${COUNT} creates in ${((c - s) / 1000).toFixed(1)} s, ${COUNT} imports in ${((Date.now() - c) / 1000).toFixed(1)} s`);
  }
  console.log(`populated in ${((Date.now() - t0) / 1000).toFixed(0)} s; load average before: ${loadAvg()}\n`);

  const mid = Math.floor(COUNT / 2);
  const cases: [string, string[]][] = [
    ['`docker ps -a`', ['ps', '-a']],
    ['`docker images`', ['images']],
    ['`docker inspect CONTAINER`', ['inspect', `bench-c-${mid}`]],
    ['`docker image inspect IMAGE`', ['image', 'inspect', `bench/img-${mid}:1`]],
  ];
  console.log('| command | skiff median ms | skiff p90 | dockerd median ms | dockerd p90 | floor median ms | skiff / dockerd | floor / dockerd |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [label, args] of cases) {
    // The same objects on both sides: as many lines out of each.
    const a = timed(args, skiffEnv).out.split('\n').length;
    const b = timed(args, dockerEnv).out.split('\n').length;
    if (args[0] !== 'inspect' && args[1] !== 'inspect' && a !== b) throw new Error(`${label}: ${a} lines from skiff, ${b} from dockerd`);
    timed(args, floorEnv); // the replay's one forwarded request
    const times: Record<'skiff' | 'dockerd' | 'floor', number[]> = { skiff: [], dockerd: [], floor: [] };
    const envs = { skiff: skiffEnv, dockerd: dockerEnv, floor: floorEnv };
    const order = ['skiff', 'dockerd', 'floor'] as const;
    for (let i = 0; i < RUNS; i++) {
      // each side takes each place in the round in turn
      for (let k = 0; k < order.length; k++) {
        const side = order[(i + k) % order.length]!;
        times[side].push(timed(args, envs[side]).ms);
      }
    }
    const [sk, dk, fl] = [times.skiff, times.dockerd, times.floor];
    const f = (x: number) => x.toFixed(0);
    console.log(`| ${label} | ${f(median(sk))} | ${f(p90(sk))} | ${f(median(dk))} | ${f(p90(dk))} | ${f(median(fl))} | ${(median(sk) / median(dk)).toFixed(2)} | ${(median(fl) / median(dk)).toFixed(2)} |`);
  }
  console.log(`\nload average after: ${loadAvg()}`);
  console.log(`${RUNS} runs each, interleaved; ${COUNT} containers and ${COUNT + 1} images on each side; target (issue 20): skiff ≤ 0.5 of dockerd's median.`);
  if (process.env.KEEP) {
    console.log(`KEEP set: sides left up for profiling; ${JSON.stringify({ skiff: skiffEnv.DOCKER_HOST, dockerd: dockerEnv.DOCKER_HOST, floor: floorEnv.DOCKER_HOST, log: sides.serviceLog })}; Ctrl-C to stop`);
    await new Promise((r) => process.once('SIGINT', r));
  }
} finally {
  replay?.kill();
  await sides.stop();
}
