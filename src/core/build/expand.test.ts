import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandError, expandHeredoc, expandWord, expandWords, referencedVars } from './expand.js';
import { parseMount } from './mount.js';
import { platformArgs } from './platform.js';

const env: Record<string, string> = { x: 'X', e: '', p: 'foo/bar/baz.tar.gz', sp: 'a  b', star: '*' };
const lookup = (n: string) => env[n];

test('expandWord: variables, modifiers, quotes and escapes', () => {
  const cases: [string, string][] = [
    ['$x', 'X'],
    ['${x}y', 'Xy'],
    ['$xy', ''],
    ['$unset', ''],
    ['a$', 'a$'],
    ['$1', ''],
    ['${x:-d}', 'X'],
    ['${e:-d}', 'd'],
    ['${u:-d}', 'd'],
    ['${e-d}', ''],
    ['${u-d}', 'd'],
    ['${x:+y}', 'y'],
    ['${e:+y}', ''],
    ['${e+y}', 'y'],
    ['${u+y}', ''],
    ['${u:-$x}', 'X'],
    ['${u:-${e:-nested}}', 'nested'],
    ['${u:-a b}', 'a b'],
    ['${x?}', 'X'],
    ['${p#*/}', 'bar/baz.tar.gz'],
    ['${p##*/}', 'baz.tar.gz'],
    ['${p%.*}', 'foo/bar/baz.tar'],
    ['${p%%.*}', 'foo/bar/baz'],
    ['${p#nomatch}', 'foo/bar/baz.tar.gz'],
    ['${p/a/_}', 'foo/b_r/baz.tar.gz'],
    ['${p//a/_}', 'foo/b_r/b_z.t_r.gz'],
    ['${p/b*r/Q}', 'foo/Q.gz'],
    ['${star#\\*}', ''],
    ["'$x'", '$x'],
    ['"$x"', 'X'],
    [`"'$x'"`, "'X'"],
    ['"a\\"b"', 'a"b'],
    ['"a\\b"', 'a\\b'],
    ['"\\$x"', '$x'],
    ["'a\\b'", 'a\\b'],
    ['\\$x', '$x'],
    ['a\\ b', 'a b'],
    ['\\\\', '\\'],
    ['trailing\\', 'trailing'],
    ['"x y"z', 'x yz'],
  ];
  for (const [word, want] of cases) assert.equal(expandWord(word, lookup), want, word);
});

test('expandWord: the backtick escape directive', () => {
  assert.equal(expandWord('`$x', lookup, '`'), '$x');
  assert.equal(expandWord('c:\\dir\\$x', lookup, '`'), 'c:\\dir\\X');
  assert.equal(expandWord('"a`"b"', lookup, '`'), 'a"b');
});

test('expandWord: errors as BuildKit words them', () => {
  const bad: [string, RegExp][] = [
    ['${x', /syntax error: missing '}'/],
    ['${}', /bad substitution/],
    ['${:x}', /bad substitution/],
    ['${x:=y}', /unsupported modifier \(:=\) in substitution/],
    ['${u?}', /u: is not allowed to be unset/],
    ['${e:?must be set}', /e: must be set/],
    ["'open", /matching single-quote/],
    ['"open', /matching double-quote/],
    ['${x/a}', /missing '\/' in \$\{\}/],
  ];
  for (const [word, re] of bad) assert.throws(() => expandWord(word, lookup), re, word);
  const e = expandError('Dockerfile', 7, '${x', new Error("syntax error: missing '}'"));
  assert.equal(e.code, 'InvalidArgument');
  assert.equal(e.message, `Dockerfile:7: failed to process "\${x": syntax error: missing '}'`);
});

test('expandWords: splits on blanks from variables, not on quoted or escaped ones', () => {
  assert.deepEqual(expandWords('80/tcp $sp', lookup), ['80/tcp', 'a', 'b']);
  assert.deepEqual(expandWords('"$sp" c\\ d', lookup), ['a  b', 'c d']);
  assert.deepEqual(expandWords('  ', lookup), []);
  assert.deepEqual(expandWords('$e', lookup), []);
  assert.deepEqual(expandWords('""', lookup), []);
});

test('expandHeredoc: variables expand, quotes and escapes stay', () => {
  assert.equal(expandHeredoc('echo "$x" \'$x\' \\$x\n', lookup), 'echo "X" \'X\' \\$x\n');
});

test('referencedVars: every name a word looks up', () => {
  assert.deepEqual([...referencedVars('${a:-$b} "$c" \'$d\' \\$e')].sort(), ['a', 'b', 'c']);
});

test('parseMount with an expander gives the final mount', () => {
  const m = parseMount('type=cache,target=$HOME/.cache,uid=$UID,id=${ID:-def}', (w) => expandWord(w, (n) => ({ HOME: '/root', UID: '7' })[n]));
  assert.deepEqual([m.type, m.target, m.uid, m.id, m.readonly], ['cache', '/root/.cache', 7, 'def', false]);
  assert.throws(() => parseMount('type=$T,target=/x', () => 'nfs'), /unsupported mount type "nfs"/);
});

test('platformArgs: TARGET* and BUILD* with variants', () => {
  assert.deepEqual(platformArgs({ os: 'linux', architecture: 'arm', variant: 'v7' }, { os: 'linux', architecture: 'amd64' }), {
    TARGETPLATFORM: 'linux/arm/v7',
    TARGETOS: 'linux',
    TARGETARCH: 'arm',
    TARGETVARIANT: 'v7',
    BUILDPLATFORM: 'linux/amd64',
    BUILDOS: 'linux',
    BUILDARCH: 'amd64',
    BUILDVARIANT: '',
  });
  assert.equal(platformArgs({ os: 'linux', architecture: 'amd64' }).BUILDPLATFORM, 'linux/amd64');
});
