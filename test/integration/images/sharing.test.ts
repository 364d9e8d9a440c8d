// Layers shared between images are stored once; removing one image leaves the other whole.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { makeEnv, type TestEnv } from '../../helpers/env.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';
import { writeLayerTar, writeOciArchive } from '../../helpers/oci-archive.js';

let env: TestEnv;

before(async () => {
  env = makeEnv();
  const base = makeBusyboxTar(env.dir, join(env.dir, 'base.tar'));
  const app1 = await writeLayerTar(join(env.dir, 'app1.tar'), { 'app/one.txt': 'one\n' });
  const app2 = await writeLayerTar(join(env.dir, 'app2.tar'), { 'app/two.txt': 'two\n'.repeat(1000) });
  await writeOciArchive(join(env.dir, 'two.tar'), [
    { name: 'docker.io/library/app1:latest', layers: [base, app1] },
    { name: 'docker.io/library/app2:latest', layers: [base, app2] },
  ]);
});
after(() => env.cleanup());

function ok(args: string[]) {
  const r = env.run(args);
  assert.equal(r.code, 0, `skiff ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const layerDirs = () => readdirSync(join(env.root, 'overlay')).filter((d) => d !== 'l');

test('two images with a common base store it once and df shows the saving', () => {
  assert.match(ok(['load', '-i', join(env.dir, 'two.tar')]), /Loaded image: app1:latest\nLoaded image: app2:latest/);
  assert.equal(layerDirs().length, 3, 'base + two app layers');
  const i1 = JSON.parse(ok(['image', 'inspect', 'app1']))[0];
  const i2 = JSON.parse(ok(['image', 'inspect', 'app2']))[0];
  assert.equal(i1.RootFS.Layers[0], i2.RootFS.Layers[0]);
  const df = JSON.parse(ok(['system', 'df', '-v', '--format', 'json']));
  const baseSize = Math.min(...df.Images.map((i: { SharedSize: number }) => i.SharedSize));
  assert.ok(baseSize > 500_000, `shared size ${baseSize}`);
  assert.equal(df.SharingSavings, baseSize, 'Σ size × (users − 1) = one base layer');
  const text = ok(['system', 'df', '-v']);
  assert.match(text, /SHARED SIZE/);
  assert.match(text, /Layer sharing saves [\d.]+MB/);
});

test('removing one image frees only its own layer; the other stays usable', () => {
  ok(['rmi', 'app1']);
  assert.equal(layerDirs().length, 2);
  const i2 = JSON.parse(ok(['image', 'inspect', 'app2']))[0];
  assert.equal(i2.RootFS.Layers.length, 2);
  const out = join(env.dir, 'app2-saved.tar');
  ok(['save', '-o', out, 'app2']);
  ok(['rmi', 'app2']);
  assert.equal(layerDirs().length, 0);
  assert.deepEqual(readdirSync(join(env.root, 'content/blobs/sha256')), []);
  assert.match(ok(['load', '-i', out]), /Loaded image: app2:latest/);
  assert.equal(layerDirs().length, 2);
});
