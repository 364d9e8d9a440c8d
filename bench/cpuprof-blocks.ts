// What held the API service's event loop: reads a V8 CPU profile of the service (bench/api-ping.ts
// with SKIFF_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR") and lists every run of main-thread
// samples without an idle gap longer than MIN_MS (default 10), with the skiff functions that ran
// in it, then the same time summed per function over all such blocks.
// Run: node --import tsx bench/cpuprof-blocks.ts FILE.cpuprofile [MIN_MS]
// The profiler samples wall time: a block also counts time the thread waited for a CPU.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, minArg] = process.argv.slice(2);
if (!file) throw new Error('usage: cpuprof-blocks.ts FILE.cpuprofile [MIN_MS]');
const MIN_MS = Number(minArg ?? 10);
const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const IDLE = new Set(['(idle)', '(program)']);
const ours = (url: string) => /\/(dist|src)\//.test(url) && !url.includes('node_modules');
const short = (n: ProfileNode) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*\/(dist|src)\//, '')}:${n.callFrame.lineNumber + 1}`;

/** "leaf ← innermost skiff frame ← its skiff caller": enough to name the work. */
const labels = new Map<number, string>();
function label(id: number): string {
  let l = labels.get(id);
  if (l !== undefined) return l;
  const leaf = byId.get(id)!;
  const mine: string[] = [];
  for (let p: number | undefined = id; p !== undefined && mine.length < 3; p = parent.get(p)) {
    const n = byId.get(p)!;
    if (ours(n.callFrame.url)) mine.push(short(n));
  }
  l = `${leaf.callFrame.functionName || '(anon)'}${mine.length ? ' ← ' + mine.join(' ← ') : ''}`;
  labels.set(id, l);
  return l;
}

interface Block {
  startMs: number;
  ms: number;
  parts: Map<string, number>;
}
const blocks: Block[] = [];
let t = 0;
let cur: Block | undefined;
for (let i = 0; i < prof.samples.length; i++) {
  t += prof.timeDeltas[i]! / 1000;
  const dur = (prof.timeDeltas[i + 1] ?? 0) / 1000;
  const node = byId.get(prof.samples[i]!)!;
  if (IDLE.has(node.callFrame.functionName)) {
    if (cur && cur.ms >= MIN_MS) blocks.push(cur);
    cur = undefined;
    continue;
  }
  cur ??= { startMs: t, ms: 0, parts: new Map() };
  cur.ms += dur;
  const l = label(node.id);
  cur.parts.set(l, (cur.parts.get(l) ?? 0) + dur);
}
if (cur && cur.ms >= MIN_MS) blocks.push(cur);

const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
console.log(`${blocks.length} blocks ≥ ${MIN_MS} ms, ${blocks.reduce((s, b) => s + b.ms, 0).toFixed(0)} ms in all; the 25 longest:`);
for (const b of [...blocks].sort((a, b) => b.ms - a.ms).slice(0, 25)) {
  console.log(`\n${b.ms.toFixed(1)} ms at ${(b.startMs / 1000).toFixed(2)} s`);
  for (const [l, ms] of top(b.parts, 4)) console.log(`  ${ms.toFixed(1)} ms  ${l}`);
}
const sum = new Map<string, number>();
for (const b of blocks) for (const [l, ms] of b.parts) sum.set(l, (sum.get(l) ?? 0) + ms);
console.log(`\nSummed over the blocks ≥ ${MIN_MS} ms:`);
for (const [l, ms] of top(sum, 40)) console.log(`  ${ms.toFixed(0).padStart(6)} ms  ${l}`);
