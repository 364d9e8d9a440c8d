import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boolFilter, exactMatch, filterValues, fuzzyMatch, matchLabels, parseFilters } from './filters.js';
import { isEngineError } from '../../core/errdefs.js';

const allowed = ['dangling', 'label', 'label!', 'reference', 'before', 'since', 'id'];

test('parseFilters collects repeated keys, trims, lower-cases keys, drops repeats', () => {
  const f = parseFilters(['label=a=b', ' Label = c ', 'dangling=true', 'label=a=b', 'reference=alpine:*', ''], allowed);
  assert.deepEqual([...f.entries()], [
    ['label', ['a=b', 'c']],
    ['dangling', ['true']],
    ['reference', ['alpine:*']],
  ]);
  assert.deepEqual(filterValues(f, 'since'), []);
  assert.deepEqual(parseFilters(undefined), new Map());
  // "label!=x" is the key "label!", as docker splits at the first "="
  assert.deepEqual(parseFilters(['label!=x'], allowed).get('label!'), ['x']);
  assert.deepEqual(parseFilters(['id='], allowed).get('id'), ['']);
});

test('parseFilters rejects unknown keys and values without "="', () => {
  assert.throws(
    () => parseFilters(['foo=bar'], allowed),
    (e) => isEngineError(e, 'InvalidArgument') && (e as Error).message === "invalid filter 'foo'",
  );
  assert.throws(() => parseFilters(['dangling'], allowed), /bad format of filter \(expected name=value\)/);
  // without an allow-list every key passes
  assert.equal(parseFilters(['anything=1']).size, 1);
});

test('match helpers behave like filters.Args', () => {
  const f = parseFilters(['label=team', 'label=env=prod', 'id=abc', 'reference=alpine'], [...allowed]);
  assert.equal(matchLabels(f, 'label', { team: 'x', env: 'prod' }), true);
  assert.equal(matchLabels(f, 'label', { team: 'x', env: 'dev' }), false);
  assert.equal(matchLabels(f, 'label', { env: 'prod' }), false);
  assert.equal(matchLabels(f, 'label', {}), false);
  assert.equal(matchLabels(f, 'label!', {}), true);
  assert.equal(fuzzyMatch(f, 'id', 'abcdef'), true);
  assert.equal(fuzzyMatch(f, 'id', 'xabc'), false);
  assert.equal(exactMatch(f, 'reference', 'alpine'), true);
  assert.equal(exactMatch(f, 'reference', 'alpine:3'), false);
  assert.equal(exactMatch(f, 'since', 'anything'), true);
});

test('boolFilter reads true/1 and false/0 and rejects anything else', () => {
  assert.equal(boolFilter(parseFilters(['dangling=true']), 'dangling', false), true);
  assert.equal(boolFilter(parseFilters(['dangling=0']), 'dangling', true), false);
  assert.equal(boolFilter(parseFilters([]), 'dangling', true), true);
  assert.throws(() => boolFilter(parseFilters(['dangling=maybe']), 'dangling', false), /invalid filter 'dangling=maybe'/);
  assert.throws(() => boolFilter(parseFilters(['dangling=true', 'dangling=false']), 'dangling', false), /invalid filter/);
});
