import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRlimits, parseUlimit, RLIM_UNLIMITED } from './rlimits.js';

const host = { RLIMIT_NOFILE: { soft: 20000, hard: 20000 }, RLIMIT_NPROC: { soft: 96551, hard: 96551 }, RLIMIT_CORE: { soft: 0, hard: Infinity } };

test('parseUlimit', () => {
  assert.deepEqual(parseUlimit('nofile=1024:2048'), { type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 });
  assert.deepEqual(parseUlimit('nproc=10'), { type: 'RLIMIT_NPROC', soft: 10, hard: 10 });
  assert.deepEqual(parseUlimit('core=-1'), { type: 'RLIMIT_CORE', soft: RLIM_UNLIMITED, hard: RLIM_UNLIMITED });
  for (const bad of ['nofile', 'bogus=1', 'nofile=2:1', 'nofile=a', 'nofile=1:2:3']) assert.throws(() => parseUlimit(bad), /invalid ulimit/);
});

test('the implicit nofile/nproc 1048576 is clamped to the host hard limit', () => {
  const r = buildRlimits([], [], host);
  assert.deepEqual(r, [
    { type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 },
    { type: 'RLIMIT_NPROC', soft: 96551, hard: 96551 },
  ]);
});

test('defaults, then flags; every value at most the host hard limit', () => {
  const r = buildRlimits(['nofile=1024:1024', 'nproc=4096:4096'], ['nofile=1048576:1048576', 'core=-1'], host);
  assert.deepEqual(r, [
    { type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 },
    { type: 'RLIMIT_NPROC', soft: 4096, hard: 4096 },
    { type: 'RLIMIT_CORE', soft: RLIM_UNLIMITED, hard: RLIM_UNLIMITED },
  ]);
  assert.deepEqual(buildRlimits(['nofile=1024:30000'], [], host)[0], { type: 'RLIMIT_NOFILE', soft: 1024, hard: 20000 });
});
