// Following a live k8s-file log while the container writes; the OOM marker conmon leaves in
// --persist-dir (conmon 2.1.6 writes `oom` relative to its cwd too, which is the bundle).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readLogs } from '../../../src/impl/runtime/logs.js';
import { harness, sharedRootfs, skipReason, waitFor } from './fixtures.js';

const skip = skipReason();
let shared: ReturnType<typeof sharedRootfs>;
before(() => {
  if (!skip) shared = sharedRootfs();
});
after(() => shared?.cleanup());

test('logs: follow a running container until it exits; tail and since on the finished log', { skip }, async (t) => {
  const h = harness(t, shared);
  const script = 'for i in 1 2 3 4 5; do echo line $i; sleep 0.2; done; printf "no newline"; sleep 0.2; echo " end" >&2';
  const { c, opts } = h.container({ args: ['sh', '-c', script] });
  await h.runtime.create(c, opts);
  const startedAt = new Date();
  await h.runtime.start(c.id);
  const seen: string[] = [];
  const isRunning = async () => (await h.runtime.readExit(c.id, opts)) === undefined;
  for await (const r of readLogs(opts.logPath, { follow: true, isRunning, pollMs: 50 })) seen.push(`${r.stream}:${r.text}`);
  assert.deepEqual(seen, ['stdout:line 1', 'stdout:line 2', 'stdout:line 3', 'stdout:line 4', 'stdout:line 5', 'stderr: end', 'stdout:no newline']);

  const tail: string[] = [];
  for await (const r of readLogs(opts.logPath, { tail: 2 })) tail.push(r.text);
  assert.deepEqual(tail, [' end', 'no newline']);
  const none: string[] = [];
  for await (const r of readLogs(opts.logPath, { since: new Date(Date.now() + 60_000) })) none.push(r.text);
  assert.deepEqual(none, []);
  const all: string[] = [];
  for await (const r of readLogs(opts.logPath, { since: new Date(startedAt.getTime() - 1000), until: new Date() })) all.push(r.text);
  assert.equal(all.length, 7);
});

test('logs: a follower stops when aborted', { skip }, async (t) => {
  const h = harness(t, shared);
  const { c, opts } = h.container({ args: ['sh', '-c', 'echo first; sleep 100'] });
  await h.runtime.create(c, opts);
  await h.runtime.start(c.id);
  const ac = new AbortController();
  const seen: string[] = [];
  for await (const r of readLogs(opts.logPath, { follow: true, signal: ac.signal })) {
    seen.push(r.text);
    ac.abort();
  }
  assert.deepEqual(seen, ['first']);
  await h.runtime.kill(c.id, 'KILL');
  await waitFor('exit', () => h.runtime.readExit(c.id, opts));
});

test('OOM kill: exit 137 and oomKilled from the persist dir', { skip }, async (t) => {
  const h = harness(t, shared);
  const { c, opts } = h.container({ args: ['tail', '/dev/zero'], memoryLimit: 20 * 1024 * 1024 });
  await h.runtime.create(c, opts);
  await h.runtime.start(c.id);
  const exit = await waitFor('exit file', () => h.runtime.readExit(c.id, opts), 30_000);
  assert.equal(exit.code, 137);
  assert.equal(exit.oomKilled, true);
  assert.ok(existsSync(join(opts.persistDir, 'oom')));
});
