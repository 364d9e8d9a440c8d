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

test('cleanName fast path agrees with the slow one', () => {
  for (const n of ['a', 'a/b', '.a/b', 'a/.b', 'a/..b', 'a..', '..a/b', 'a/./b', 'a/../b', 'a//b', 'a/b/', '/a', './a', 'a/.', 'a/..', '.', '']) {
    const slow = (() => {
      const out: string[] = [];
      for (const p of n.split('/')) {
        if (p === '' || p === '.') continue;
        if (p === '..') {
          if (out.length === 0) return null;
          out.pop();
        } else out.push(p);
      }
      return out.join('/');
    })();
    assert.equal(cleanName(n), slow, n);
  }
});
