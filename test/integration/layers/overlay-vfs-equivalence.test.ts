// Two layers (the second with whiteouts, opaque dirs, hard links to lower files, devices and
// xattrs) must give the same tree through an overlay mount as through vfs full copies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LayerDriver } from '../../../src/core/layers/driver.js';
import { createLayerDriver } from '../../../src/impl/layers/index.js';
import { mountAll, unmount } from '../../../src/sys/mount.js';
import { makeTar, recordTree, streamOf, tempDir } from './fixtures.js';
import type { Ent } from './fixtures.js';
import { overlay, root, unmet } from '../../helpers/requires.js';


const BASE: Ent[] = [
  { name: './', mode: 0o755 },
  { name: 'etc/', mode: 0o755 },
  { name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' },
  { name: 'etc/hosts', content: '127.0.0.1 localhost\n' },
  { name: 'etc/sub/', mode: 0o750, uid: 1000, gid: 1000 },
  { name: 'etc/sub/conf', content: 'a=1\n', uid: 1000, gid: 1000, mode: 0o600 },
  { name: 'etc/link', type: 'symlink', linkname: 'passwd' },
  { name: 'usr/', mode: 0o755 },
  { name: 'usr/lib/', mode: 0o755 },
  { name: 'usr/bin/', mode: 0o755 },
  { name: 'usr/bin/su', content: 'su-binary', mode: 0o4755 },
  { name: 'usr/bin/wall', content: 'wall-binary', mode: 0o2755, gid: 5 },
  { name: 'usr/bin/su-hard', type: 'link', linkname: 'usr/bin/su' },
  { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
  { name: 'tmp/', mode: 0o1777 },
  { name: 'dev/', mode: 0o755 },
  { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
  { name: 'dev/loop0', type: 'block-device', devmajor: 7, devminor: 0, mode: 0o660, gid: 6 },
  { name: 'dev/initctl', type: 'fifo', mode: 0o600 },
  { name: 'data/', mode: 0o755 },
  { name: 'data/x', content: 'x' },
  { name: 'data/y', content: 'y' },
  { name: 'opq/', mode: 0o755 },
  { name: 'opq/a', content: 'a' },
  { name: 'opq/sub/', mode: 0o755 },
  { name: 'opq/sub/c', content: 'c' },
  { name: 'opq2/', mode: 0o711 },
  { name: 'opq2/old', content: 'old' },
  { name: 'keep/', mode: 0o755 },
  { name: 'keep/inner/', mode: 0o755 },
  { name: 'keep/inner/f', content: 'f' },
  { name: 'replace/', mode: 0o755 },
  { name: 'replace/child', content: 'child' },
  { name: 'shared/', mode: 0o755 },
  { name: 'shared/orig', content: 'original', mode: 0o640, uid: 7, gid: 8 },
  { name: 'xattr-file', content: 'xa', pax: { 'SCHILY.xattr.user.note': 'hello', 'SCHILY.xattr.trusted.tag': 'v1' } },
  { name: 'owned', content: 'o', uid: 1234, gid: 5678, mode: 0o664 },
];

const TOP: Ent[] = [
  { name: 'etc/.wh.passwd' },
  { name: 'etc/hosts', content: '127.0.0.1 localhost top\n' },
  // no "etc/sub/" entry: the parent must come out with the lower layer's owner and mode
  { name: 'etc/sub/extra', content: 'extra' },
  { name: 'data/.wh.x' },
  // opaque marker after a sibling this layer adds: the sibling must survive
  { name: 'opq/', mode: 0o755 },
  { name: 'opq/new', content: 'new' },
  { name: 'opq/.wh..wh..opq' },
  // opaque marker before the siblings
  { name: 'opq2/', mode: 0o711 },
  { name: 'opq2/.wh..wh..opq' },
  { name: 'opq2/n1', content: 'n1' },
  { name: '.wh.keep' },
  { name: 'replace', content: 'now a file' },
  { name: 'newlink', type: 'link', linkname: 'shared/orig' },
  { name: 'l2/', mode: 0o755 },
  { name: 'l2/a', content: 'l2a', mode: 0o4750, uid: 3 },
  { name: 'l2/b', type: 'link', linkname: 'l2/a' },
  { name: 'deep/a/b/c', content: 'deep' },
  { name: 'usr/bin/ping', content: 'ping', pax: { 'SCHILY.xattr.user.caps': 'cap' } },
  { name: 'dev/zero', type: 'character-device', devmajor: 1, devminor: 5, mode: 0o666 },
];

async function build(driver: LayerDriver): Promise<void> {
  driver.create('base', null);
  await driver.applyDiff('base', streamOf(await makeTar(BASE)));
  driver.create('top', 'base');
  await driver.applyDiff('top', streamOf(await makeTar(TOP)));
}

function viewMounted(driver: LayerDriver, id: string, target: string, readOnly: boolean): Map<string, string> {
  mkdirSync(target, { recursive: true });
  mountAll(driver.mounts(id, { readOnly }), target);
  try {
    return recordTree(target);
  } finally {
    unmount(target);
  }
}

test('overlay and vfs give the same tree for layers with whiteouts, opaque dirs and hard links', { skip: unmet(root(), overlay()) }, async (t) => {
  const dir = tempDir(t);
  const vfs = createLayerDriver('vfs', join(dir, 'storage'));
  const ovl = createLayerDriver('overlay', join(dir, 'storage'));
  await build(vfs);
  await build(ovl);

  const want = viewMounted(vfs, 'top', join(dir, 'mnt-vfs'), true);
  // The expected effects, so that a bug shared by both drivers cannot pass unnoticed.
  assert.equal(want.has('etc/passwd'), false);
  assert.equal(want.has('data/x'), false);
  assert.equal(want.has('keep'), false);
  assert.deepEqual([...want.keys()].filter((k) => k.startsWith('opq/')), ['opq/new']);
  assert.deepEqual([...want.keys()].filter((k) => k.startsWith('opq2/')), ['opq2/n1']);
  assert.match(want.get('replace')!, /^file /);
  assert.match(want.get('etc/sub')!, /^dir 750 1000:1000/);
  assert.match(want.get('usr/bin/su')!, /^file 4755 /);
  assert.match(want.get('usr/bin/wall')!, /^file 2755 0:5/);
  assert.match(want.get('l2/a')!, /^file 4750 3:0 .* links l2\/a\|l2\/b$/);
  assert.match(want.get('newlink')!, /links /);
  assert.match(want.get('xattr-file')!, /user\.note=68656c6c6f/);
  assert.match(want.get('dev/loop0')!, /^blk 660 0:6 dev 1792/);
  assert.match(want.get('tmp')!, /^dir 1777 /);

  const ro = viewMounted(ovl, 'top', join(dir, 'mnt-ovl-ro'), true);
  assert.deepEqual(ro, want);

  // A writable container layer on top shows the same tree.
  ovl.create('rw', 'top');
  const rw = viewMounted(ovl, 'rw', join(dir, 'mnt-ovl-rw'), false);
  assert.deepEqual(rw, want);

  // The overlay diff holds whiteouts as 0/0 devices and opaque markers, not deletions.
  const topDiff = recordTree(ovl.diffPath('top'));
  assert.match(topDiff.get('etc/passwd')!, /^chr .* dev 0$/);
  assert.match(topDiff.get('keep')!, /^chr .* dev 0$/);
  assert.equal(topDiff.has('opq/.wh..wh..opq'), false);
  assert.deepEqual(readdirSync(ovl.diffPath('top')).includes('.wh.keep'), false);
});

test('base layer alone: overlay read-only is a bind, writable mounts over an empty lower', { skip: unmet(root(), overlay()) }, async (t) => {
  const dir = tempDir(t);
  const vfs = createLayerDriver('vfs', join(dir, 'storage'));
  const ovl = createLayerDriver('overlay', join(dir, 'storage'));
  for (const d of [vfs, ovl]) {
    d.create('base', null);
    await d.applyDiff('base', streamOf(await makeTar(BASE)));
  }
  assert.equal(ovl.mounts('base', { readOnly: true })[0]!.type, 'bind');
  const want = viewMounted(vfs, 'base', join(dir, 'a'), true);
  assert.deepEqual(viewMounted(ovl, 'base', join(dir, 'b'), true), want);
  ovl.create('scratch', null);
  const empty = viewMounted(ovl, 'scratch', join(dir, 'c'), false);
  assert.deepEqual([...empty.keys()], ['.']);
});
