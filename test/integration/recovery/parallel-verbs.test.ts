// 30 CLIs at once, start / stop / rm -f mixed on the same three containers: the container locks
// serialise them, so each ends with a clear result and the state left agrees with the host.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { IMAGE } from '../containers/fixtures.js';
import { netEnv, type NetEnv } from '../network/fixtures.js';
import { assertConsistent } from './state-check.js';

let env: NetEnv;

before(() => {
  env = netEnv('skiff-par-');
});
after(() => env.teardownNet());

// Errors a loser may end with: the container is gone, or already in the state asked for.
const CLEAR = /^Error: (No such container: c\d|container [0-9a-f]{12} is already running|.*is not running)/;

test('30 parallel start, stop and rm -f on three containers each end clearly and leave a consistent state', async () => {
  {
    const round = 0;
    for (let k = 0; k < 3; k++) {
      env.track(env.ok(['create', '--name', `c${k}`, IMAGE, 'sleep', '300']));
      if (k !== 2) env.ok(['start', `c${k}`]);
    }
    const verbs = [['start'], ['stop', '-t', '1'], ['rm', '-f']];
    const cmds = Array.from({ length: 30 }, (_, i) => [...verbs[(Math.floor(i / 3) + round) % 3]!, `c${i % 3}`]);
    const results = await Promise.all(cmds.map((args) => env.runAsync(args)));
    for (const [i, r] of results.entries()) {
      const what = `skiff ${cmds[i]!.join(' ')}: exit ${r.code}, stderr ${JSON.stringify(r.stderr)}`;
      if (r.code === 0) continue;
      assert.ok(r.code === 125 || r.code === 1, what);
      assert.match(r.stderr, CLEAR, what);
    }
    // No create is in the mix and rm -f succeeds in any state: exactly one rm -f of each
    // container wins, the others and every verb behind it find no such container.
    for (const k of [0, 1, 2]) {
      const won = results.filter((r, i) => cmds[i]![0] === 'rm' && cmds[i]!.at(-1) === `c${k}` && r.code === 0);
      assert.equal(won.length, 1, `one rm -f of c${k} removed it`);
    }
    assert.deepEqual(assertConsistent(env, `round ${round}`), []);
  }
});
