// A chain of 200 overlay layers mounts, writable and read-only, although its lowerdir list is
// longer than the one page mount(2) accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLayerDriver } from '../../../src/impl/layers/index.js';
import { mountAll, mountOverlayFromCommonDir, unmount } from '../../../src/sys/mount.js';
import { makeTar, streamOf, tempDir } from './fixtures.js';
import { overlay, root, unmet } from '../../helpers/requires.js';

const N = 200;

test(`${N} lower layers mount with overlay`, { skip: unmet(root(), overlay()) }, async (t) => {
  const dir = tempDir(t);
  const d = createLayerDriver('overlay', join(dir, 'storage'));
  let parent: string | null = null;
  for (let i = 0; i < N; i++) {
    const id = `layer${i}`;
    d.create(id, parent);
    // Each layer adds a file and deletes its parent's, so layer order matters in the result.
    const entries = [{ name: `files/f${i}`, content: String(i) }, { name: 'top', content: String(i) }];
    if (i > 0) entries.push({ name: `files/.wh.f${i - 1}`, content: '' });
    await d.applyDiff(id, streamOf(await makeTar(entries)));
    parent = id;
  }
  const ro = d.mounts(parent!, { readOnly: true });
  assert.ok(ro[0]!.options.join(',').length > 4096, 'the options do not fit in one page');

  const target = join(dir, 'mnt');
  mkdirSync(target);
  mountAll(ro, target);
  try {
    assert.deepEqual(readdirSync(join(target, 'files')), [`f${N - 1}`]);
    assert.equal(readFileSync(join(target, 'top'), 'utf8'), String(N - 1));
  } finally {
    unmount(target);
  }

  // Kernels before 6.8 take relative short links instead: ~29 bytes a layer fits 100 of them.
  const cwd = process.cwd();
  const mid = d.mounts('layer99', { readOnly: true })[0]!;
  assert.ok(mid.options.join(',').length > 4096);
  mountOverlayFromCommonDir(mid, target);
  try {
    assert.equal(process.cwd(), cwd);
    assert.deepEqual(readdirSync(join(target, 'files')), ['f99']);
  } finally {
    unmount(target);
  }

  d.create('container', parent);
  mountAll(d.mounts('container'), target);
  try {
    assert.equal(readFileSync(join(target, 'top'), 'utf8'), String(N - 1));
    writeFileSync(join(target, 'written'), 'rw');
  } finally {
    unmount(target);
  }
  assert.equal(readFileSync(join(d.diffPath('container'), 'written'), 'utf8'), 'rw');
  assert.equal(unmount(target), false);
});
