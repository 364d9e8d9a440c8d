// diffID and compressed digest equal sha256sum of the tar and of the blob as received, for
// plain, gzip and zstd input; contents come out the same whatever the compression.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createLayerDriver } from '../../../src/impl/layers/index.js';
import { lgetxattr, lsetxattr } from '../../../src/sys/linux/syscalls.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';
import { sh } from '../../helpers/env.js';
import { recordTree, tempDir } from './fixtures.js';
import { overlay, root, tool, unmet } from '../../helpers/requires.js';


function sha256sum(path: string): string {
  return 'sha256:' + sh(`sha256sum '${path}'`).split(' ')[0];
}

test('digests and sizes match sha256sum for plain, gzip and zstd layers', { skip: unmet(root(), tool('zstd')) }, async (t) => {
  const dir = tempDir(t);
  const tar = makeBusyboxTar(dir, join(dir, 'layer.tar'));
  sh(`gzip -k -6 '${tar}'`);
  sh(`zstd -q -3 '${tar}' -o '${tar}.zst'`);
  const blobs = [tar, `${tar}.gz`, `${tar}.zst`];
  const d = createLayerDriver('vfs', join(dir, 'storage'));
  const diffId = sha256sum(tar);
  let first: Map<string, string> | null = null;
  for (const [i, blob] of blobs.entries()) {
    d.create(`l${i}`, null);
    const r = await d.applyDiff(`l${i}`, createReadStream(blob));
    assert.equal(r.diffId, diffId, blob);
    assert.equal(r.compressedDigest, sha256sum(blob), blob);
    assert.equal(r.compressedSize, statSync(blob).size, blob);
    assert.equal(r.uncompressedSize, statSync(tar).size, blob);
    const tree = recordTree(d.diffPath(`l${i}`));
    if (first) assert.deepEqual(tree, first, blob);
    first ??= tree;
  }
  assert.match(first!.get('bin/sh')!, /^symlink .* -> busybox$/);
});

test('big files stream through intact; binary xattrs written by GNU tar survive', { skip: unmet(root(), overlay()) }, async (t) => {
  const dir = tempDir(t);
  const src = join(dir, 'src');
  sh(`mkdir -p '${src}' && head -c 50000000 /dev/urandom > '${src}/big' && printf small > '${src}/cap'`);
  const value = Buffer.from([0x01, 0x00, 0x00, 0x02, 0xff, 0xfe, 0x80, 0x00]);
  lsetxattr(join(src, 'cap'), 'trusted.bin', value);
  sh(`tar --xattrs --xattrs-include='*' --numeric-owner -C '${src}' -cf '${dir}/x.tar' big cap`);
  const d = createLayerDriver('overlay', join(dir, 'storage'));
  d.create('big', null);
  const r = await d.applyDiff('big', createReadStream(join(dir, 'x.tar'), { highWaterMark: 1 << 20 }));
  assert.equal(r.diffId, sha256sum(join(dir, 'x.tar')));
  assert.ok(readFileSync(join(d.diffPath('big'), 'big')).equals(readFileSync(join(src, 'big'))));
  assert.deepEqual(lgetxattr(join(d.diffPath('big'), 'cap'), 'trusted.bin'), value);
});
