import { test } from 'node:test';
import assert from 'node:assert/strict';
import { historyInstant } from './cache-from.js';

test("history times compare as instants: Go's trimmed fraction, nanoseconds and zones; different instants differ", () => {
  const t = (s: string) => historyInstant(s);
  assert.equal(t('2026-12-07T18:40:01.120Z'), t('2026-12-07T18:40:01.12Z'));
  assert.equal(t('2026-12-07T18:40:01.000Z'), t('2026-12-07T18:40:01Z'));
  assert.equal(t('2026-12-07T19:40:01.5+01:00'), t('2026-12-07T18:40:01.500000000Z'));
  assert.notEqual(t('2026-12-07T18:40:01.123456789Z'), t('2026-12-07T18:40:01.123456788Z'));
  assert.notEqual(t('2026-12-07T18:40:01.12Z'), t('2026-12-07T18:40:01.012Z'));
  assert.equal(t(''), '');
});
