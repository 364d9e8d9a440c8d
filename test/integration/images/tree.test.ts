// `image tree` and `--whatrequires`, read side by side with podman's for the same four images.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { makeEnv, removeTree, type TestEnv } from '../../helpers/env.js';
import { writeLayerTar, writeOciArchive } from '../../helpers/oci-archive.js';
import { tool, unmet } from '../../helpers/requires.js';

let env: TestEnv;
let podmanArgs: string[] | undefined;

function ok(args: string[]): string {
  const r = env.run(args);
  assert.equal(r.code, 0, `skiff ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  env = makeEnv('skiff-tree-');
  const one = await writeLayerTar(join(env.dir, 'one.tar'), { 'a/one.txt': 'one\n' });
  const two = await writeLayerTar(join(env.dir, 'two.tar'), { 'a/two.txt': 'two\n' });
  const three = await writeLayerTar(join(env.dir, 'three.tar'), { 'a/three.txt': 'three\n' });
  await writeOciArchive(join(env.dir, 'images.tar'), [
    { name: 'base:1', layers: [one] },
    { name: 'app:1', layers: [one, two] },
    { name: 'app2:1', layers: [one, two, three] },
    { name: 'side:1', layers: [one, three] },
  ]);
  ok(['load', '-i', join(env.dir, 'images.tar')]);
});
after(() => {
  if (podmanArgs) spawnSync('podman', [...podmanArgs, 'system', 'reset', '-f'], { stdio: 'ignore' });
  removeTree(env.dir);
});

test('image tree lists the layers bottom-up with the images each one tops', () => {
  const out = ok(['image', 'tree', 'app:1']).split('\n');
  assert.match(out[0]!, /^Image ID: [a-f0-9]{12}$/);
  assert.equal(out[1], 'Tags:     [docker.io/library/app:1]');
  assert.match(out[2]!, /^Size: +\d/);
  assert.equal(out[3], 'Image Layers');
  assert.match(out[4]!, /^├── ID: [a-f0-9]{12} Size: +2\.56kB Top Layer of: \[docker\.io\/library\/base:1\]$/);
  assert.match(out[5]!, /^└── ID: [a-f0-9]{12} Size: +2\.56kB Top Layer of: \[docker\.io\/library\/app:1\]$/);
});

test('--whatrequires shows what is stacked on the top layer, nested', () => {
  const out = ok(['image', 'tree', '--whatrequires', 'base:1']).split('\n').slice(4, -1);
  assert.deepEqual(
    out.map((l) => l.replace(/ID: [a-f0-9]{12} Size: +\S+ /, '')),
    [
      '├── Top Layer of: [docker.io/library/base:1]',
      '├── Top Layer of: [docker.io/library/app:1]',
      '│   └── Top Layer of: [docker.io/library/app2:1]',
      '└── Top Layer of: [docker.io/library/side:1]',
    ],
  );
  const r = env.run(['image', 'tree', 'nothing:here']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /No such image/);
});

test('the trees read as podman prints them', { skip: unmet(tool('podman')) }, () => {
  const proot = join(env.dir, 'podman-root');
  const prun = join(env.dir, 'podman-run');
  mkdirSync(proot);
  mkdirSync(prun);
  podmanArgs = ['--root', proot, '--runroot', prun, '--storage-driver', 'vfs', '--events-backend', 'none'];
  // podman 4 loads one image per oci-archive; a docker-archive carries all four.
  ok(['save', '-o', join(env.dir, 'images-docker.tar'), 'base:1', 'app:1', 'app2:1', 'side:1']);
  execFileSync('podman', [...podmanArgs, 'load', '-i', join(env.dir, 'images-docker.tar')], { stdio: 'ignore' });
  const podman = (args: string[]) => execFileSync('podman', [...podmanArgs!, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  // Layer IDs differ past the base (podman's storage IDs vs chain IDs), and so does the image Size
  // (skiff reports disk usage, as its `images` does): everything else must match.
  const norm = (s: string) =>
    s
      .trim()
      .split('\n')
      .map((l, i) => (i > 4 ? l.replace(/ID: [a-f0-9]{12}/, 'ID: <id>') : l).replace(/^Size: .*/, 'Size: <n>'));
  for (const args of [['image', 'tree', 'app:1'], ['image', 'tree', '--whatrequires', 'base:1'], ['image', 'tree', 'side:1']]) {
    assert.deepEqual(norm(ok(args)), norm(podman(args)), args.join(' '));
  }
});
