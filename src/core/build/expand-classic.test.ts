import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandWord } from './expand.js';

const vars: Record<string, string> = { SET: 'v', EMPTY: '' };
const lookup = (n: string) => vars[n];
const classic = (w: string) => expandWord(w, lookup, '\\', 'classic');

test("classic dialect: ${x-w}, ${x+w}, ${x#p}, ${x%p}, ${x/p/r} are refused with dockerd 20.10's message", () => {
  for (const w of ['${UNSET-x}', '${SET+x}', '${SET#v}', '${SET%v}', '${SET/v/w}']) {
    assert.throws(() => classic(w), { message: "missing ':' in substitution" }, w);
  }
});

test('classic dialect: ${x:-w}, ${x:+w}, ${x?w}, ${x:?w} work; ${x:=w} is an unsupported modifier', () => {
  assert.equal(classic('${UNSET:-d}'), 'd');
  assert.equal(classic('${EMPTY:+p}'), '');
  assert.equal(classic('${SET:+p}'), 'p');
  assert.equal(classic('${SET?m}'), 'v');
  assert.throws(() => classic('${UNSET:?m}'), { message: 'UNSET: m' });
  assert.throws(() => classic('${UNSET:=w}'), { message: 'unsupported modifier (=) in substitution' });
});

test("buildkit dialect (the default) keeps BuildKit's forms", () => {
  assert.equal(expandWord('${UNSET-x}', lookup), 'x');
  assert.equal(expandWord('${SET+x}', lookup), 'x');
});
