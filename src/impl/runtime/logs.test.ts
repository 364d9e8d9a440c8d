// The log reader against hand-made k8s-file logs: tail and since/until read backwards and in
// chunks must give exactly what reading the whole file and filtering it gives, including
// records split into P chunks across the chunk size and interleaved with the other stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogAssembler, inWindow, parseLogLine, type LogFilter, type LogRecord } from '../../core/oci-runtime/k8s-log.js';
import { readLogs } from './logs.js';
import { CHUNK } from './log-cursor.js';

function ts(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000000+00:00');
}

/** A log of `count` records, some split into P chunks (one larger than a read chunk), streams interleaved. */
function makeLog(path: string, count: number): { t0: number } {
  const t0 = Date.UTC(2026, 0, 1);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const t = ts(t0 + i * 1000);
    const stream = i % 3 === 0 ? 'stderr' : 'stdout';
    if (i % 7 === 3) {
      // A record in three chunks with a line of the other stream between them.
      const big = i % 14 === 3 ? 'x'.repeat(CHUNK + 100) : 'y'.repeat(50);
      lines.push(`${t} ${stream} P ${big}-a`);
      lines.push(`${t} ${stream === 'stdout' ? 'stderr' : 'stdout'} F between ${i}`);
      lines.push(`${t} ${stream} P -b`);
      lines.push(`${t} ${stream} F -c ${i}`);
    } else {
      lines.push(`${t} ${stream} F record ${i}`);
    }
  }
  writeFileSync(path, lines.join('\n') + '\n');
  return { t0 };
}

async function collect(path: string, o: Parameters<typeof readLogs>[1]): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const r of readLogs(path, o)) out.push(r);
  return out;
}

function naive(text: string, f: LogFilter): LogRecord[] {
  const asm = new LogAssembler();
  const out: LogRecord[] = [];
  for (const l of text.split('\n')) {
    const p = parseLogLine(l);
    const r = p && asm.push(p);
    if (r && inWindow(r, f)) out.push(r);
  }
  out.push(...asm.flush().filter((r) => inWindow(r, f)));
  return out;
}

const view = (rs: LogRecord[]) => rs.map((r) => `${r.stream}:${r.text.length > 80 ? `${r.text.slice(0, 10)}…${r.text.length}` : r.text}`);

test('tail N read backwards gives the last N records of a full read, split records whole', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-logs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'ctr.log');
  makeLog(path, 400);
  const { readFileSync } = await import('node:fs');
  const all = naive(readFileSync(path, 'utf8'), {});
  assert.equal((await collect(path, {})).length, all.length);
  for (const n of [0, 1, 2, 3, 5, 17, 40, 399, 500, 10_000]) {
    assert.deepEqual(view(await collect(path, { tail: n })), view(n ? all.slice(-n) : []), `tail ${n}`);
  }
});

test('tail with since/until counts only records in the window', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-logs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'ctr.log');
  const { t0 } = makeLog(path, 300);
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(path, 'utf8');
  const windows: LogFilter[] = [
    { since: new Date(t0 + 250_500) },
    { until: new Date(t0 + 120_000) },
    { since: new Date(t0 + 100_000), until: new Date(t0 + 200_000) },
  ];
  for (const f of windows) {
    const want = naive(text, f);
    assert.deepEqual(view(await collect(path, f)), view(want), `window ${JSON.stringify(f)}`);
    for (const n of [1, 4, 30, 1000]) assert.deepEqual(view(await collect(path, { ...f, tail: n })), view(want.slice(-n)), `tail ${n} ${JSON.stringify(f)}`);
  }
});

test('a line being written (no newline yet) is not a record; a missing log is an empty one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-logs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'ctr.log');
  writeFileSync(path, `${ts(0)} stdout F one\n${ts(1)} stdout F two\n${ts(2)} stdout F thr`);
  assert.deepEqual(view(await collect(path, { tail: 1 })), ['stdout:two']);
  assert.deepEqual(view(await collect(path, {})), ['stdout:one', 'stdout:two']);
  assert.deepEqual(await collect(join(dir, 'none.log'), { tail: 3 }), []);
});

test('follow reads across a rotation: the old file is drained, then the new one read from its start', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-logs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'ctr.log');
  writeFileSync(path, `${ts(0)} stdout F a\n`);
  let running = true;
  const ac = new AbortController();
  const seen: string[] = [];
  const reader = (async () => {
    for await (const r of readLogs(path, { follow: true, tail: 1, isRunning: async () => running, signal: ac.signal, pollMs: 20 })) seen.push(r.text);
  })();
  const until = async (n: number) => {
    for (let i = 0; i < 500 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 10));
  };
  await until(1);
  appendFileSync(path, `${ts(1)} stdout F b\n`);
  await until(2);
  // conmon's rotation: the last line reaches the old file just before the new one replaces it.
  appendFileSync(path, `${ts(2)} stdout F c\n`);
  writeFileSync(`${path}.tmp`, `${ts(3)} stdout F d\n`);
  renameSync(`${path}.tmp`, path);
  await until(4);
  appendFileSync(path, `${ts(4)} stdout F e\n`);
  await until(5);
  running = false;
  await reader;
  assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e']);
});

test("the previous run's file is read first: whole, and for a tail longer than the current file", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-logs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'ctr.log');
  writeFileSync(`${path}.1`, [1, 2, 3].map((i) => `${ts(i)} stdout F old ${i}\n`).join(''));
  writeFileSync(path, [4, 5].map((i) => `${ts(i)} stdout F new ${i}\n`).join(''));
  const texts = async (o: Parameters<typeof readLogs>[1]) => (await collect(path, { ...o, previous: `${path}.1` })).map((r) => r.text);
  assert.deepEqual(await texts({}), ['old 1', 'old 2', 'old 3', 'new 4', 'new 5']);
  assert.deepEqual(await texts({ tail: 1 }), ['new 5']);
  assert.deepEqual(await texts({ tail: 2 }), ['new 4', 'new 5']);
  assert.deepEqual(await texts({ tail: 4 }), ['old 2', 'old 3', 'new 4', 'new 5']);
  assert.deepEqual(await texts({ tail: 9 }), ['old 1', 'old 2', 'old 3', 'new 4', 'new 5']);
  assert.deepEqual(await texts({ tail: 9, since: new Date(4) }), ['new 4', 'new 5']);
  rmSync(path);
  assert.deepEqual(await texts({ tail: 2 }), ['old 2', 'old 3']);
});

test('follow from before the log exists reads each line once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-logs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'ctr.log');
  let running = true;
  const seen: string[] = [];
  const reader = (async () => {
    for await (const r of readLogs(path, { follow: true, isRunning: async () => running, pollMs: 10 })) seen.push(r.text);
  })();
  await new Promise((r) => setTimeout(r, 50));
  writeFileSync(path, `${ts(0)} stdout F a\n`);
  for (let i = 0; i < 500 && seen.length < 1; i++) await new Promise((r) => setTimeout(r, 10));
  appendFileSync(path, `${ts(1)} stdout F b\n`);
  for (let i = 0; i < 500 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
  running = false;
  await reader;
  assert.deepEqual(seen, ['a', 'b']);
});
