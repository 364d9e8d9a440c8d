import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makedev, mknod } from './syscalls.js';

test('makedev matches glibc', () => {
  assert.equal(makedev(1, 3), 259n);
  assert.equal(makedev(7, 0), 1792n);
  assert.equal(makedev(300, 70000), 286338160n);
});

test('failures carry errno codes like node:fs', () => {
  assert.throws(() => mknod('/nonexistent-dir/x', 0o010600), (e: NodeJS.ErrnoException) => {
    assert.equal(e.code, 'ENOENT');
    assert.equal(e.syscall, 'mknod');
    assert.equal(e.path, '/nonexistent-dir/x');
    return true;
  });
});
