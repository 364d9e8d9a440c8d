import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDockerSignal } from './signal-names.js';

test('isDockerSignal takes what dockerd 20.10 took for STOPSIGNAL and refuses the rest', () => {
  for (const s of ['SIGTERM', 'sigkill', 'TERM', '9', '65', '-1', '+5', 'CLD', 'POLL', 'IOT', 'SIGRTMIN+3', 'RTMAX-14', 'RTMAX']) assert.ok(isDockerSignal(s), s);
  for (const s of ['FOO', '0', '', 'UNUSED', 'SIGRTMIN+16', 'RTMAX-15', '1x', 'sigterm9']) assert.ok(!isDockerSignal(s), s);
});
