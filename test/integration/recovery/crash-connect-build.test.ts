// Fault injection (crash-scenarios.ts): `network connect` and `build` (its RUN container included) killed midway (12 points).
import { test, before, after } from 'node:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE } from '../containers/fixtures.js';
import { netEnv, type NetEnv } from '../network/fixtures.js';
import assert from 'node:assert/strict';
import { crash, pruneAndCheck, runAll } from './crash-scenarios.js';

let env: NetEnv;

before(() => {
  env = netEnv('skiff-ccb-');
});
after(() => env.teardownNet());

test('network connect of a running container killed midway', () => {
  env.createNetwork('crashnet', 1);
  runAll(
    env,
    ['connect:recorded', 'network:before-setup', 'network:after-setup'].map((point) => ({
      setup: [['run', '-d', '--name', 'n', IMAGE, 'sleep', '300']],
      args: ['network', 'connect', 'crashnet', 'n'],
      point,
      victim: 'n',
    })),
    'network connect',
  );
});

test('a second network connect finishes one killed midway: the running container gets its address on the network, once', () => {
  env.createNetwork('finishnet', 2);
  const prefix = env.subnet(2).replace('.0/24', '.');
  for (const point of ['connect:recorded', 'network:before-setup', 'network:after-setup']) {
    crash(env, { setup: [['run', '-d', '--name', 'f', IMAGE, 'sleep', '300']], args: ['network', 'connect', 'finishnet', 'f'], point });
    const again = env.run(['network', 'connect', 'finishnet', 'f']);
    assert.equal(again.code, 0, `connect after a kill at ${point}: ${again.stderr}`);
    const addrs = env.ok(['exec', 'f', 'ip', '-o', '-4', 'addr']).split('\n').filter((l) => l.includes(prefix));
    assert.equal(addrs.length, 1, `after a kill at ${point}, one address in ${env.subnet(2)}: ${addrs.join(' | ')}`);
    const ip = env.ok(['inspect', '-f', '{{(index .NetworkSettings.Networks "finishnet").IPAddress}}', 'f']).trim();
    assert.ok(addrs[0].includes(` ${ip}/`), `after a kill at ${point}, inspect's ${ip} is the container's: ${addrs[0]}`);
    const third = env.run(['network', 'connect', 'finishnet', 'f']);
    assert.equal(third.code, 125, `a finished connect is refused as a duplicate: ${third.stderr}`);
    assert.match(third.stderr, /already connected/);
    env.ok(['rm', '-f', 'f']);
  }
  pruneAndCheck(env, 'finished connects');
});

test('build killed at each step, its RUN container included', () => {
  const ctxDir = join(env.dir, 'build-ctx');
  mkdirSync(ctxDir, { recursive: true });
  writeFileSync(join(ctxDir, 'Dockerfile'), 'FROM bb\nRUN echo hi > /f\nCOPY a /a\n');
  writeFileSync(join(ctxDir, 'a'), 'a\n');
  runAll(
    env,
    ['build:workdir', 'build:context', 'build-run:row', 'start:mounted', 'start:spec', 'start:created', 'build-run:started', 'build-run:exited', 'build:written'].map(
      (point) => ({ args: ['build', '--no-cache', '-t', 'built', ctxDir], point }),
    ),
    'build',
  );
});
