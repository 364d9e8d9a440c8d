// Fault injection (crash-scenarios.ts): `rm -f`, `volume create`, copy-up and `volume rm` killed midway (9 points).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { IMAGE } from '../containers/fixtures.js';
import { netEnv, type NetEnv } from '../network/fixtures.js';
import { runAll } from './crash-scenarios.js';

let env: NetEnv;

before(() => {
  env = netEnv('skiff-crmv-');
});
after(() => env.teardownNet());

test('rm -f killed at each step', () => {
  runAll(
    env,
    ['rm:killed', 'rm:removing', 'rm:released', 'rm:row', 'rm:layer'].map((point) => ({
      setup: [['run', '-d', '--name', 'x', IMAGE, 'sleep', '300']],
      args: ['rm', '-f', 'x'],
      point,
      victim: 'x',
    })),
    'rm -f',
  );
});

test('volume create, copy-up into a new volume and volume rm killed midway; the next use redoes the copy', () => {
  runAll(
    env,
    [
      { args: ['volume', 'create', 'vol'], point: 'volume-create:row' },
      { setup: [['volume', 'create', 'cu1']], args: ['run', '--name', 'c1', '-v', 'cu1:/bin', IMAGE, 'true'], point: 'copy-up:begin', victim: 'c1' },
      { setup: [['volume', 'create', 'cu2']], args: ['run', '--name', 'c2', '-v', 'cu2:/bin', IMAGE, 'true'], point: 'copy-up:copied', victim: 'c2' },
      { setup: [['volume', 'create', 'gone']], args: ['volume', 'rm', 'gone'], point: 'volume-rm:row' },
    ],
    'volumes',
  );
  // The half copies were redone by the victims' next start: each volume has the whole /bin.
  for (const v of ['cu1', 'cu2']) {
    const ls = env.run(['run', '--rm', '-v', `${v}:/data`, IMAGE, 'ls', '/data']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.ok(ls.stdout.split('\n').includes('sh'), `volume ${v} holds the image's /bin after the redo: ${ls.stdout}`);
  }
  // A volume whose rm was killed after its row went can be made again.
  env.ok(['volume', 'create', 'gone']);
  env.ok(['volume', 'rm', 'vol', 'gone', 'cu1', 'cu2']);
});
