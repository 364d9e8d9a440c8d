import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boolPruneFilter, goDuration, parseUntil, pruneFilter } from './prune-filter.js';

const NOW = Date.UTC(2024, 5, 15, 12, 0, 0);
const f = (o: Record<string, string[]>) => new Map(Object.entries(o));

test('until: Go durations before now, as timetypes.GetTimestamp', () => {
  assert.equal(parseUntil('24h', NOW), NOW - 24 * 3600e3);
  assert.equal(parseUntil('1h30m', NOW), NOW - 90 * 60e3);
  assert.equal(parseUntil('1.5s', NOW), NOW - 1500);
  assert.equal(parseUntil('250ms', NOW), NOW - 250);
  assert.equal(parseUntil('-1h', NOW), NOW + 3600e3);
  assert.equal(goDuration('10'), undefined, 'a duration needs a unit');
  assert.equal(goDuration('1d'), undefined, 'Go has no days');
});

test('until: RFC 3339 timestamps with or without zone, dates, unix seconds[.nanos]', () => {
  assert.equal(parseUntil('2024-06-15T12:00:00Z', NOW), NOW);
  assert.equal(parseUntil('2024-06-15T12:00:00.5Z', NOW), NOW + 500);
  assert.equal(parseUntil('2024-06-15T14:00:00+02:00', NOW), NOW);
  assert.equal(parseUntil('2024-06-15T12:00Z', NOW), NOW);
  assert.equal(parseUntil('2024-06-15T12', NOW), new Date(2024, 5, 15, 12).getTime(), 'no zone: local time');
  assert.equal(parseUntil('2024-06-15', NOW), new Date(2024, 5, 15).getTime());
  assert.equal(parseUntil('1718452800', NOW), NOW);
  assert.equal(parseUntil('1718452800.25', NOW), NOW + 250);
  assert.equal(parseUntil('0', NOW), 0, '"0" is the epoch, not a duration');
  assert.throws(() => parseUntil('yesterday', NOW), /failed to parse value as time or duration/);
  assert.throws(() => parseUntil('2024-13-99x', NOW), /parsing time/);
});

test('keys each prune accepts; one until at most', () => {
  assert.throws(() => pruneFilter('containers', f({ status: ['exited'] })), /invalid filter 'status'/);
  assert.throws(() => pruneFilter('volumes', f({ until: ['1h'] })), /invalid filter 'until'/);
  assert.throws(() => pruneFilter('images', f({ until: ['1h', '2h'] })), /more than one until filter/);
  assert.doesNotThrow(() => pruneFilter('images', f({ dangling: ['true'], until: ['1h'], label: ['a'], 'label!': ['b'] })));
  assert.doesNotThrow(() => pruneFilter('networks', f({ until: ['1h'], label: ['a'], 'label!': ['b'] })));
});

test('labels as dockerd matchLabels: every label= present, not all label! present', () => {
  const p = pruneFilter('containers', f({ label: ['tier', 'app=web'], 'label!': ['keep'] }));
  assert.equal(p.labels({ tier: 'x', app: 'web' }), true);
  assert.equal(p.labels({ tier: 'x', app: 'db' }), false);
  assert.equal(p.labels({ app: 'web' }), false);
  assert.equal(p.labels({ tier: 'x', app: 'web', keep: '' }), false);
  assert.equal(pruneFilter('containers').labels(undefined), true);
  const not = pruneFilter('containers', f({ 'label!': ['tier=a'] }));
  assert.equal(not.labels({ tier: 'b' }), true);
  assert.equal(not.labels({}), true);
  assert.equal(not.labels({ tier: 'a' }), false);
});

test('boolean keys: true/1, false/0, anything else refused', () => {
  assert.equal(boolPruneFilter(pruneFilter('images', f({ dangling: ['false'] })), 'dangling'), false);
  assert.equal(boolPruneFilter(pruneFilter('images', f({ dangling: ['1'] })), 'dangling'), true);
  assert.equal(boolPruneFilter(pruneFilter('images'), 'dangling'), undefined);
  assert.throws(() => boolPruneFilter(pruneFilter('images', f({ dangling: ['maybe'] })), 'dangling'), /invalid filter 'dangling=maybe'/);
});
