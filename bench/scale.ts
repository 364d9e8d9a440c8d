// Scale curves (issue 20, point 4): how `ps -a`, `images`, `system df`, `run --rm` and the API's
// `GET /containers/json?all=1` (and `/images/json`) grow with the number of objects, for skiff
// beside Podman (CLI) and a private dockerd 20.10 (API). At each level N the store holds N
// created (not running) containers, N images, and RUNNING (default 50) running containers;
// levels are reached by adding objects, each side getting the same ones. Commands are timed in
// interleaved rounds (order alternating); the table gives medians and the cost per added object
// between levels, which stays flat when nothing is quadratic. An SVG plot (log x) is written.
//
//   node --import tsx bench/scale.ts        LEVELS=10,100,1000 ROUNDS=5 RUNNING=50 SVG=bench/scale.svg
//   SIDES=skiff,podman,dockerd picks the peers.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import tarStream from 'tar-stream';
import { buffer } from 'node:stream/consumers';
import { hasBinary, makeEnv, SKIFF_BIN } from '../test/helpers/env.js';
import { makeBusyboxTar } from '../test/helpers/busybox.js';
import { writeOciArchive } from '../test/helpers/oci-archive.js';
import { podmanPeer } from '../test/helpers/podman.js';
import { startDockerd, type Dockerd } from '../test/helpers/dockerd.js';
import { plot } from './scale-plot.js';

const LEVELS = (process.env.LEVELS ?? '10,100,1000').split(',').map(Number);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const RUNNING = Number(process.env.RUNNING ?? 50);
const SVG = process.env.SVG ?? 'bench/scale.svg';
const SIDES = new Set((process.env.SIDES ?? 'skiff,podman,dockerd').split(','));
const IMAGE = 'bench/busybox:1';
const API = '/v1.41';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const loadAvg = () => loadavg().map((l) => l.toFixed(1)).join(' ');

function must(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function timedCmd(cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return ms;
}

function api(socket: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      { socketPath: socket, method, path, agent: false, headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function apiOk(socket: string, method: string, path: string, body?: unknown): Promise<string> {
  const r = await api(socket, method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body}`);
  return r.body;
}

async function timedApi(socket: string, path: string): Promise<number> {
  const t = process.hrtime.bigint();
  await apiOk(socket, 'GET', path);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function waitForSocket(path: string, proc: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (proc.exitCode !== null) throw new Error(`skiff system service exited ${proc.exitCode}`);
    const up = await new Promise<boolean>((res) => {
      const s = connect(path);
      s.once('connect', () => (s.destroy(), res(true)));
      s.once('error', () => res(false));
    });
    if (up) return;
    await delay(50);
  }
  throw new Error(`no socket at ${path}`);
}

/** SIGTERM or SIGINT: the level being reached is given up; the levels measured are reported. */
class Stopped extends Error {}
let stopping = false;
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => (stopping = true));

/** `count` items through `fn`, `width` at a time. */
async function pool<T>(items: T[], width: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        if (stopping) throw new Stopped();
        await fn(items[next++]!);
      }
    }),
  );
}

function spawnOk(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${err}`))));
  });
}

/** A one-file layer tar, different per image. */
async function tinyLayer(path: string, i: number): Promise<string> {
  const pack = tarStream.pack();
  pack.entry({ name: `img-${i}`, mode: 0o644, mtime: new Date(0) }, `image ${i}\n`);
  pack.finalize();
  writeFileSync(path, await buffer(pack));
  return path;
}

// One measured thing: a command per side, each side with its own command line or request.
export interface Probe {
  name: string;
  kind: 'cli' | 'api';
  run: Partial<Record<string, () => Promise<number> | number>>;
}

const env = makeEnv('skiff-bench-scale-');
const d = (p: string) => join(env.dir, p);
let service: ChildProcess | undefined;
let dockerd: Dockerd | undefined;
const pdir = d('podman');
const podman = SIDES.has('podman') && hasBinary('podman') ? podmanPeer(pdir, { storageDriver: 'overlay' }) : undefined;
try {
  const skiffSock = d('skiff.sock');
  const sk = (args: string[]) => must(process.execPath, [SKIFF_BIN, ...args], env.env);
  const pm = (args: string[]) => must('podman', [...podman!.args, ...args], podman!.env);
  sk(['import', '-c', 'CMD ["/bin/sh"]', makeBusyboxTar(env.dir, d('busybox.tar')), IMAGE]);
  sk(['save', '-o', d('busybox-image.tar'), IMAGE]);
  service = spawn(process.execPath, [SKIFF_BIN, 'system', 'service', '--time', '0', `unix://${skiffSock}`], {
    env: env.env,
    stdio: ['ignore', openSync(d('service.log'), 'a'), openSync(d('service.log'), 'a')],
  });
  await waitForSocket(skiffSock, service);
  if (podman) pm(['load', '-q', '-i', d('busybox-image.tar')]);
  if (SIDES.has('dockerd') && hasBinary('dockerd')) {
    dockerd = await startDockerd(d('dockerd'));
    dockerd.load(d('busybox-image.tar'));
  }
  const sides = ['skiff', ...(podman ? ['podman'] : []), ...(dockerd ? ['dockerd'] : [])];

  // Containers through each side's own front: the API for skiff and dockerd, the CLI for Podman.
  const apiCreate = async (sock: string, cmd: string[], start: boolean) => {
    const body = { Image: IMAGE, Cmd: cmd, HostConfig: { NetworkMode: 'none' } };
    const { Id } = JSON.parse(await apiOk(sock, 'POST', `${API}/containers/create`, body));
    if (start) await apiOk(sock, 'POST', `${API}/containers/${Id}/start`);
  };
  const addContainers = async (n: number, cmd: string[], start: boolean) => {
    const idx = Array.from({ length: n }, (_, i) => i);
    await pool(idx, 2, () => apiCreate(skiffSock, cmd, start));
    if (dockerd) await pool(idx, 2, () => apiCreate(dockerd!.socket, cmd, start));
    if (podman) {
      const args = [...podman.args, start ? 'run' : 'create', ...(start ? ['-d'] : []), '--network', 'none', IMAGE, ...cmd];
      await pool(idx, 2, () => spawnOk('podman', args, podman.env));
    }
  };
  // Images: tiny one-layer images loaded by skiff, then saved as one docker-archive the peers load.
  let images = 0;
  const addImages = async (n: number) => {
    const specs = [];
    for (let i = images; i < images + n; i++) specs.push({ name: `bench/img-${i}:1`, layers: [await tinyLayer(d(`layer-${i}.tar`), i)] });
    await writeOciArchive(d('images.oci.tar'), specs);
    if (stopping) throw new Stopped();
    sk(['load', '-q', '-i', d('images.oci.tar')]);
    sk(['save', '-o', d('images.docker.tar'), ...specs.map((s) => s.name!)]);
    if (stopping) throw new Stopped();
    if (podman) pm(['load', '-q', '-i', d('images.docker.tar')]);
    if (stopping) throw new Stopped();
    // docker load's own limit in the helper (60 s) is too short for hundreds of images under load.
    const loaded = dockerd?.docker(['load', '-q', '-i', d('images.docker.tar')], { timeoutMs: 3_600_000 });
    if (loaded && loaded.code !== 0) throw new Error(`docker load: exit ${loaded.code}: ${loaded.stderr}`);
    for (const s of specs) rmSync(s.layers[0]!);
    images += n;
  };

  const cli = (args: string[]): Probe['run'] => ({
    skiff: () => timedCmd(process.execPath, [SKIFF_BIN, ...args], env.env),
    ...(podman ? { podman: () => timedCmd('podman', [...podman.args, ...args], podman.env) } : {}),
  });
  const get = (path: string): Probe['run'] => ({
    skiff: () => timedApi(skiffSock, API + path),
    ...(dockerd ? { dockerd: () => timedApi(dockerd!.socket, API + path) } : {}),
  });
  const probes: Probe[] = [
    { name: 'ps -a', kind: 'cli', run: cli(['ps', '-a']) },
    { name: 'images', kind: 'cli', run: cli(['images']) },
    { name: 'system df', kind: 'cli', run: cli(['system', 'df']) },
    { name: 'run --rm', kind: 'cli', run: cli(['run', '--rm', '--network', 'none', IMAGE, 'true']) },
    { name: 'GET /containers/json?all=1', kind: 'api', run: get('/containers/json?all=1') },
    { name: 'GET /images/json', kind: 'api', run: get('/images/json') },
  ];

  // results[probe][side][level] = median ms
  const results = new Map<string, Map<string, number[]>>(probes.map((p) => [p.name, new Map(sides.map((s) => [s, []]))]));
  const loads: string[] = [];
  const t0 = Date.now();
  await addContainers(RUNNING, ['sleep', '100000'], true);
  let have = 0;
  const levels: number[] = [];
  for (const level of LEVELS) {
    try {
      await addImages(level - have);
      await addContainers(level - have, ['true'], false);
    } catch (e) {
      if (!(e instanceof Stopped)) throw e;
      console.error(`stopped while reaching level ${level}`);
      break;
    }
    have = level;
    levels.push(level);
    loads.push(loadAvg());
    for (const p of probes) {
      const who = Object.keys(p.run);
      const times = new Map(who.map((s) => [s, [] as number[]]));
      for (const s of who) await p.run[s]!(); // warm-up, not counted
      for (let r = 0; r < ROUNDS; r++) {
        const order = r % 2 === 0 ? who : [...who].reverse();
        for (const s of order) times.get(s)!.push(await p.run[s]!());
      }
      for (const [s, xs] of times) results.get(p.name)!.get(s)!.push(median(xs));
    }
    console.error(`level ${level} measured after ${((Date.now() - t0) / 1000).toFixed(0)} s, load ${loads.at(-1)}`);
    // What is measured so far, in case a long level is cut short.
    for (const p of probes) for (const [s, ms] of results.get(p.name)!) console.error(`  ${p.name} | ${s} | ${ms.map((m) => m.toFixed(0)).join(' | ')}`);
  }

  // The table: medians per level, and the cost per object added between levels.
  const f = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(0));
  console.log(`Levels ${levels.join(', ')} (created containers = images = N, plus ${RUNNING} running); ${ROUNDS} rounds, interleaved.`);
  console.log(`Load average at each level: ${loads.join(' | ')}.\n`);
  const head = levels.map((n) => `N=${n} ms`).join(' | ');
  const slopes = levels.slice(1).map((n, i) => `ms/obj ${levels[i]}→${n}`).join(' | ');
  console.log(`| what | side | ${head} | ${slopes} | skiff / peer at N=${levels.at(-1)} |`);
  console.log(`| --- | --- | ${levels.map(() => '---:').join(' | ')} | ${levels.slice(1).map(() => '---:').join(' | ')} | ---: |`);
  for (const p of probes) {
    const bySide = results.get(p.name)!;
    const peer = p.kind === 'cli' ? 'podman' : 'dockerd';
    for (const [s, ms] of bySide) {
      if (ms.length === 0) continue;
      const per = ms.slice(1).map((m, i) => ((m - ms[i]!) / (levels[i + 1]! - levels[i]!)).toFixed(3));
      const peerMs = bySide.get(peer)?.at(-1);
      const ratio = s === 'skiff' && peerMs ? (ms.at(-1)! / peerMs).toFixed(2) : '';
      console.log(`| ${p.name} | ${s} | ${ms.map(f).join(' | ')} | ${per.join(' | ')} | ${ratio} |`);
    }
  }
  writeFileSync(SVG, plot(probes, results, levels));
  console.log(`\nPlot: ${SVG}`);
} finally {
  // Running containers first: their conmons and mounts go with them.
  spawnSync(process.execPath, [SKIFF_BIN, 'rm', '-a', '-f'], { env: env.env, stdio: 'ignore' });
  if (service && service.exitCode === null) {
    const gone = new Promise((r) => service!.once('exit', r));
    service.kill('SIGTERM');
    await gone;
  }
  if (podman) {
    spawnSync('podman', [...podman.args, 'rm', '-a', '-f', '-t', '0'], { env: podman.env, stdio: 'ignore' });
    spawnSync('podman', [...podman.args, 'system', 'reset', '-f'], { env: podman.env, stdio: 'ignore' });
  }
  await dockerd?.stop();
  env.cleanup();
}
