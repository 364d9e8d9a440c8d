// Cold start of a WASM container against the same program as a native binary in a busybox
// container (issue 22): examples/wasm/hello.c compiled for wasm32-wasi (clang) and natively
// (gcc -static), each built into an image, each run as a new container with `skiff run --rm
// --network none IMAGE arg`, rounds interleaved so load affects both alike. Beside them, the
// same two programs started directly on the host (no container): the WASI host's own cost.
// Run: node --import tsx bench/wasm-start.ts   (RUNS=15 by default)
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { makeEnv, SKIFF_BIN } from '../test/helpers/env.js';
import { makeBusyboxTar } from '../test/helpers/busybox.js';
import { buildContext, compileNative, compileWasm } from '../test/integration/wasm/fixtures.js';
import { wasmHost } from '../src/impl/wasm/node-host.js';
import { WASM_NODE_FLAGS } from '../src/core/wasm/spec.js';

const RUNS = Number(process.env.RUNS ?? 15);
const SETTLE_MS = Number(process.env.SETTLE_MS ?? 200);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
const p90 = (xs: number[]) => sorted(xs)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.9) - 1)]!;

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv, expect: string): number {
  if (SETTLE_MS > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, SETTLE_MS);
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0 || !r.stdout.includes(expect)) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stdout} ${r.stderr}`);
  return ms;
}

const env = makeEnv('skiff-bench-wasm-');
try {
  const skiff = (args: string[]) => {
    const r = env.run(args);
    if (r.code !== 0) throw new Error(`skiff ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  skiff(['import', makeBusyboxTar(env.dir, join(env.dir, 'bb.tar')), 'bench/busybox:1']);
  const wasm = join(env.dir, 'app.wasm');
  const native = join(env.dir, 'app');
  compileWasm(wasm);
  compileNative(native);
  skiff(['build', '-q', '--platform', 'wasi/wasm', '-t', 'bench/wasm:1', buildContext(join(env.dir, 'w'), { 'app.wasm': wasm }, ['FROM scratch', 'COPY app.wasm /', 'ENTRYPOINT ["/app.wasm"]'])]);
  skiff(['build', '-q', '-t', 'bench/native:1', buildContext(join(env.dir, 'n'), { app: native }, ['FROM bench/busybox:1', 'COPY app /app', 'ENTRYPOINT ["/app"]'])]);

  // The host side alone: what the container's process is, started without a container.
  const host = await wasmHost(env.runroot);
  const hostNode = [host.node, ...WASM_NODE_FLAGS, host.launcher, '["/"]', wasm, 'x'];

  const cases: { name: string; cmd: string; args: string[]; env: NodeJS.ProcessEnv }[] = [
    { name: 'skiff run --rm, WASM image (node:wasi)', cmd: process.execPath, args: [SKIFF_BIN, 'run', '--rm', '--network', 'none', 'bench/wasm:1', 'x'], env: env.env },
    { name: 'skiff run --rm, busybox image (native, static)', cmd: process.execPath, args: [SKIFF_BIN, 'run', '--rm', '--network', 'none', 'bench/native:1', 'x'], env: env.env },
    { name: 'host: node launcher app.wasm (no container)', cmd: hostNode[0]!, args: hostNode.slice(1), env: {} },
    { name: 'host: app (native, no container)', cmd: native, args: ['x'], env: {} },
  ];
  for (const c of cases) timed(c.cmd, c.args, c.env, 'arg 1: x'); // warm-up: page cache, code caches
  const times = cases.map(() => [] as number[]);
  const loadBefore = loadavg();
  for (let i = 0; i < RUNS; i++) cases.forEach((c, j) => times[j]!.push(timed(c.cmd, c.args, c.env, 'arg 1: x')));
  const loadAfter = loadavg();
  console.log('| what | median ms | min ms | p90 ms |');
  console.log('|---|---:|---:|---:|');
  cases.forEach((c, j) => console.log(`| ${c.name} | ${median(times[j]!).toFixed(0)} | ${sorted(times[j]!)[0]!.toFixed(0)} | ${p90(times[j]!).toFixed(0)} |`));
  const fmt = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`\n${RUNS} rounds, interleaved, ${SETTLE_MS} ms pause before each run; load average before ${fmt(loadBefore)}, after ${fmt(loadAfter)}.`);
} finally {
  env.cleanup();
}
