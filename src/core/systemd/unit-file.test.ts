import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnitFile, quoteArg, splitWords } from './unit-file.js';

test('quoted Exec arguments split back into the same argv', () => {
  const argv = ['sh', '-c', 'echo "a b" \\ $HOME 100%', '', "it's", 'x\ty', ';'];
  const line = argv.map((a) => quoteArg(a)).join(' ');
  // systemd turns %% and $$ back into % and $ before splitting.
  assert.deepEqual(splitWords(line.replace(/%%/g, '%').replace(/\$\$/g, '$')), argv);
  assert.equal(quoteArg('plain'), 'plain');
  assert.equal(quoteArg('%h/x', { keepSpecifiers: true }), '%h/x');
});

test('unit files: repeated keys, continuations, comments, an empty value resets', () => {
  const u = UnitFile.parse('# c\n[Container]\nImage=bb\nPublishPort=1:1\nPublishPort=2:2\nExec=sh -c \\\n  "echo hi"\n; x\n[Service]\nEnvironment=A=1\nEnvironment=\nEnvironment=B=2\n');
  assert.equal(u.get('Container', 'Image'), 'bb');
  assert.deepEqual(u.all('Container', 'PublishPort'), ['1:1', '2:2']);
  assert.deepEqual(splitWords(u.get('Container', 'Exec')!), ['sh', '-c', 'echo hi']);
  assert.deepEqual(u.all('Service', 'Environment'), ['B=2']);
  assert.throws(() => UnitFile.parse('Image=bb\n'), /outside any section/);
  assert.throws(() => splitWords('"open'), /unbalanced/);
});
