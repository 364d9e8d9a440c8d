// Hostile layer tars are refused through `skiff import`, and nothing of them stays in the store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdirSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { makeEnv, type TestEnv } from '../../helpers/env.js';
import { packTar, type TarEntry } from '../../helpers/oci-archive.js';

let env: TestEnv;
before(() => {
  env = makeEnv();
  mkdirSync(join(env.dir, 'outside'));
});
after(() => env.cleanup());

type Entry = TarEntry;
const tarOf = packTar;

const cases: Record<string, () => Entry[]> = {
  'dot-dot escape': () => [{ header: { name: '../../outside/pwned' }, body: 'x' }],
  'absolute path escape': () => [{ header: { name: `${env.dir}/outside/abs` }, body: 'x' }],
  'write through a symlink to outside': () => [
    { header: { name: 'evil', type: 'symlink', linkname: `${env.dir}/outside` } },
    { header: { name: 'evil/through-link' }, body: 'x' },
  ],
  'relative symlink climbing out': () => [
    { header: { name: 'up', type: 'symlink', linkname: '../../../../../../../../' + env.dir.slice(1) + '/outside' } },
    { header: { name: 'up/climbed' }, body: 'x' },
  ],
  'hardlink to outside': () => [{ header: { name: 'hl', type: 'link', linkname: '../../../../../../etc/passwd' } }],
};

for (const [name, entries] of Object.entries(cases)) {
  test(`refuses: ${name}`, async () => {
    const file = join(env.dir, 'hostile.tar');
    writeFileSync(file, await tarOf(entries()));
    const r = env.run(['import', file, 'hostile:1']);
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, /^Error: /);
    assert.deepEqual(readdirSync(join(env.dir, 'outside')), [], 'nothing written outside');
    assert.equal(env.run(['images', '-q']).stdout.trim(), '');
    assert.deepEqual(readdirSync(join(env.root, 'content/blobs/sha256')), [], 'no blob left');
    if (existsSync(join(env.root, 'overlay'))) {
      assert.deepEqual(readdirSync(join(env.root, 'overlay')).filter((d) => d !== 'l'), [], 'no layer left');
    }
  });
}

test('refuses: absurd size header', async () => {
  const head = Buffer.alloc(512);
  // A ustar header claiming a 2^40-byte file (octal size), then nothing.
  head.write('big', 0);
  head.write('0000644\0', 100);
  head.write('0000000\0', 108);
  head.write('0000000\0', 116);
  head.write('20000000000000\0'.slice(0, 12), 124);
  head.write('00000000000\0', 136);
  head.write('        ', 148);
  head.write('0', 156);
  head.write('ustar\0', 257);
  head.write('00', 263);
  let sum = 0;
  for (const b of head) sum += b;
  head.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const file = join(env.dir, 'big.tar');
  writeFileSync(file, Buffer.concat([head, Buffer.alloc(1024)]));
  const r = env.run(['import', file, 'big:1']);
  assert.equal(r.code, 125, r.stderr);
  assert.deepEqual(readdirSync(join(env.root, 'content/blobs/sha256')), []);
});
