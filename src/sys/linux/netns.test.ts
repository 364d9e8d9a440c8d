import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteNetns, makeNetns } from './netns.js';

test('makeNetns: a new namespace with lo up at the path, the calling thread back in its own; deleteNetns removes it and may run twice', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-netns-'));
  const path = join(dir, 'n1');
  const before = readlinkSync('/proc/thread-self/ns/net');
  try {
    makeNetns(dir, path);
    assert.equal(readlinkSync('/proc/thread-self/ns/net'), before);
    const links = execFileSync('nsenter', [`--net=${path}`, 'ip', '-o', 'link'], { encoding: 'utf8' });
    assert.match(links, /^1: lo: <[^>]*\bUP\b/m);
    assert.equal(links.trim().split('\n').length, 1, links);
    assert.throws(() => makeNetns(dir, path), /EEXIST/);
    assert.equal(readlinkSync('/proc/thread-self/ns/net'), before);
  } finally {
    deleteNetns(path);
    deleteNetns(path);
    execFileSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});
