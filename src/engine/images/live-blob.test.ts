import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { LocalContentStore } from '../../impl/content/local-store.js';
import { LiveBlob, LiveBlobUnavailable } from './live-blob.js';

const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');
const tick = () => new Promise((r) => setImmediate(r));

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of it) out.push(c);
  return Buffer.concat(out);
}

function withStore(fn: (store: LocalContentStore) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-live-'));
    try {
      await fn(new LocalContentStore(dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'a reader gets a resumed part from the file, then live chunks, and ends after commit',
  withStore(async (store) => {
    const data = randomBytes(3 << 20);
    // An earlier, interrupted download left the first MiB.
    const first = await store.writer('r');
    await first.write(data.subarray(0, 1 << 20));
    await first.release();
    const w = await store.writer('r');
    assert.equal(w.offset, 1 << 20);
    const live = new LiveBlob();
    assert.ok(live.claim());
    assert.ok(!live.claim());
    const got = collect(live.read());
    live.attach(w);
    for (let o = 1 << 20; o < data.length; o += 100_000) {
      const c = data.subarray(o, Math.min(o + 100_000, data.length));
      await w.write(c);
      live.wrote(c);
      // Sometimes the reader is waiting, sometimes it is behind and reads from the file.
      if (o % 3 === 0) await tick();
    }
    await w.commit({ digest: sha(data), size: data.length });
    live.finish();
    assert.ok((await got).equals(data));
  }),
);

test(
  'a reader that starts after the commit still reads every byte',
  withStore(async (store) => {
    const data = randomBytes(100_000);
    const w = await store.writer('r');
    const live = new LiveBlob();
    live.attach(w);
    await w.write(data);
    live.wrote(data);
    await w.commit();
    live.finish();
    assert.ok((await collect(live.read())).equals(data));
  }),
);

test(
  'a failed download fails the reader; a restart after bytes were read asks for the stored blob',
  withStore(async (store) => {
    const live = new LiveBlob();
    const got = collect(live.read());
    live.attach(await store.writer('a'));
    live.fail(new Error('network gone'));
    await assert.rejects(got, /network gone/);

    const again = new LiveBlob();
    const w = await store.writer('b');
    again.attach(w);
    const reading = collect(again.read());
    const c = Buffer.from('hello');
    await w.write(c);
    again.wrote(c);
    await tick();
    await w.abort();
    again.attach(await store.writer('b'));
    await assert.rejects(reading, LiveBlobUnavailable);
  }),
);
