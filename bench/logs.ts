// Logs with bounded memory (issue 11, point 4): a container writes a 2 GB log (1000-byte lines,
// then sleeps, so it is still running), then
//   1. `skiff logs --tail 1` and the API's `GET /containers/{id}/logs?tail=1`, wall time (target < 1 s);
//   2. the API service's peak RSS while 10 clients follow the log from its start at full speed
//      for FOLLOW_S seconds, then while 10 clients follow it with tail=10 (target < 300 MB).
// Run: node --import tsx bench/logs.ts   (SIZE=2000000000, RUNS=10, FOLLOW_S=20 by default)
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { makeEnv, SKIFF_BIN } from '../test/helpers/env.js';
import { makeBusyboxTar } from '../test/helpers/busybox.js';

const SIZE = Number(process.env.SIZE ?? 2_000_000_000);
const RUNS = Number(process.env.RUNS ?? 10);
const FOLLOW_S = Number(process.env.FOLLOW_S ?? 20);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;

const env = makeEnv('skiff-bench-logs-');
const skiff = (args: string[]) => {
  const r = spawnSync(process.execPath, [SKIFF_BIN, ...args], { env: env.env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`skiff ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
};

function rss(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

function get(socket: string, path: string, onData: (n: number) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, path, signal }, (res) => {
      res.on('data', (c: Buffer) => onData(c.length));
      res.on('end', resolve);
      res.on('error', (e) => (signal?.aborted ? resolve() : reject(e)));
    });
    req.on('error', (e) => (signal?.aborted ? resolve() : reject(e)));
    req.end();
  });
}

async function main(): Promise<void> {
  const tar = makeBusyboxTar(env.dir, join(env.dir, 'busybox.tar'));
  skiff(['import', tar, 'bb']);
  const line = 'z'.repeat(999);
  const t0 = Date.now();
  skiff(['run', '-d', '--name', 'big', 'bb', 'sh', '-c', `yes ${line} | head -c ${SIZE}; echo written; sleep 100000`]);
  const logPath = skiff(['inspect', '-f', '{{.LogPath}}', 'big']).trim();
  while (!skiff(['logs', '--tail', '1', 'big']).includes('written')) await sleep(500);
  console.log(`log written: ${mb(statSync(logPath).size)} in ${((Date.now() - t0) / 1000).toFixed(1)} s (load ${loadavg()[0]!.toFixed(1)})`);

  // Interleaved with `inspect`, which opens the engine and resolves the container as `logs`
  // does: the difference is the reading of the log.
  const cli: number[] = [];
  const floor: number[] = [];
  const timed = (args: string[]) => {
    const t = process.hrtime.bigint();
    const out = skiff(args);
    return { out, ms: Number(process.hrtime.bigint() - t) / 1e6 };
  };
  for (let i = 0; i < RUNS; i++) {
    const r = timed(['logs', '--tail', '1', 'big']);
    if (r.out !== 'written\n') throw new Error(`logs --tail 1 gave ${JSON.stringify(r.out.slice(0, 100))}`);
    cli.push(r.ms);
    floor.push(timed(['inspect', '-f', '{{.Id}}', 'big']).ms);
  }
  console.log(`skiff logs --tail 1: median ${median(cli).toFixed(0)} ms, max ${Math.max(...cli).toFixed(0)} ms (${RUNS} runs, load ${loadavg()[0]!.toFixed(1)})`);
  console.log(`skiff inspect (same start-up, no log): median ${median(floor).toFixed(0)} ms, max ${Math.max(...floor).toFixed(0)} ms`);

  const socket = join(env.dir, 'api.sock');
  const service = spawn(process.execPath, [SKIFF_BIN, 'system', 'service', '--time', '0', `unix://${socket}`], { env: env.env, stdio: 'ignore' });
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(socket);
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) break;
    await sleep(100);
  }
  const api: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    await get(socket, '/v1.41/containers/big/logs?stdout=1&tail=1', () => undefined);
    api.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  console.log(`GET /containers/big/logs?tail=1: median ${median(api).toFixed(1)} ms, max ${Math.max(...api).toFixed(1)} ms`);

  const pid = service.pid!;
  const idle = rss(pid);
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, rss(pid))), 50);
  let bytes = 0;
  const ac = new AbortController();
  const full = Array.from({ length: 10 }, () => get(socket, '/v1.41/containers/big/logs?stdout=1&follow=1', (n) => (bytes += n), ac.signal));
  await sleep(FOLLOW_S * 1000);
  ac.abort();
  await Promise.all(full);
  const fullPeak = peak;
  console.log(`10 followers from the start, ${FOLLOW_S} s: ${mb(bytes)} sent (${mb(bytes / FOLLOW_S)}/s), service RSS idle ${mb(idle)}, peak ${mb(fullPeak)}`);

  peak = rss(pid);
  const ac2 = new AbortController();
  let tailBytes = 0;
  const tails = Array.from({ length: 10 }, () => get(socket, '/v1.41/containers/big/logs?stdout=1&follow=1&tail=10', (n) => (tailBytes += n), ac2.signal));
  await sleep(5000);
  ac2.abort();
  await Promise.all(tails);
  clearInterval(sampler);
  console.log(`10 followers with tail=10, 5 s: ${tailBytes} bytes sent, service RSS peak ${mb(peak)}`);

  service.kill('SIGTERM');
  skiff(['rm', '-f', 'big']);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => {
    spawnSync(process.execPath, [SKIFF_BIN, 'rm', '-af'], { env: env.env });
    // conmon may still be tearing down: let its cleanup finish before the tree goes.
    for (let i = 0; i < 50 && readdirSync('/proc').some((p) => /^\d+$/.test(p) && procMentions(p, env.dir)); i++) spawnSync('sleep', ['0.1']);
    env.cleanup();
  });

function procMentions(pid: string, dir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir) && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'conmon';
  } catch {
    return false;
  }
}
