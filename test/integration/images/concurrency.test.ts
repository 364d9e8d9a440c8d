// 20 concurrent import/tag/rmi processes on one root leave a consistent store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { makeEnv, type TestEnv } from '../../helpers/env.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';
import { writeLayerTar } from '../../helpers/oci-archive.js';

let env: TestEnv;
let base: string;
let small: string;

before(async () => {
  env = makeEnv();
  base = makeBusyboxTar(env.dir, join(env.dir, 'base.tar'));
  small = await writeLayerTar(join(env.dir, 'small.tar'), { 'etc/motd': 'hi\n' });
  assert.equal(env.run(['import', base, 'seed:1']).code, 0);
});
after(() => env.cleanup());

test('20 concurrent import/tag/rmi processes finish with a consistent store', async () => {
  const jobs: Promise<{ code: number; stderr: string }>[] = [];
  for (let i = 0; i < 20; i++) {
    const kind = i % 4;
    if (kind === 0) jobs.push(env.runAsync(['import', base, `imp:${i}`]));
    else if (kind === 1) jobs.push(env.runAsync(['import', small, `small:${i}`]));
    else if (kind === 2) jobs.push(env.runAsync(['tag', 'seed:1', `seed:t${i}`]));
    else jobs.push(env.runAsync(['rmi', '-f', `imp:${i - 3}`]));
  }
  const results = await Promise.all(jobs);
  for (const [i, r] of results.entries()) {
    // An rmi may race ahead of the import it names: "No such image" is the one allowed failure.
    if (r.code !== 0) assert.match(r.stderr, /No such image/, `job ${i}: ${r.stderr}`);
  }
  const list = env.run(['images', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}']);
  assert.equal(list.code, 0, list.stderr);
  const ids = new Set(list.stdout.trim().split('\n').map((l) => l.split(' ')[0]!));
  for (const id of ids) {
    const r = env.run(['image', 'inspect', id]);
    assert.equal(r.code, 0, `inspect ${id}: ${r.stderr}`);
    const save = env.run(['save', '-o', join(env.dir, `check-${id}.tar`), id]);
    assert.equal(save.code, 0, `save ${id}: ${save.stderr}`);
  }
  for (let i = 2; i < 20; i += 4) assert.ok(list.stdout.includes(`seed:t${i}`));

  assert.equal(env.run(['image', 'prune', '-f']).code, 0);
  const blobs = new Set(readdirSync(join(env.root, 'content/blobs/sha256')));
  const referenced = new Set<string>();
  for (const id of ids) {
    const doc = JSON.parse(env.run(['image', 'inspect', id]).stdout)[0];
    referenced.add(doc.Id.slice(7));
  }
  for (const r of referenced) assert.ok(blobs.has(r), `config blob ${r} present`);
  // Every blob left is one an image uses: after removing every image, none remains.
  assert.equal(env.run(['rmi', '-a', '-f']).code, 0);
  assert.equal(env.run(['image', 'prune', '-a', '-f']).code, 0);
  assert.deepEqual(readdirSync(join(env.root, 'content/blobs/sha256')), []);
  assert.deepEqual(readdirSync(join(env.root, 'overlay')).filter((d) => d !== 'l'), []);
  assert.deepEqual(readdirSync(join(env.root, 'overlay/l')), []);
});
