// `network rm` racing `create --network` and `network connect`: one of them wins, and no container
// is left naming a network that is gone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { IMAGE, netEnv, type NetEnv } from './fixtures.js';

let env: NetEnv;

before(() => {
  env = netEnv('skiff-netrace-');
});
after(() => env.teardownNet());

/** Networks every container of the env names, and which of them no longer exist. */
function dangling(): string[] {
  const nets = new Set(env.ok(['network', 'ls', '--format', '{{.Name}}']).split('\n').filter(Boolean));
  const out: string[] = [];
  for (const id of env.ok(['ps', '-aq', '--no-trunc']).split('\n').filter(Boolean)) {
    const named = env.ok(['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', id]).trim().split(' ').filter(Boolean);
    for (const n of named) if (!nets.has(n)) out.push(`${id.slice(0, 12)} names ${n}`);
  }
  return out;
}

test('network rm racing create --network and network connect: one wins each time, no container names a removed network', async () => {
  env.ok(['create', '--name', 'joiner', IMAGE, 'true']);
  for (let i = 0; i < 12; i++) {
    const name = `race${i}`;
    env.createNetwork(name, 1 + (i % 2));
    const [made, joined, removed] = await Promise.all([
      // Not `c${i}`: a name that is also hex resolves as an ID prefix once no such name exists, and
      // `rm -f c1` after a failed create removed `joiner` when its ID began with c1.
      env.runAsync(['create', '--name', `made${i}`, '--network', name, IMAGE, 'true']),
      env.runAsync(['network', 'connect', name, 'joiner']),
      env.runAsync(['network', 'rm', name]),
    ]);
    for (const r of [made, joined, removed]) assert.ok(r.code === 0 || /Error: .*(not found|associated containers|in use)/.test(r.stderr), `a clear result: ${r.code} ${r.stderr}`);
    const key = `create ${made.code} connect ${joined.code} rm ${removed.code}`;
    if (removed.code === 0) {
      assert.notEqual(made.code, 0, `rm and create both succeeded (round ${i})`);
      assert.notEqual(joined.code, 0, `rm and connect both succeeded (round ${i})`);
    }
    assert.deepEqual(dangling(), [], `round ${i}: ${key}`);
    if (joined.code === 0) env.ok(['network', 'disconnect', name, 'joiner']);
    env.run(['rm', '-f', `made${i}`]);
    env.run(['network', 'rm', name]);
  }
  env.ok(['rm', '-f', 'joiner']);
});
