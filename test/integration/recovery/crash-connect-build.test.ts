// Fault injection (crash-scenarios.ts): `network connect` and `build` (its RUN container included) killed midway (12 points).
import { test, before, after } from 'node:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE } from '../containers/fixtures.js';
import { netEnv, type NetEnv } from '../network/fixtures.js';
import { runAll } from './crash-scenarios.js';

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
