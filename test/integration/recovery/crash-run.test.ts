// Fault injection (crash-scenarios.ts): a foreground `run` killed at each step of create, start and exit (15 points).
import { test, before, after } from 'node:test';
import { IMAGE } from '../containers/fixtures.js';
import { netEnv, type NetEnv } from '../network/fixtures.js';
import { runAll, START_POINTS } from './crash-scenarios.js';

let env: NetEnv;

before(() => {
  env = netEnv('skiff-crun-');
});
after(() => env.teardownNet());

test('run (foreground) killed at each step of create, start and exit', () => {
  runAll(
    env,
    [...START_POINTS, 'exit:recorded', 'exit:released'].map((point) => ({ args: ['run', '--name', 'v', IMAGE, 'sleep', '1'], point, victim: 'v' })),
    'run',
  );
});
