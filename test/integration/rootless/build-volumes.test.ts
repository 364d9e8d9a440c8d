// Rootless builds, volumes and image transfer, as real users who are not root: a multi-stage
// build with RUN steps, a named volume, an image with an opaque directory saved by one user and
// loaded by another, and the default (bridge) network refused until rootless networking exists.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { skipped, root, tool, need } from '../../helpers/requires.js';
import { makeBusyboxRootfs, tarDir } from '../../helpers/busybox.js';
import { removeTree } from '../../helpers/env.js';
import { cliReachable, makeUser, type RootlessUser } from './fixtures.js';

const needs = () => [root(), tool('unshare'), tool('nsenter'), tool('setpriv'), tool('runc'), tool('conmon'), tool('busybox'), cliReachable()];

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
  // where one test user leaves an archive for another
  mkdirSync(join(work, 'drop'), { mode: 0o1777 });
  chmodSync(join(work, 'drop'), 0o1777);
});
after(() => removeTree(work));

function withUser(fn: (u: RootlessUser) => void): void {
  const u = makeUser();
  try {
    fn(u);
  } finally {
    u.cleanup();
  }
}

/** A build context in the user's home, theirs to read. */
function context(u: RootlessUser, containerfile: string): string {
  const dir = join(u.home, 'ctx');
  mkdirSync(dir);
  writeFileSync(join(dir, 'Containerfile'), containerfile);
  writeFileSync(join(dir, 'greeting'), 'hello\n');
  for (const p of [dir, join(dir, 'Containerfile'), join(dir, 'greeting')]) chownSync(p, u.uid, u.gid);
  return dir;
}

test('a multi-stage build with RUN steps (as root and as uid 1000 of the image) runs rootless', (t) => {
  if (skipped(t, ...needs())) return;
  withUser((u) => {
    u.ok(['import', tar, 'bb:1']);
    const ctx = context(
      u,
      [
        'FROM bb:1 AS stage',
        'COPY greeting /greeting',
        'RUN mkdir /out && cat /greeting > /out/built && chown -R 1000:1000 /out',
        'USER 1000:1000',
        'RUN id -u > /out/by && echo "written by $(id -u)" >> /out/built',
        'FROM bb:1',
        'COPY --from=stage /out /out',
        'RUN cat /out/built',
        'CMD ["cat", "/out/built", "/out/by"]',
      ].join('\n') + '\n',
    );
    const r = u.run(['build', '-t', 'built:1', ctx]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /written by 1000/);
    assert.equal(u.ok(['run', '--rm', '--network', 'none', 'built:1']), 'hello\nwritten by 1000\n1000\n');
    assert.equal(u.ok(['run', '--rm', '--network', 'none', 'built:1', 'stat', '-c', '%u', '/out/by']), '1000\n');
  });
});

test('a named volume keeps what one rootless container wrote for the next, owned by the user on the host', (t) => {
  if (skipped(t, ...needs())) return;
  withUser((u) => {
    u.ok(['import', tar, 'bb:1']);
    u.ok(['volume', 'create', 'data']);
    u.ok(['run', '--rm', '--network', 'none', '-v', 'data:/data', 'bb:1', 'sh', '-c', 'echo kept > /data/f']);
    assert.equal(u.ok(['run', '--rm', '--network', 'none', '-v', 'data:/data', 'bb:1', 'cat', '/data/f']), 'kept\n');
    const mountpoint = u.ok(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'data']).trim();
    assert.ok(mountpoint.startsWith(`${u.home}/.local/share/skiff/`), mountpoint);
    assert.equal(statSync(join(mountpoint, 'f')).uid, u.uid);
    u.ok(['volume', 'rm', 'data']);
  });
});

test("an image whose layer makes a directory opaque, saved by one user and loaded by another, hides the lower layer's files", (t) => {
  if (skipped(t, ...needs())) return;
  withUser((a) =>
    withUser((b) => {
      a.ok(['import', tar, 'bb:1']);
      const ctx = context(a, 'FROM bb:1\nRUN mkdir /d && touch /d/old\nRUN rm -rf /d && mkdir /d && touch /d/new\n');
      a.ok(['build', '-t', 'opaque:1', ctx]);
      assert.equal(a.ok(['run', '--rm', '--network', 'none', 'opaque:1', 'ls', '/d']), 'new\n');
      const archive = join(work, 'drop', `opaque-${a.name}.tar`);
      a.ok(['save', '-o', archive, 'opaque:1']);
      chmodSync(archive, 0o644);
      b.ok(['load', '-i', archive]);
      assert.equal(b.ok(['run', '--rm', '--network', 'none', 'opaque:1', 'ls', '/d']), 'new\n');
    }),
  );
});

test('the default network is slirp4netns (tap0 in the container, needs slirp4netns and a 0666 /dev/net/tun); host works', (t) => {
  if (skipped(t, ...needs(), tool('slirp4netns'), need((statSync('/dev/net/tun', { throwIfNoEntry: false })?.mode ?? 0) % 8 === 6, '/dev/net/tun mode 0666', 'scripts/setup.sh'))) return;
  withUser((u) => {
    u.ok(['import', tar, 'bb:1']);
    assert.equal(u.ok(['run', '--rm', 'bb:1', 'ls', '/sys/class/net']).trim().split(/\s+/).sort().join(' '), 'lo tap0');
    assert.equal(u.ok(['run', '--rm', '--network', 'host', 'bb:1', 'echo', 'on the host network']), 'on the host network\n');
  });
});
