import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesSize, fromHumanSize, humanDuration, humanSize, humanSizeWithPrecision, parseSize, timeAgo } from './units.js';
import { isEngineError } from '../../core/errdefs.js';

test('humanSize is go-units HumanSize: %.4g with decimal units', () => {
  const cases: [number, string][] = [
    [0, '0B'],
    [1, '1B'],
    [999, '999B'],
    [1000, '1kB'],
    [1024, '1.024kB'],
    [4096, '4.096kB'],
    [1240000, '1.24MB'],
    [123456789, '123.5MB'],
    [999999, '1000kB'],
    [1e12, '1TB'],
    [1.5e15, '1.5PB'],
    [1e24, '1YB'],
    [1e27, '1000YB'],
  ];
  for (const [n, want] of cases) assert.equal(humanSize(n), want, String(n));
});

test('humanSizeWithPrecision(…, 3) is the SIZE column of docker images and ps', () => {
  const cases: [number, string][] = [
    [4096, '4.1kB'],
    [1240000, '1.24MB'],
    [7_800_000, '7.8MB'],
    [123456789, '123MB'],
    // Go rounds the exact binary value half to even: 1.125 → 1.12
    [1125, '1.12kB'],
    [1135, '1.14kB'],
    // "1e+03kB" is avoided by printing %.0f instead
    [999_999, '1000kB'],
    [999_500_000, '1000MB'],
  ];
  for (const [n, want] of cases) assert.equal(humanSizeWithPrecision(n, 3), want, String(n));
});

test('bytesSize uses binary units', () => {
  assert.equal(bytesSize(0), '0B');
  assert.equal(bytesSize(1023), '1023B');
  assert.equal(bytesSize(1024), '1KiB');
  assert.equal(bytesSize(1536), '1.5KiB');
  assert.equal(bytesSize(1048576), '1MiB');
  assert.equal(bytesSize(64 * 2 ** 20), '64MiB');
  assert.equal(bytesSize(1.5 * 2 ** 30), '1.5GiB');
  assert.equal(bytesSize(2 ** 40 * 3.25), '3.25TiB');
});

test('humanDuration follows units.HumanDuration boundaries', () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  const cases: [number, string][] = [
    [-5 * s, 'Less than a second'],
    [999, 'Less than a second'],
    [1 * s, '1 second'],
    [59 * s + 999, '59 seconds'],
    [60 * s, 'About a minute'],
    [119 * s, 'About a minute'],
    [2 * m, '2 minutes'],
    [59 * m, '59 minutes'],
    [60 * m, 'About an hour'],
    [89 * m, 'About an hour'],
    [90 * m, '2 hours'],
    [47 * h, '47 hours'],
    [47.5 * h, '2 days'],
    [13 * d, '13 days'],
    [14 * d, '2 weeks'],
    [59 * d, '8 weeks'],
    [60 * d, '2 months'],
    [364 * d, '12 months'],
    [729 * d, '24 months'],
    [730 * d, '2 years'],
    [3 * 365 * d, '3 years'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, String(ms));
});

test('timeAgo is docker’s CREATED column', () => {
  const now = Date.UTC(2024, 5, 1, 12, 0, 0);
  assert.equal(timeAgo(new Date(now - 5 * 60_000), now), '5 minutes ago');
  assert.equal(timeAgo(now - 3 * 3600_000, now), '3 hours ago');
  assert.equal(timeAgo('2024-05-01T12:00:00Z', now), '4 weeks ago');
  assert.equal(timeAgo(now + 10_000, now), 'Less than a second ago');
});

test('parseSize is RAMInBytes: binary multiples, optional b/ib, any case', () => {
  const cases: [string, number][] = [
    ['32', 32],
    ['32b', 32],
    ['32B', 32],
    ['32k', 32 * 1024],
    ['32K', 32 * 1024],
    ['32kb', 32 * 1024],
    ['32Kib', 32 * 1024],
    ['64m', 64 * 2 ** 20],
    ['64 MB', 64 * 2 ** 20],
    ['64MiB', 64 * 2 ** 20],
    ['1.5g', 1.5 * 2 ** 30],
    ['2t', 2 * 2 ** 40],
    ['1p', 2 ** 50],
    ['0.3', 0],
    ['32.3', 32],
    ['0.3m', 314572],
    ['5.', 5],
    ['.5k', 512],
  ];
  for (const [s, want] of cases) assert.equal(parseSize(s), want, s);
  assert.equal(fromHumanSize('32kB'), 32000);
  assert.equal(fromHumanSize('1.5M'), 1_500_000);
});

test('parseSize rejects junk with an invalid-argument error', () => {
  const bad: [string, RegExp][] = [
    ['', /invalid size: ''/],
    ['abc', /invalid size: 'abc'/],
    ['-1', /invalid size: '-1'/],
    ['32x', /invalid suffix: 'x'/],
    ['32kk', /invalid suffix: 'kk'/],
    ['32bb', /invalid suffix: 'bb'/],
    ['32kbx', /invalid suffix: 'kbx'/],
    ['32mib2', /invalid syntax/],
    ['1.2.3', /strconv.ParseFloat: parsing "1.2.3": invalid syntax/],
    [' 32', /invalid syntax/],
  ];
  for (const [s, msg] of bad) {
    assert.throws(() => parseSize(s), (e) => isEngineError(e, 'InvalidArgument') && msg.test((e as Error).message), s);
  }
});
