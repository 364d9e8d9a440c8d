// The lock manager: exclusion between opens (also in one process), release on death, waiting
// without blocking the event loop, and nested holds of one lock in one call chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { LockManager } from './lock-manager.js';

function manager(t: { after: (fn: () => void) => void }): LockManager {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-locks-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return new LockManager(dir);
}

test('a held lock excludes a second holder until released, also within one process', (t) => {
  const m = manager(t);
  const a = m.tryLock('container', 'c1');
  assert.ok(a);
  assert.equal(m.tryLock('container', 'c1'), undefined);
  assert.ok(m.busy('container', 'c1'));
  const other = m.tryLock('container', 'c2');
  assert.ok(other, 'another object is not locked');
  other.release();
  a.release();
  const b = m.tryLock('container', 'c1');
  assert.ok(b);
  b.release();
});

test('a waiter gets the lock when the holder releases it: the holder, on the same event loop, could run meanwhile', async (t) => {
  const m = manager(t);
  const held = m.tryLock('volume', 'v')!;
  // Released from a timer of this very process: were the waiter blocking the loop, this would never run.
  setTimeout(() => held.release(), 50);
  const got = await m.lock('volume', 'v', { timeoutMs: 60_000 });
  got.release();
});

test('a waiter gives up with a clear busy error after its timeout', async (t) => {
  const m = manager(t);
  const held = m.tryLock('container', 'abc')!;
  await assert.rejects(m.lock('container', 'abc', { timeoutMs: 50, what: 'container abc' }), (e: Error) => {
    assert.match(e.message, /^container abc is busy: another skiff process/);
    return true;
  });
  held.release();
});

test('the kernel releases the lock of a process that was killed', async (t) => {
  const m = manager(t);
  const path = m.path('container', 'dead');
  // The child itself holds the lock (fd 9 through flock(1), then exec), then is SIGKILLed.
  const child = spawn('sh', ['-c', 'exec 9>>"$0"; flock -x 9; exec sleep 60', path], { stdio: 'ignore' });
  // Listened for from the start: the exit may come before the lock below is taken.
  const exited = new Promise((r) => child.once('exit', r));
  const deadline = Date.now() + 10_000;
  while (!m.busy('container', 'dead')) {
    assert.ok(Date.now() < deadline, 'the child took the lock');
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill('SIGKILL');
  const l = await m.lock('container', 'dead', { timeoutMs: 10_000 });
  l.release();
  await exited;
});

test('with() nests: the same lock in one call chain is not waited for, a parallel chain waits', async (t) => {
  const m = manager(t);
  const order: string[] = [];
  const first = m.with('container', 'x', async () => {
    order.push('outer');
    await m.with('container', 'x', async () => order.push('inner'), { timeoutMs: 0 });
    await new Promise((r) => setTimeout(r, 50));
    order.push('outer-end');
  });
  await new Promise((r) => setTimeout(r, 10));
  const second = m.with('container', 'x', async () => order.push('second'));
  await Promise.all([first, second]);
  assert.deepEqual(order, ['outer', 'inner', 'outer-end', 'second']);
});

test('markGone removes the lock file with the lock; a waiter on the old file takes the new one', async (t) => {
  const m = manager(t);
  const waiter = (async () => {
    await new Promise((r) => setTimeout(r, 10));
    return m.with('container', 'gone', async () => 'waited');
  })();
  await m.with('container', 'gone', async () => {
    await new Promise((r) => setTimeout(r, 50));
    m.markGone('container', 'gone');
  });
  assert.equal(await waiter, 'waited');
  assert.ok(!existsSync(m.path('container', 'gone')) || !m.busy('container', 'gone'));
});

test('sweep removes the files of free locks whose objects are gone, never a held one', (t) => {
  const m = manager(t);
  m.tryLock('container', 'old')!.release();
  const held = m.tryLock('container', 'busy')!;
  m.tryLock('container', 'live')!.release();
  const removed = m.sweep('container', (n) => n === 'live');
  assert.deepEqual(removed, ['old']);
  assert.ok(existsSync(m.path('container', 'busy')));
  assert.ok(existsSync(m.path('container', 'live')));
  held.release();
});
