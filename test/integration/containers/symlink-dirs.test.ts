// Directories made through a symlink land inside the container's root, as Docker makes them:
// `run -w` below a symlink (absolute, dangling, climbing with ..) and ADD/COPY to a destination
// below one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE, containerEnv, type ContainerEnv } from './fixtures.js';

let env: ContainerEnv;

before(() => {
  env = containerEnv('skiff-symdirs-');
  const ctx = join(env.dir, 'ctx');
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'x'), 'hello\n');
  writeFileSync(
    join(ctx, 'Containerfile'),
    [
      `FROM ${IMAGE}`,
      'RUN mkdir /real && ln -s /real /link && ln -s /nowhere /dangling && ln -s ../../../../real /climb',
      'ADD x /link/added/',
      'COPY x /dangling/',
      'COPY x /climb/copied/',
    ].join('\n') + '\n',
  );
  env.ok(['build', '-q', '-t', 'symdirs', ctx]);
});
after(async () => {
  await env.teardown();
});

test('ADD and COPY to a destination below a symlink create the directories inside the root', () => {
  const out = env.ok(['run', '--rm', 'symdirs', 'sh', '-c', 'cat /real/added/x /nowhere/x /real/copied/x; for l in /link /dangling /climb; do readlink $l; done']);
  assert.equal(out, 'hello\nhello\nhello\n/real\n/nowhere\n../../../../real\n');
});

test('run -w below an absolute, a dangling and a climbing symlink creates the directory inside the root', () => {
  assert.equal(env.ok(['run', '--rm', '-w', '/link/new', 'symdirs', 'sh', '-c', 'pwd -P; ls -d /real/new']), '/real/new\n/real/new\n');
  assert.equal(env.ok(['run', '--rm', '-w', '/dangling/new', 'symdirs', 'sh', '-c', 'pwd -P; ls -d /nowhere/new']), '/nowhere/new\n/nowhere/new\n');
  assert.equal(env.ok(['run', '--rm', '-w', '/climb/deep', 'symdirs', 'sh', '-c', 'pwd -P; ls -d /real/deep']), '/real/deep\n/real/deep\n');
});
