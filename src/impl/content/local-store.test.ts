import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
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
    // Re-lock the ingest under a pid that no longer runs.
    const dead = spawnSync('true').pid!;
    const [ingest] = readdirSync(join(dir, 'ingest'));
    writeFileSync(join(dir, 'ingest', ingest!, 'lock'), String(dead));
    const b = await store.writer('ref');
    assert.equal(b.offset, 7);
    await b.abort();
  }),
);
