import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDurationMs } from './duration.js';

test('Go duration strings and bare seconds', () => {
  assert.equal(parseDurationMs('30s'), 30_000);
  assert.equal(parseDurationMs('1m30s'), 90_000);
  assert.equal(parseDurationMs('500ms'), 500);
  assert.equal(parseDurationMs('1h'), 3_600_000);
  assert.equal(parseDurationMs(2), 2000);
  assert.equal(parseDurationMs('2'), 2000);
  assert.equal(parseDurationMs('30 seconds'), undefined);
  assert.equal(parseDurationMs('s'), undefined);
  assert.equal(parseDurationMs(''), undefined);
  assert.equal(parseDurationMs(true), undefined);
});
