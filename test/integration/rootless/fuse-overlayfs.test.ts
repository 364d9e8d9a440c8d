// The overlay driver mounted by fuse-overlayfs (Podman's mount_program) for a user who is not
// root: chosen in the user's skiff.conf here, since this kernel mounts overlayfs in a user
// namespace itself and the probe would never fall back to it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { need, skipped, root, tool } from '../../helpers/requires.js';
import { makeBusyboxRootfs, tarDir } from '../../helpers/busybox.js';
import { removeTree } from '../../helpers/env.js';
import { cliReachable, makeUser } from './fixtures.js';

const FUSE_OVERLAYFS = '/usr/bin/fuse-overlayfs';
const fuseForUsers = () => {
  let ok = false;
  try {
    ok = (statSync('/dev/fuse').mode & 0o006) === 0o006;
  } catch {
    ok = false;
  }
  return need(ok, '/dev/fuse open to users', 'scripts/setup.sh makes it 0666, as udev does on a desktop');
};
const needs = () => [root(), tool('unshare'), tool('nsenter'), tool('setpriv'), tool('runc'), tool('conmon'), tool('busybox'), tool(FUSE_OVERLAYFS), fuseForUsers(), cliReachable()];

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

test('with mount_program = fuse-overlayfs the rootfs is a FUSE overlay, info names it, and opaque directories, diff and commit work', (t) => {
  if (skipped(t, ...needs())) return;
  const u = makeUser();
  try {
    const conf = join(u.home, '.config', 'skiff');
    mkdirSync(conf, { recursive: true });
    writeFileSync(join(conf, 'skiff.conf'), `[storage]\nmount_program = "${FUSE_OVERLAYFS}"\n`);
    for (const p of [join(u.home, '.config'), conf, join(conf, 'skiff.conf')]) chownSync(p, u.uid, u.gid);
    u.ok(['import', tar, 'bb:1']);
    const info = JSON.parse(u.ok(['info', '--format', 'json'])) as { store: { graphDriverName: string; mountProgram?: string } };
    assert.equal(info.store.graphDriverName, 'overlay');
    assert.equal(info.store.mountProgram, FUSE_OVERLAYFS);
    assert.match(u.ok(['run', '--rm', '--network', 'none', 'bb:1', 'sh', '-c', 'grep " / / " /proc/self/mountinfo']), / - fuse\.fuse-overlayfs /);
    u.ok(['run', '--name', 'one', '--network', 'none', 'bb:1', 'sh', '-c', 'mkdir /d && touch /d/old']);
    u.ok(['commit', 'one', 'one:1']);
    u.ok(['run', '--name', 'two', '--network', 'none', 'one:1', 'sh', '-c', 'rm -rf /d && mkdir /d && touch /d/new']);
    // fuse-overlayfs's own markers are not changes
    assert.deepEqual(u.ok(['diff', 'two']).trim().split('\n').sort(), ['A /d/new', 'C /d']);
    u.ok(['commit', 'two', 'two:1']);
    assert.equal(u.ok(['run', '--rm', '--network', 'none', 'two:1', 'ls', '-a', '/d']), '.\n..\nnew\n');
    u.ok(['rm', 'one', 'two']);
  } finally {
    u.cleanup();
  }
});
