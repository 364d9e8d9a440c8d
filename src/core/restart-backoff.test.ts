import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextDelayMs, restartsAtBoot, shouldRestart } from './restart-backoff.js';

test("Docker's policies: on-failure counts failures only, a user's stop prevents every policy", () => {
  const onFailure = { name: 'on-failure', maximumRetryCount: 2 };
  assert.equal(shouldRestart(onFailure, 1, 1, false), true);
  assert.equal(shouldRestart(onFailure, 1, 2, false), false);
  assert.equal(shouldRestart(onFailure, 0, 0, false), false);
  assert.equal(shouldRestart({ name: 'on-failure', maximumRetryCount: 0 }, 1, 99, false), true);
  assert.equal(shouldRestart({ name: 'always', maximumRetryCount: 0 }, 0, 5, false), true);
  assert.equal(shouldRestart({ name: 'always', maximumRetryCount: 0 }, 0, 5, true), false);
  assert.equal(shouldRestart({ name: 'no', maximumRetryCount: 0 }, 1, 0, false), false);
  assert.equal(restartsAtBoot({ name: 'always', maximumRetryCount: 0 }, true), true);
  assert.equal(restartsAtBoot({ name: 'unless-stopped', maximumRetryCount: 0 }, true), false);
});

test('the back-off: 100 ms doubling up to a minute, reset after 10 s of running', () => {
  assert.equal(nextDelayMs(0, 0), 100);
  assert.equal(nextDelayMs(100, 50), 200);
  assert.equal(nextDelayMs(40_000, 50), 60_000);
  assert.equal(nextDelayMs(3200, 10_000), 100);
});
