// port: no publishing exists yet, so nothing to print; an unknown container is an error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { IMAGE, containerEnv, expectCode, type ContainerEnv } from './fixtures.js';

let env: ContainerEnv;

before(() => {
  env = containerEnv('skiff-port-');
});
after(async () => {
  env.run(['rm', '-f', 'pt']);
  await env.teardown();
});

test('port prints nothing for a container without ports and fails for an unknown one', () => {
  env.ok(['create', '--name', 'pt', IMAGE, 'true']);
  assert.equal(env.ok(['port', 'pt']), '');
  const one = env.run(['port', 'pt', '80']);
  expectCode(one, 1, 'port pt 80');
  assert.match(one.stderr, /No public port '80\/tcp' published for pt/);
  const r = env.run(['port', 'nope']);
  expectCode(r, 125, 'unknown container');
  assert.match(r.stderr, /No such container: nope/);
});
