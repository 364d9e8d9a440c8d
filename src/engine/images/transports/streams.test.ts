import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { gzipSync, gunzipSync } from 'node:zlib';
import { conversionFor, convertedMediaType, convertToFile, deferred, verified } from './streams.js';

const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');
const data = Buffer.from('a layer, or close enough'.repeat(1000));
const desc = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(data), size: data.length };

test('verified passes the right bytes and refuses wrong, short and long ones', async () => {
  assert.deepEqual(await buffer(verified(Readable.from([data]), desc, 'layer')), data);
  const wrong = Buffer.from(data);
  wrong[10]! ^= 1;
  await assert.rejects(buffer(verified(Readable.from([wrong]), desc, 'layer')), /refused: its content hashes to/);
  await assert.rejects(buffer(verified(Readable.from([data.subarray(1)]), desc, 'layer')), /bytes, its descriptor gives/);
  await assert.rejects(buffer(verified(Readable.from([data, Buffer.from('x')]), desc, 'layer')), /more than the/);
  const failing = new Readable({ read() { this.destroy(new Error('connection reset')); } });
  await assert.rejects(buffer(verified(failing, desc, 'layer')), /connection reset/);
});

test('deferred carries the stream, or the error, that opening gives', async () => {
  assert.deepEqual(await buffer(deferred(async () => Readable.from([data]))), data);
  await assert.rejects(buffer(deferred(async () => { throw new Error('no such blob'); })), /no such blob/);
});

test('layers are converted only where the destination needs it', () => {
  assert.equal(conversionFor('application/vnd.oci.image.layer.v1.tar', 'compressed'), 'gzip');
  assert.equal(conversionFor('application/vnd.oci.image.layer.v1.tar+gzip', 'compressed'), undefined);
  assert.equal(conversionFor('application/vnd.oci.image.layer.v1.tar+zstd', 'compressed'), undefined);
  assert.equal(conversionFor('application/vnd.docker.image.rootfs.diff.tar.gzip', 'uncompressed'), 'decompress');
  assert.equal(conversionFor('application/vnd.docker.image.rootfs.diff.tar', 'uncompressed'), undefined);
  assert.equal(conversionFor('application/vnd.docker.image.rootfs.diff.tar.gzip', 'as-is'), undefined);
  assert.equal(convertedMediaType('application/vnd.docker.image.rootfs.diff.tar', 'gzip'), 'application/vnd.docker.image.rootfs.diff.tar.gzip');
  assert.equal(convertedMediaType('application/vnd.oci.image.layer.v1.tar+zstd', 'decompress'), 'application/vnd.oci.image.layer.v1.tar');
});

test('convertToFile gzips and decompresses, telling the new digest and size', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-streams-'));
  try {
    const gz = join(dir, 'gz');
    const r = await convertToFile(Readable.from([data]), desc.mediaType, 'gzip', gz);
    const written = readFileSync(gz);
    assert.deepEqual(r, { digest: sha(written), size: written.length });
    assert.deepEqual(gunzipSync(written), data);
    const plain = join(dir, 'plain');
    const p = await convertToFile(Readable.from([gzipSync(data)]), 'application/vnd.oci.image.layer.v1.tar+gzip', 'decompress', plain);
    assert.deepEqual(p, { digest: desc.digest, size: data.length });
    // A source that fails midway fails the conversion instead of leaving it waiting.
    const bad = verified(Readable.from([gzipSync(data)]), desc, 'layer');
    await assert.rejects(convertToFile(bad, 'application/vnd.oci.image.layer.v1.tar+gzip', 'decompress', join(dir, 'bad')), /its descriptor gives/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
