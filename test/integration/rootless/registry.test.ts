// Push and pull as users who are not root, through a real docker-registry on loopback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { skipped, root, tool } from '../../helpers/requires.js';
import { makeBusyboxRootfs, tarDir } from '../../helpers/busybox.js';
import { removeTree } from '../../helpers/env.js';
import { startRegistry } from '../registry/fixtures.js';
import { cliReachable, makeUser } from './fixtures.js';

const needs = () => [root(), tool('unshare'), tool('nsenter'), tool('setpriv'), tool('runc'), tool('conmon'), tool('busybox'), tool('/usr/bin/docker-registry'), cliReachable()];

let work: string;
let tar: string;

before(() => {
  work = mkdtempSync('/tmp/skiff-rootless-');
  chmodSync(work, 0o755);
  const rootfs = join(work, 'rootfs');
  mkdirSync(rootfs);
  makeBusyboxRootfs(rootfs);
  tar = tarDir(rootfs, join(work, 'bb.tar'));
  chmodSync(tar, 0o644);
});
after(() => removeTree(work));

test('one user pushes to a loopback registry, another pulls the image into their own store and runs it', async (t) => {
  if (skipped(t, ...needs())) return;
  const registry = await startRegistry(join(work, 'registry'));
  const a = makeUser();
  const b = makeUser();
  try {
    const ref = `${registry.host}/rootless/bb:1`;
    a.ok(['import', '--change', 'CMD ["echo", "pulled and run"]', tar, ref]);
    a.ok(['push', ref]);
    const pulled = b.run(['pull', ref]);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(b.ok(['images', '--format', '{{.Repository}}:{{.Tag}}']).trim(), `${registry.host}/rootless/bb:1`);
    assert.equal(b.ok(['run', '--rm', '--network', 'none', ref]), 'pulled and run\n');
  } finally {
    a.cleanup();
    b.cleanup();
    registry.stop();
  }
});
