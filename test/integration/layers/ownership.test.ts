// Owners and modes come from the entries even where the kernel would pick others: inside
// setgid directories and for modes the umask would trim.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createLayerDriver } from '../../../src/impl/layers/index.js';
import { makeTar, recordTree, streamOf, tempDir } from './fixtures.js';
import { root, unmet } from '../../helpers/requires.js';


test('entries keep their own owner and mode inside setgid dirs and past the umask', { skip: unmet(root()) }, async (t) => {
  const dir = tempDir(t);
  const d = createLayerDriver('vfs', join(dir, 'storage'));
  d.create('one', null);
  await d.applyDiff(
    'one',
    streamOf(
      await makeTar([
        { name: 'sg/', mode: 0o2775, gid: 50 },
        { name: 'sg/f', content: 'f', mode: 0o644 },
        { name: 'sg/d/', mode: 0o755 },
        { name: 'sg/implicit/f', content: 'g', mode: 0o600, uid: 0, gid: 0 },
        { name: 'wide', content: 'w', mode: 0o666 },
        { name: 'exec', content: 'x', mode: 0o777 },
        { name: 'ro', content: 'n', mode: 0o400 },
      ]),
    ),
  );
  const tree = recordTree(d.diffPath('one'));
  assert.match(tree.get('sg')!, /^dir 2775 0:50/);
  assert.match(tree.get('sg/f')!, /^file 644 0:0 /);
  assert.match(tree.get('sg/d')!, /^dir 755 0:0/);
  assert.match(tree.get('sg/implicit/f')!, /^file 600 0:0 /);
  assert.match(tree.get('wide')!, /^file 666 0:0 /);
  assert.match(tree.get('exec')!, /^file 777 0:0 /);
  assert.match(tree.get('ro')!, /^file 400 0:0 /);
});
