// The log driver check both fronts share: Docker's decimal sizes, the option table per driver,
// skiff.conf's default max-size, and journald only where its socket is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHumanSize, resolveLogConfig, runtimeLog } from './log-config.js';

const here = { journald: false };

test("sizes read as docker's units.FromHumanSize: decimal multiples", () => {
  assert.equal(parseHumanSize('10m'), 10_000_000);
  assert.equal(parseHumanSize('10MiB'), 10_000_000);
  assert.equal(parseHumanSize('1.5g'), 1_500_000_000);
  assert.equal(parseHumanSize('512 kB'), 512_000);
  assert.equal(parseHumanSize('8192'), 8192);
  for (const bad of ['', 'm', '-1', '10 parsecs', '1e6', '10mm']) assert.equal(parseHumanSize(bad), undefined, bad);
});

test('the default driver, the config default max-size, and what conmon is given', () => {
  assert.deepEqual(resolveLogConfig(undefined, { logSizeMax: -1 }, here), { type: 'json-file', config: {} });
  assert.deepEqual(resolveLogConfig({ type: '', config: {} }, { logSizeMax: 50_000 }, here), { type: 'json-file', config: { 'max-size': '50000' } });
  assert.deepEqual(resolveLogConfig({ type: 'k8s-file', config: { 'max-size': '1m' } }, { logSizeMax: 50_000 }, here), {
    type: 'k8s-file',
    config: { 'max-size': '1m' },
  });
  assert.deepEqual(resolveLogConfig({ type: 'none', config: {} }, { logSizeMax: 50_000 }, here), { type: 'none', config: {} });
  assert.deepEqual(runtimeLog({ type: 'json-file', config: { 'max-size': '10m', 'max-file': '1' } }), { driver: 'k8s-file', sizeMax: 10_000_000 });
  assert.deepEqual(runtimeLog(undefined), { driver: 'k8s-file' });
  assert.deepEqual(runtimeLog({ type: 'journald', config: { tag: 'web' } }), { driver: 'journald', tag: 'web' });
});

test('journald is accepted only where journald listens', () => {
  assert.throws(() => resolveLogConfig({ type: 'journald', config: {} }, { logSizeMax: -1 }, here), /needs a running journald/);
  assert.deepEqual(resolveLogConfig({ type: 'journald', config: { tag: 'x' } }, { logSizeMax: -1 }, { journald: true }), { type: 'journald', config: { tag: 'x' } });
});
