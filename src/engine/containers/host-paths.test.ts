import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hideHostPaths } from './host-paths.js';

const P = { root: '/var/lib/sk', runroot: '/run/sk', rootfs: '/run/sk/containers/abc/rootfs' };

test("runtime errors name container paths and volume names, not skiff's directories", () => {
  assert.equal(
    hideHostPaths('error mounting "/var/lib/sk/volumes/v1/_data" to rootfs at "/etc/passwd": mount /var/lib/sk/volumes/v1/_data:/etc/passwd: not a directory', P),
    'error mounting "volume v1" to rootfs at "/etc/passwd": mount volume v1:/etc/passwd: not a directory',
  );
  assert.equal(hideHostPaths('open /run/sk/containers/abc/rootfs/bin/busybox/x: not a directory', P), 'open /bin/busybox/x: not a directory');
  assert.equal(hideHostPaths("mount overlay on '/run/sk/containers/abc/rootfs': EBUSY", P), "mount overlay on '/': EBUSY");
  assert.equal(hideHostPaths('stat /var/lib/sk/overlay/l1/diff: ENOENT', P), 'stat <skiff root>/overlay/l1/diff: ENOENT');
  assert.equal(hideHostPaths('read /run/sk/exits/abc', P), 'read <skiff run root>/exits/abc');
  // Paths the user gave (a bind source) and look-alike prefixes stay as they are.
  assert.equal(hideHostPaths('stat /var/lib/skx/data and /home/u/src', P), 'stat /var/lib/skx/data and /home/u/src');
});

test('a run root inside the storage root is named as the run root', () => {
  const nested = { root: '/srv/sk', runroot: '/srv/sk/run', rootfs: '/srv/sk/run/containers/abc/rootfs' };
  assert.equal(hideHostPaths('read /srv/sk/run/exits/abc and /srv/sk/overlay/l', nested), 'read <skiff run root>/exits/abc and <skiff root>/overlay/l');
});
