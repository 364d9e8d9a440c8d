import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpolate, interpolateTree } from './interpolate.js';
import { parseDotenv } from './dotenv.js';

const env: Record<string, string> = { SET: 'value', EMPTY: '', B: 'bee' };
const ctx = { lookup: (k: string) => env[k] };
const run = (s: string) => interpolate(s, ctx);

test('spec "Interpolation": ${VAR} and $VAR take the value; $$ is a literal $', () => {
  assert.equal(run('${SET}/$SET-x'), 'value/value-x');
  assert.equal(run('cost $$5 and $${SET}'), 'cost $5 and ${SET}');
  assert.equal(run('no variables'), 'no variables');
});

test('spec "Interpolation": :- and - defaults (unset or empty vs unset only)', () => {
  assert.equal(run('${UNSET:-d}'), 'd');
  assert.equal(run('${EMPTY:-d}'), 'd');
  assert.equal(run('${SET:-d}'), 'value');
  assert.equal(run('${UNSET-d}'), 'd');
  assert.equal(run('${EMPTY-d}'), '');
  assert.equal(run('${UNSET:-}'), '');
});

test('spec "Interpolation": :+ and + replacements (set and non-empty vs set)', () => {
  assert.equal(run('${SET:+x}'), 'x');
  assert.equal(run('${EMPTY:+x}'), '');
  assert.equal(run('${EMPTY+x}'), 'x');
  assert.equal(run('${UNSET+x}'), '');
});

test('spec "Interpolation": :? and ? fail with the message, naming the variable', () => {
  assert.throws(() => run('${UNSET:?must be set}'), /required variable UNSET is missing a value: must be set/);
  assert.throws(() => run('${EMPTY:?no empty}'), /required variable EMPTY is missing a value: no empty/);
  assert.equal(run('${EMPTY?unused}'), '');
  assert.throws(() => run('${UNSET?}'), /required variable UNSET is missing a value$/);
});

test('Compose v2 nests defaults: the text after an operator is interpolated too', () => {
  assert.equal(run('${UNSET:-${B}}'), 'bee');
  assert.equal(run('${UNSET:-${ALSO_UNSET:-deep}}'), 'deep');
  assert.equal(run('${SET:+${B}-x}'), 'bee-x');
  assert.equal(run('${UNSET:-a$${B}}'), 'a${B}');
});

test('an unset variable without a default is blank, with compose-go\'s warning', () => {
  const warnings: string[] = [];
  assert.equal(interpolate('a${NOPE}b', { lookup: () => undefined, warn: (m) => warnings.push(m) }), 'ab');
  assert.deepEqual(warnings, ['The "NOPE" variable is not set. Defaulting to a blank string.']);
});

test('invalid templates are refused: ${}, an unclosed brace, $ before a non-name', () => {
  for (const bad of ['${}', '${SET', '$1abc', 'end $', '${SET:x}']) assert.throws(() => run(bad), /Invalid template/, bad);
});

test('a whole document: values interpolated, keys left alone, the failing path named', () => {
  const doc = { services: { web: { image: 'nginx:${TAG:-1}', '${KEY}': 1, ports: ['${P:-80}:80'] } } };
  assert.deepEqual(interpolateTree(doc, ctx), { services: { web: { image: 'nginx:1', '${KEY}': 1, ports: ['80:80'] } } });
  assert.throws(() => interpolateTree({ services: { web: { image: '${X:?set X}' } } }, ctx), /interpolating services\.web\.image: required variable X/);
});

test('docs "Use an environment file": .env syntax (export, quotes, comments, escapes, bare keys, interpolation)', () => {
  const text = [
    '# comment',
    'export A=1',
    'B = spaced  # inline comment',
    "C='literal ${A} # kept'",
    'D="line1\\nline2 ${A}"',
    'E=${A}-${OS_ONLY}',
    'F: yaml style',
    'OS_ONLY',
    'MISSING',
    'G="multi',
    'line"',
    'H=',
    'I=a#b',
  ].join('\n');
  const vars = parseDotenv(text, (k) => ({ OS_ONLY: 'os', A: undefined })[k]);
  assert.deepEqual(vars, {
    A: '1',
    B: 'spaced',
    C: 'literal ${A} # kept',
    D: 'line1\nline2 1',
    E: '1-os',
    F: 'yaml style',
    OS_ONLY: 'os',
    G: 'multi\nline',
    H: '',
    I: 'a#b',
  });
});
