import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LocalContentStore } from './local-store.js';

const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

function withStore(fn: (store: LocalContentStore, dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-cs-'));
    try {
      await fn(new LocalContentStore(dir), dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'chunks of any size, across the first block and the blocks the worker writes, land once and in order; written follows',
  withStore(async (store) => {
    const data = randomBytes((5 << 20) + 12345);
    const w = await store.writer('big');
    const seen: number[] = [];
    w.watchWritten!((n) => seen.push(n));
    for (let o = 0, i = 0; o < data.length; i++) {
      const n = Math.min(data.length - o, 1 + ((i * 104729) % 300_000));
      await w.write(data.subarray(o, o + n));
      o += n;
    }
    const r = w.openWritten!();
    const { digest, size } = await w.commit({ digest: sha(data), size: data.length });
    assert.equal(w.written, data.length);
    assert.equal(seen.at(-1), data.length);
    assert.deepEqual([...seen].sort((a, b) => a - b), seen, 'written only grows');
    const back = Buffer.alloc(size);
    assert.equal(r.read(back, 0), size);
    r.close();
    assert.ok(back.equals(data));
    assert.ok(readFileSync(store.blobPath(digest)).equals(data));
  }),
);

test(
  'one writer per ref: a second waits for the first to release, then resumes what it wrote',
  withStore(async (store) => {
    const a = await store.writer('ref');
    await a.write(Buffer.from('hello '));
    let second: Awaited<ReturnType<typeof store.writer>> | undefined;
    const waiting = store.writer('ref').then((w) => (second = w));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(second, undefined, 'the second writer waits while the first holds the ref');
    await a.release();
    const b = await waiting;
    assert.equal(b.offset, 6);
    await b.write(Buffer.from('world'));
    const { digest } = await b.commit({ digest: sha(Buffer.from('hello world')) });
    assert.ok(store.has(digest));
  }),
);

test(
  'a committed ref lets the waiting writer start afresh; abort and commit free it too',
  withStore(async (store, dir) => {
    const a = await store.writer('ref');
    const waiting = store.writer('ref');
    await a.write(Buffer.from('x'));
    await a.commit();
    const b = await waiting;
    assert.equal(b.offset, 0);
    await b.abort();
    const c = await store.writer('ref');
    await c.abort();
    assert.deepEqual(readdirSync(join(dir, 'ingest')), []);
  }),
);

test(
  'a lock left by a process that died is taken over, and its bytes resumed',
  withStore(async (store, dir) => {
    const a = await store.writer('ref');
    await a.write(Buffer.from('partial'));
    await a.release();
    // A lock file left behind (here in the old pid format, naming a pid that no longer runs):
    // nobody holds its flock, so it is free whatever it says.
    const dead = spawnSync('true').pid!;
    const [ingest] = readdirSync(join(dir, 'ingest'));
    writeFileSync(join(dir, 'ingest', ingest!, 'lock'), String(dead));
    const b = await store.writer('ref');
    assert.equal(b.offset, 7);
    await b.abort();
  }),
);

test(
  'partial downloads: counted with their bytes, and pruned unless a live process holds them',
  withStore(async (store, dir) => {
    // One held by this process's writer, one by another live process, one by a dead one, one released.
    const mine = await store.writer('mine');
    await mine.write(Buffer.from('12345'));
    const other = await store.writer('other');
    await other.write(Buffer.from('123'));
    await other.release();
    const dead = await store.writer('dead');
    await dead.write(Buffer.from('1234567'));
    await dead.release();
    const released = await store.writer('released');
    await released.write(Buffer.from('12'));
    await released.release();
    const dirOf = (ref: string) => join(dir, 'ingest', createHash('sha256').update(ref).digest('hex').slice(0, 32));
    // Another process holds the flock of 'other' (fd 9, kept across exec); 'dead' has a stale lock file.
    const sleeper = spawn('sh', ['-c', 'exec 9>>"$0"; flock -x 9; exec sleep 60', join(dirOf('other'), 'lock')], { stdio: 'ignore' });
    try {
      writeFileSync(join(dirOf('dead'), 'lock'), String(spawnSync('true').pid));
      for (let i = 0; i < 500 && !store.ingests().some((x) => x.size === 3 && x.active); i++) await new Promise((r) => setTimeout(r, 10));
      const sizes = (active: boolean) =>
        store
          .ingests()
          .filter((i) => i.active === active)
          .map((i) => i.size)
          .sort();
      assert.deepEqual(sizes(true), [3, 5]);
      assert.deepEqual(sizes(false), [2, 7]);
      assert.deepEqual(store.pruneIngests(), { removed: 2, bytes: 9 });
      assert.deepEqual(store.ingests().map((i) => i.size).sort(), [3, 5]);
      // The writer still works on what it holds.
      await mine.write(Buffer.from('6'));
      assert.ok(store.has((await mine.commit({ digest: sha(Buffer.from('123456')) })).digest));
      sleeper.kill();
      await new Promise((r) => sleeper.once('exit', r));
      assert.deepEqual(store.pruneIngests(), { removed: 1, bytes: 3 });
      assert.deepEqual(readdirSync(join(dir, 'ingest')), []);
    } finally {
      sleeper.kill();
    }
  }),
);
