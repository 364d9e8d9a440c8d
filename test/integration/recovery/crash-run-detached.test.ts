// Fault injection (crash-scenarios.ts): `run -d` killed at each step of create and start, `run --rm` during its removal (15 points).
import { test, before, after } from 'node:test';
import { IMAGE } from '../containers/fixtures.js';
import { netEnv, type NetEnv } from '../network/fixtures.js';
import { runAll, START_POINTS } from './crash-scenarios.js';

let env: NetEnv;

before(() => {
  env = netEnv('skiff-crund-');
});
after(() => env.teardownNet());

test('run -d killed at each step of create and start; run --rm at each step of its removal', () => {
  runAll(
    env,
    [
      ...START_POINTS.map((point) => ({ args: ['run', '-d', '--name', 'd', IMAGE, 'sleep', '300'], point, victim: 'd' })),
      ...['rm:row', 'rm:layer'].map((point) => ({ args: ['run', '--rm', '--name', 'r', IMAGE, 'true'], point, victim: 'r' })),
    ],
    'run -d',
  );
});
