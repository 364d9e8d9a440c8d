import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activeHealthConfig, applyProbe, healthSuffix, initialHealth, mergeHealthConfig, probeArgs, type HealthState } from './health.js';

const S = 1e9;
const entry = (code: number, at: number) => ({ Start: new Date(at).toISOString(), End: new Date(at + 10).toISOString(), ExitCode: code, Output: 'x' });

test("the request's fields override the image's one by one; NONE disables", () => {
  const image = { Test: ['CMD', 'true'], Interval: 30 * S, Retries: 5 };
  assert.deepEqual(mergeHealthConfig(image, { Interval: S }), { Test: ['CMD', 'true'], Interval: S, Retries: 5 });
  assert.deepEqual(mergeHealthConfig(image, { Test: ['NONE'] }), { Test: ['NONE'] });
  assert.equal(activeHealthConfig({ Test: ['NONE'] }), undefined);
  assert.equal(activeHealthConfig({ Test: ['CMD'] }), undefined);
  assert.deepEqual(probeArgs({ Test: ['CMD-SHELL', 'exit 1'] }), ['/bin/sh', '-c', 'exit 1']);
  assert.deepEqual(probeArgs({ Test: ['CMD', 'a', 'b'] }), ['a', 'b']);
});

test('healthy at the first success; unhealthy after `retries` failures; failures in the start period do not count', () => {
  const h = { Test: ['CMD', 'x'], Interval: S, Retries: 2, StartPeriod: 10 * S, StartInterval: S / 2 };
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  let s: HealthState = initialHealth(h, t0);
  assert.equal(s.nextProbe, t0 + 500);
  s = applyProbe(h, s, entry(1, t0 + 1000), t0);
  assert.deepEqual([s.status, s.failingStreak], ['starting', 0]);
  s = applyProbe(h, s, entry(1, t0 + 11_000), t0);
  assert.deepEqual([s.status, s.failingStreak], ['starting', 1]);
  s = applyProbe(h, s, entry(1, t0 + 12_000), t0);
  assert.deepEqual([s.status, s.failingStreak], ['unhealthy', 2]);
  s = applyProbe(h, s, entry(0, t0 + 13_000), t0);
  assert.deepEqual([s.status, s.failingStreak], ['healthy', 0]);
  for (let i = 0; i < 7; i++) s = applyProbe(h, s, entry(0, t0 + 14_000 + i * 1000), t0);
  assert.equal(s.log.length, 5);
  assert.equal(healthSuffix('starting'), ' (health: starting)');
});
