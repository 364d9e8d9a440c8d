import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanName } from './layer-writer.js';

test('cleanName keeps names inside the root and spots escapes', () => {
  assert.equal(cleanName('./etc/passwd'), 'etc/passwd');
  assert.equal(cleanName('/etc//passwd/'), 'etc/passwd');
  assert.equal(cleanName('a/./b/../c'), 'a/c');
  assert.equal(cleanName('./'), '');
  assert.equal(cleanName('..'), null);
  assert.equal(cleanName('a/../../b'), null);
  assert.equal(cleanName('/../etc'), null);
  assert.equal(cleanName('...'), '...');
});
