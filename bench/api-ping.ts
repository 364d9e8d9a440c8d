// GET /_ping latency of `skiff system service` while heavy requests run through the same service
// (issue 12, point 4): 5 volume copy-ups of 200 MB, 5 builds and `system df` over 100 containers.
// Target: p99 < 50 ms. The pings are sampled every ~10 ms on fresh connections over the unix
// socket; the load runs in three lanes at once (copy-ups, builds, df), each a bounded number of
// requests, the whole phase cut at MAX_LOAD_S.
// Run: node --import tsx bench/api-ping.ts
//   SKIFF_BENCH_BIN=/path/to/bin/skiff picks another build of skiff (the "before" side);
//   SKIFF_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the service;
//   FILES (default 400) × FILE_KB (default 512) is the image's /data that every copy-up copies;
//   STALLS_OUT=FILE keeps the service's stall record (below) there instead of in the temp dir.
// The service runs with SKIFF_TRACE_STALLS (src/api/stall-trace.ts): its own event-loop delay
// (monitorEventLoopDelay) and every late 10 ms tick split into the main thread's time on a CPU,
// in the run queue and asleep in a synchronous system call, summarised per phase (SIGUSR2 at each phase's end). The ping figures are
// that delay plus the machine's CPU queue; the loop delay is what the service controls. A
// `--cpu-prof` of the service is read by bench/cpuprof-blocks.ts (what each block was).
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { makeEnv, SKIFF_BIN, sh } from '../test/helpers/env.js';
import { makeBusyboxRootfs } from '../test/helpers/busybox.js';

const BIN = process.env.SKIFF_BENCH_BIN ?? SKIFF_BIN;
const NODE_ARGS = (process.env.SKIFF_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const FILES = Number(process.env.FILES ?? 400);
const FILE_KB = Number(process.env.FILE_KB ?? 512);
const CONTAINERS = 100;
const COPY_UPS = 5;
const BUILDS = 5;
const DFS = 5;
const MAX_LOAD_S = Number(process.env.MAX_LOAD_S ?? 600);
const IMAGE = 'bench/data:1';

interface Reply {
  status: number;
  body: string;
}

function api(sock: string, method: string, path: string, body?: unknown, stream?: NodeJS.ReadableStream): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    const data = body === undefined ? undefined : JSON.stringify(body);
    if (data !== undefined) headers['Content-Type'] = 'application/json';
    if (stream) headers['Content-Type'] = 'application/x-tar';
    const req = request({ socketPath: sock, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (stream) stream.pipe(req);
    else req.end(data);
  });
}

async function must(p: Promise<Reply>, what: string): Promise<Reply> {
  const r = await p;
  if (r.status >= 300) throw new Error(`${what}: HTTP ${r.status}: ${r.body.slice(0, 500)}`);
  // a build reports its failure inside the 200 stream
  if (/"error(Detail)?"\s*:/.test(r.body)) throw new Error(`${what}: ${r.body.slice(-500)}`);
  return r;
}

async function waitForSocket(path: string, proc: ChildProcess, logFile: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (proc.exitCode !== null) throw new Error(`service exited: ${readFileSync(logFile, 'utf8').slice(-3000)}`);
    const up = await new Promise<boolean>((res) => {
      const s = connect(path);
      s.once('connect', () => (s.destroy(), res(true)));
      s.once('error', () => res(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the service did not listen on ${path}`);
}

/** /_ping every ~10 ms until `stop` resolves; latencies in ms. */
async function samplePings(sock: string, stop: Promise<unknown>): Promise<number[]> {
  let done = false;
  void stop.then(() => (done = true));
  const out: number[] = [];
  while (!done) {
    const t = process.hrtime.bigint();
    const r = await api(sock, 'GET', '/_ping');
    if (r.status !== 200) throw new Error(`/_ping: HTTP ${r.status}`);
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
    await new Promise((res) => setTimeout(res, 10));
  }
  return out;
}

function stats(xs: number[]): { n: number; p50: number; p99: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(s.length * q) - 1)]!;
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: s[s.length - 1]! };
}

interface LoopSummary {
  loopDelayMs: { p50: number; p99: number; max: number };
  stalls: number;
  stallCpuMs: number;
  stallQueueMs: number;
  stallWaitMs: number;
  mainThreadCpuMs: number | null;
  mainThreadQueueMs: number | null;
}
interface Stall {
  t: string;
  lateMs: number;
  cpuMs: number;
  queueMs: number;
  waitMs: number;
  inflight: string[];
}

function records(file: string): { kind: string }[] {
  // A build of skiff before the recorder (SKIFF_BENCH_BIN) writes none.
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { kind: string });
}

// A build of skiff before the recorder has no SIGUSR2 handler: the signal would end its service.
const TRACES = readFileSync(join(dirname(BIN), '..', 'dist', 'cli', 'cli', 'commands', 'system', 'service.cjs'), 'utf8').includes('SKIFF_TRACE_STALLS');

/** Asks the service for its loop summary of the phase that ends now, and waits until it is written. */
async function phaseEnd(proc: ChildProcess): Promise<void> {
  if (!TRACES) return;
  proc.kill('SIGUSR2');
  await new Promise((r) => setTimeout(r, 300));
}

/** The record cut at each summary: [creates, idle, under load]. */
function phases(file: string): { summary: LoopSummary; stalls: Stall[] }[] {
  const out: { summary: LoopSummary; stalls: Stall[] }[] = [];
  let stalls: Stall[] = [];
  for (const r of records(file)) {
    if (r.kind === 'stall') stalls.push(r as unknown as Stall);
    if (r.kind === 'summary') {
      out.push({ summary: r as unknown as LoopSummary, stalls });
      stalls = [];
    }
  }
  return out;
}

const env = makeEnv('skiff-bench-ping-');
let service: ChildProcess | undefined;
try {
  const d = (p: string) => join(env.dir, p);
  // The image: busybox plus FILES files of FILE_KB under /data (incompressible, so sizes are real).
  const rootfs = makeBusyboxRootfs(d('rootfs'));
  mkdirSync(join(rootfs, 'data'));
  const chunk = randomBytes(FILE_KB * 1024);
  for (let i = 0; i < FILES; i++) {
    chunk.writeUInt32LE(i, 0);
    writeFileSync(join(rootfs, 'data', `f${i}`), chunk);
  }
  sh(`tar --numeric-owner -cf ${d('image.tar')} -C ${rootfs} .`);
  const imp = env.run(['import', '-c', 'CMD ["/bin/sh"]', d('image.tar'), IMAGE]);
  if (imp.code !== 0) throw new Error(`import: ${imp.stderr}`);
  // A build context of 20 MB in 2000 files: the walk, the COPY cache key's hashing and the layer.
  mkdirSync(d('ctx/files'), { recursive: true });
  for (let i = 0; i < 2000; i++) writeFileSync(d(`ctx/files/f${i}`), randomBytes(10 * 1024));
  writeFileSync(d('ctx/Dockerfile'), `FROM ${IMAGE}\nCOPY files /files\nRUN ls /files | wc -l\n`);
  sh(`tar -cf ${d('ctx.tar')} -C ${d('ctx')} .`);

  const sock = d('skiff.sock');
  const log = d('service.log');
  const stallFile = process.env.STALLS_OUT ?? d('stalls.jsonl');
  service = spawn(process.execPath, [...NODE_ARGS, BIN, 'system', 'service', '--time', '0', `unix://${sock}`], {
    env: { ...env.env, SKIFF_TRACE_STALLS: stallFile },
    stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')],
  });
  await waitForSocket(sock, service, log);

  for (let i = 0; i < CONTAINERS; i++) {
    await must(api(sock, 'POST', `/containers/create?name=idle${i}`, { Image: IMAGE, Cmd: ['true'], HostConfig: { NetworkMode: 'none' } }), 'create');
  }
  // The creates' phase ends here: the service's loop record starts afresh for the idle phase.
  await phaseEnd(service);
  const idle = stats(await samplePings(sock, new Promise((r) => setTimeout(r, 3000))));
  await phaseEnd(service);

  const timings: Record<string, number[]> = { 'copy-up (create + start)': [], build: [], 'system df': [] };
  const timed = async (what: string, fn: () => Promise<unknown>) => {
    const t = Date.now();
    await fn();
    timings[what]!.push(Date.now() - t);
  };
  const deadline = Date.now() + MAX_LOAD_S * 1000;
  const lane = async (n: number, what: string, fn: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < n && Date.now() < deadline; i++) await timed(what, () => fn(i));
  };
  console.error(`load average before the load: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const load = Promise.all([
    lane(COPY_UPS, 'copy-up (create + start)', async (i) => {
      const c = await must(
        api(sock, 'POST', `/containers/create?name=copyup${i}`, { Image: IMAGE, Cmd: ['true'], HostConfig: { NetworkMode: 'none', Binds: [`vol${i}:/data`] } }),
        'create',
      );
      const id = (JSON.parse(c.body) as { Id: string }).Id;
      await must(api(sock, 'POST', `/containers/${id}/start`), 'start');
    }),
    lane(BUILDS, 'build', (i) => must(api(sock, 'POST', `/build?t=bench/built:${i}&nocache=1&rm=1`, undefined, createReadStream(d('ctx.tar'))), 'build')),
    lane(DFS, 'system df', () => must(api(sock, 'GET', '/system/df'), 'df')),
  ]);
  const busy = stats(await samplePings(sock, load));
  await load;
  await phaseEnd(service);
  const loops = phases(stallFile);

  const f = (x: number) => x.toFixed(1);
  console.log(`skiff: ${BIN}`);
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('| phase | pings | p50 ms | p99 ms | max ms |');
  console.log('|---|---:|---:|---:|---:|');
  console.log(`| idle (100 containers) | ${idle.n} | ${f(idle.p50)} | ${f(idle.p99)} | ${f(idle.max)} |`);
  console.log(`| under load | ${busy.n} | ${f(busy.p50)} | ${f(busy.p99)} | ${f(busy.max)} |`);
  console.log('\nThe service\'s own event loop (monitorEventLoopDelay, 10 ms resolution) and its main thread (schedstat):');
  console.log('| phase | loop delay p50 ms | p99 ms | max ms | ticks > 20 ms late | their CPU / run-queue / sync-wait ms | main thread CPU s / run-queue s |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const [name, p] of [['idle', loops[1]], ['under load', loops[2]]] as const) {
    if (!p) continue;
    const l = p.summary;
    const s = (x: number | null) => (x === null ? '?' : (x / 1000).toFixed(1));
    console.log(
      `| ${name} | ${f(l.loopDelayMs.p50)} | ${f(l.loopDelayMs.p99)} | ${f(l.loopDelayMs.max)} | ${l.stalls} | ${f(l.stallCpuMs)} / ${f(l.stallQueueMs)} / ${f(l.stallWaitMs)} | ${s(l.mainThreadCpuMs)} / ${s(l.mainThreadQueueMs)} |`,
    );
  }
  const own = (x: Stall) => x.cpuMs + x.waitMs;
  const worst = [...(loops[2]?.stalls ?? [])].sort((a, b) => own(b) - own(a)).slice(0, 10);
  console.log('\nLongest stalls under load by the service\'s own part, CPU + sync wait (late, CPU, run-queue, sync-wait ms; requests in flight):');
  for (const w of worst) console.log(`  ${w.t} ${f(w.lateMs)} ${f(w.cpuMs)} ${f(w.queueMs)} ${f(w.waitMs)} ${w.inflight.join(', ')}`);
  for (const [what, ts] of Object.entries(timings)) {
    const s = stats(ts);
    console.log(`${what}: ${ts.length} done, median ${s.p50} ms, max ${s.max} ms`);
  }
} finally {
  if (service && service.exitCode === null) {
    const gone = new Promise((r) => service!.once('exit', r));
    service.kill('SIGTERM');
    const t = setTimeout(() => service!.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(t);
  }
  env.run(['rm', '-af']);
  env.cleanup();
}
