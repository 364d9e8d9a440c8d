// export: the merged rootfs as a tar, to stdout or -o FILE.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { IMAGE, containerEnv, expectCode, type ContainerEnv } from './fixtures.js';

let env: ContainerEnv;

before(() => {
  env = containerEnv('skiff-export-');
});
after(async () => {
  env.run(['rm', '-f', 'ex1', 'ex2']);
  await env.teardown();
});

test('export -o writes the running container rootfs with its changes', () => {
  env.ok(['run', '-d', '--name', 'ex1', IMAGE, 'sleep', '300']);
  env.ok(['exec', 'ex1', 'sh', '-c', 'echo new > /added.txt; rm /bin/vi']);
  const file = join(env.dir, 'out', 'ex1.tar');
  execFileSync('mkdir', ['-p', join(env.dir, 'out')]);
  env.ok(['export', '-o', file, 'ex1']);
  assert.deepEqual(readdirSync(join(env.dir, 'out')), ['ex1.tar'], 'no temp file left');
  const names = execFileSync('tar', ['-tf', file], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n');
  assert.ok(names.includes('bin/busybox'));
  assert.ok(names.includes('added.txt'));
  assert.ok(!names.includes('bin/vi'));
  assert.equal(execFileSync('tar', ['-xOf', file, 'added.txt'], { encoding: 'utf8' }), 'new\n');
});

test('export of a stopped container to stdout; an unknown container leaves no file', () => {
  env.ok(['create', '--name', 'ex2', IMAGE, 'true']);
  const tar = execFileSync(process.execPath, [env.bin, 'export', 'ex2'], { env: env.env, maxBuffer: 64 << 20 });
  const names = execFileSync('tar', ['-t'], { input: tar, encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n');
  assert.ok(names.includes('bin/busybox'));
  const file = join(env.dir, 'nope.tar');
  expectCode(env.run(['export', '-o', file, 'nope']), 125, 'unknown container');
  assert.ok(!existsSync(file));
});
