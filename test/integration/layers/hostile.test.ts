// Hostile layer tars are refused with InvalidArgument naming the entry, and nothing is ever
// written (or deleted) outside the layer directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isEngineError } from '../../../src/core/errdefs.js';
import { createLayerDriver } from '../../../src/impl/layers/index.js';
import type { LayerDriverName } from '../../../src/impl/layers/index.js';
import { makeTar, rawHeader, streamOf, tempDir } from './fixtures.js';
import type { Ent } from './fixtures.js';
import { overlay, root, unmet } from '../../helpers/requires.js';

const drivers: LayerDriverName[] = ['vfs', 'overlay'];
const skipFor = (driver: LayerDriverName) => unmet(root(), ...(driver === 'overlay' ? [overlay()] : []));

interface Case {
  name: string;
  /** Entries, given the absolute path of the sentinel directory outside the layer. */
  tar: (outside: string) => Promise<Buffer> | Buffer;
  entry: string;
  limits?: { maxEntrySize?: number; maxTotalSize?: number };
}

const deep = '../'.repeat(12);

const CASES: Case[] = [
  { name: 'dot-dot escape', entry: `${deep}outside/pwned`, tar: () => makeTar([{ name: `${deep}outside/pwned`, content: 'x' }]) },
  {
    name: 'dot-dot escape hidden mid-path',
    entry: 'a/../../x',
    tar: () => makeTar([{ name: 'a/', type: 'directory' }, { name: 'a/../../x', content: 'x' }]),
  },
  { name: 'absolute path climbing out', entry: '/../../pwned', tar: () => makeTar([{ name: '/../../pwned', content: 'x' }]) },
  {
    name: 'write through a symlink to an absolute dir',
    entry: 'evil/pwned',
    tar: (o) => makeTar([{ name: 'evil', type: 'symlink', linkname: o }, { name: 'evil/pwned', content: 'x' }]),
  },
  {
    name: 'write through a relative symlink climbing out',
    entry: 'evil/pwned',
    tar: () => makeTar([{ name: 'evil', type: 'symlink', linkname: deep.slice(0, -1) }, { name: 'evil/pwned', content: 'x' }]),
  },
  {
    name: 'directory replaced by a symlink, then written through',
    entry: 'd/pwned',
    tar: (o) =>
      makeTar([{ name: 'd/', type: 'directory' }, { name: 'd', type: 'symlink', linkname: o }, { name: 'd/pwned', content: 'x' }]),
  },
  {
    name: 'directory entry through a symlink',
    entry: 'evil/sub/',
    tar: (o) => makeTar([{ name: 'evil', type: 'symlink', linkname: o }, { name: 'evil/sub/', type: 'directory' }]),
  },
  {
    name: 'hard link to a file outside',
    entry: 'h',
    tar: () => makeTar([{ name: 'h', type: 'link', linkname: `${deep}outside/sentinel` }]),
  },
  {
    name: 'hard link through a symlink',
    entry: 'h',
    tar: (o) => makeTar([{ name: 's', type: 'symlink', linkname: o }, { name: 'h', type: 'link', linkname: 's/sentinel' }]),
  },
  {
    name: 'whiteout through a symlink',
    entry: 'evil/.wh.sentinel',
    tar: (o) => makeTar([{ name: 'evil', type: 'symlink', linkname: o }, { name: 'evil/.wh.sentinel' }]),
  },
  {
    name: 'opaque marker through a symlink',
    entry: 'evil/.wh..wh..opq',
    tar: (o) => makeTar([{ name: 'evil', type: 'symlink', linkname: o }, { name: 'evil/.wh..wh..opq' }]),
  },
  {
    name: 'absurd entry size',
    entry: 'huge',
    tar: () => Buffer.concat([rawHeader('huge', { size: 2 ** 50 }), Buffer.alloc(4096)]),
  },
  {
    name: 'entry over the configured limit',
    entry: 'big',
    limits: { maxEntrySize: 1000 },
    tar: () => makeTar([{ name: 'big', content: Buffer.alloc(2000) }]),
  },
  {
    name: 'a file named like the root',
    entry: './',
    tar: () => Buffer.concat([rawHeader('./', { typeflag: '7' }), Buffer.alloc(1024)]),
  },
  {
    name: 'unsupported entry type (GNU sparse)',
    entry: 'sparse',
    tar: () => Buffer.concat([rawHeader('sparse', { typeflag: 'S' }), Buffer.alloc(1024)]),
  },
];

function snapshot(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: false }).sort().join('\n') + readFileSync(join(dir, 'sentinel'), 'utf8');
}

for (const driverName of drivers) {
  for (const c of CASES) {
    test(`${driverName}: refuses ${c.name}`, { skip: skipFor(driverName) }, async (t) => {
      const dir = tempDir(t);
      const outside = join(dir, 'outside');
      mkdirSync(outside);
      writeFileSync(join(outside, 'sentinel'), 'keep me');
      const before = snapshot(outside);
      const d = createLayerDriver(driverName, join(dir, 'storage'), c.limits);
      d.create('base', null);
      await d.applyDiff('base', streamOf(await makeTar([{ name: 'etc/', type: 'directory' }])));
      d.create('top', 'base');
      const tar = await c.tar(outside);
      await assert.rejects(d.applyDiff('top', streamOf(tar)), (e: unknown) => {
        assert.ok(isEngineError(e, 'InvalidArgument'), `want InvalidArgument, got ${String(e)}`);
        assert.ok((e as Error).message.includes(`"${c.entry}"`), `message names the entry: ${(e as Error).message}`);
        return true;
      });
      assert.equal(snapshot(outside), before);
      assert.equal(existsSync(join(dir, 'pwned')), false);
      assert.equal(existsSync(join(dir, 'storage', 'pwned')), false);
      d.remove('top');
      assert.equal(d.exists('top'), false);
    });
  }

  test(`${driverName}: total size limit`, { skip: skipFor(driverName) }, async (t) => {
    const dir = tempDir(t);
    const d = createLayerDriver(driverName, join(dir, 'storage'), { maxTotalSize: 100_000 });
    d.create('one', null);
    const entries: Ent[] = Array.from({ length: 10 }, (_, i) => ({ name: `f${i}`, content: Buffer.alloc(20_000) }));
    await assert.rejects(d.applyDiff('one', streamOf(await makeTar(entries))), (e: unknown) => isEngineError(e, 'InvalidArgument'));
  });

  test(`${driverName}: truncated and garbage input`, { skip: skipFor(driverName) }, async (t) => {
    const dir = tempDir(t);
    const d = createLayerDriver(driverName, join(dir, 'storage'));
    const tar = await makeTar([{ name: 'f', content: Buffer.alloc(10_000, 1) }]);
    d.create('a', null);
    await assert.rejects(d.applyDiff('a', streamOf(tar.subarray(0, 3000))), (e: unknown) => isEngineError(e, 'InvalidArgument'));
    d.create('b', null);
    await assert.rejects(d.applyDiff('b', streamOf(Buffer.alloc(2048, 0x41))), (e: unknown) => isEngineError(e, 'InvalidArgument'));
    const gz = gzipSync(tar);
    gz.fill(0x55, 10, gz.length - 8);
    d.create('c', null);
    await assert.rejects(d.applyDiff('c', streamOf(gz)), (e: unknown) => isEngineError(e, 'InvalidArgument'));
  });

  // Decision: a leading "/" is refused (Docker strips it); "./" and ".." that stay inside are fine.
  test(`${driverName}: absolute names are refused, relative ones that stay inside land inside`, { skip: skipFor(driverName) }, async (t) => {
    const dir = tempDir(t);
    const d = createLayerDriver(driverName, join(dir, 'storage'));
    d.create('one', null);
    await assert.rejects(
      d.applyDiff('one', streamOf(await makeTar([{ name: `/${dir}/abs`, content: 'in' }]))),
      (e: unknown) => isEngineError(e, 'InvalidArgument') && /absolute path/.test((e as Error).message),
    );
    assert.equal(existsSync(join(dir, 'abs')), false);
    d.create('two', null);
    await d.applyDiff('two', streamOf(await makeTar([{ name: './etc/../rel', content: 'in' }])));
    assert.equal(readFileSync(join(d.diffPath('two'), 'rel'), 'utf8'), 'in');
  });
}
