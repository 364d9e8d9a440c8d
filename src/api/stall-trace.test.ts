import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStallTrace } from './stall-trace.js';

interface Line {
  kind: string;
  lateMs?: number;
  cpuMs?: number;
  inflight?: string[];
  loopDelayMs?: { max: number };
  stalls?: number;
}

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);

test('a synchronous block on the loop is recorded as a stall naming the request in flight, and closing writes a summary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-stall-'));
  try {
    const file = join(dir, 'stalls.jsonl');
    const trace = startStallTrace(file);
    await new Promise((r) => setTimeout(r, 30));
    const leave = trace.enter('POST /build');
    // Holds the loop for 200 ms, ten times the recorder's threshold.
    const until = performance.now() + 200;
    while (performance.now() < until);
    await new Promise((r) => setTimeout(r, 50));
    leave();
    trace.close();
    await new Promise((r) => setTimeout(r, 50));

    const rec = lines(file);
    assert.equal(rec[0]!.kind, 'start');
    const stalls = rec.filter((l) => l.kind === 'stall');
    const block = stalls.find((s) => s.inflight?.includes('POST /build'));
    assert.ok(block, `no stall with the request in flight: ${JSON.stringify(stalls)}`);
    assert.ok(block.lateMs! > 20, `late ${block.lateMs} ms`);
    assert.equal(typeof block.cpuMs, 'number');
    const summary = rec.at(-1)!;
    assert.equal(summary.kind, 'summary');
    assert.ok(summary.stalls! >= 1);
    assert.ok(summary.loopDelayMs!.max > 20, `loop delay max ${summary.loopDelayMs!.max} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
