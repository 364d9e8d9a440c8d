import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { decompressed, detectCompression } from './decompress.js';

test('detectCompression reads magic bytes', () => {
  assert.equal(detectCompression(Buffer.from([0x1f, 0x8b, 8, 0])), 'gzip');
  assert.equal(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])), 'zstd');
  assert.equal(detectCompression(Buffer.from('ustar')), 'none');
  assert.equal(detectCompression(Buffer.alloc(0)), 'none');
});

test('decompressed yields the plain bytes and reports each raw chunk', async () => {
  const plain = Buffer.from('hello layer '.repeat(1000));
  const gz = gzipSync(plain);
  // One-byte chunks: the magic spans several chunks.
  const chunks = [...gz].map((b) => Buffer.from([b]));
  let raw = 0;
  const out: Buffer[] = [];
  for await (const c of decompressed((async function* () { yield* chunks; })(), (c) => (raw += c.length))) out.push(c);
  assert.equal(raw, gz.length);
  assert.ok(Buffer.concat(out).equals(plain));
});
