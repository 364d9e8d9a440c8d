// `ps --filter` with dockerd's keys and semantics: before/since (by creation order), volume
// (name or destination), network (name or ID), exited, status (lists stopped ones without -a),
// health and is-task, values of one key ORed, and refusals of unknown keys and values.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { IMAGE, containerEnv, expectCode, type ContainerEnv } from './fixtures.js';

let env: ContainerEnv;

before(() => {
  env = containerEnv('skiff-psf-');
  env.ok(['network', 'create', 'psnet']);
  // Oldest first: a, b, c, then two that ran and exited 0 and 3.
  env.ok(['create', '--name', 'a', '--network', 'none', '-v', 'vol1:/data', IMAGE, 'true']);
  env.ok(['create', '--name', 'b', '--network', 'psnet', IMAGE, 'true']);
  env.ok(['create', '--name', 'c', '--network', 'none', IMAGE, 'true']);
  env.ok(['run', '--name', 'e0', '--network', 'none', IMAGE, 'true']);
  expectCode(env.run(['run', '--name', 'e3', '--network', 'none', IMAGE, 'sh', '-c', 'exit 3']), 3, 'run exit 3');
});
after(async () => {
  await env.teardown();
});

/** Names `ps` lists with these flags, sorted. */
function names(...args: string[]): string[] {
  return env.ok(['ps', ...args, '--format', '{{.Names}}']).split('\n').filter(Boolean).sort();
}

test('before and since: containers created before or after the one named', () => {
  assert.deepEqual(names('-a', '--filter', 'before=c'), ['a', 'b']);
  assert.deepEqual(names('-a', '--filter', 'since=c'), ['e0', 'e3']);
  const bId = env.ok(['inspect', '-f', '{{.Id}}', 'b']).trim();
  assert.deepEqual(names('-a', '--filter', `since=${bId.slice(0, 12)}`, '--filter', 'before=e3'), ['c', 'e0']);
  // Without -a only running containers are listed, as in dockerd.
  assert.deepEqual(names('--filter', 'before=e3'), []);
});

test('volume by name or destination, network by name or ID prefix', () => {
  assert.deepEqual(names('-a', '--filter', 'volume=vol1'), ['a']);
  assert.deepEqual(names('-a', '--filter', 'volume=/data'), ['a']);
  assert.deepEqual(names('-a', '--filter', 'volume=other'), []);
  assert.deepEqual(names('-a', '--filter', 'network=psnet'), ['b']);
  const netId = env.ok(['network', 'inspect', '-f', '{{.Id}}', 'psnet']).trim();
  assert.deepEqual(names('-a', '--filter', `network=${netId.slice(0, 10)}`), ['b']);
  assert.deepEqual(names('-a', '--filter', 'network=none'), ['a', 'c', 'e0', 'e3']);
});

test('exited, status (ORed, listing stopped ones without -a), health, is-task', () => {
  assert.deepEqual(names('-a', '--filter', 'exited=3'), ['e3']);
  assert.deepEqual(names('-a', '--filter', 'exited=0', '--filter', 'exited=3'), ['e0', 'e3']);
  assert.deepEqual(names('-a', '--filter', 'exited=0', '--filter', 'name=e3'), []);
  assert.deepEqual(names('--filter', 'status=exited'), ['e0', 'e3']);
  assert.deepEqual(names('--filter', 'status=exited', '--filter', 'status=created'), ['a', 'b', 'c', 'e0', 'e3']);
  assert.deepEqual(names('-a', '--filter', 'health=none'), ['a', 'b', 'c', 'e0', 'e3']);
  assert.deepEqual(names('-a', '--filter', 'health=healthy'), []);
  assert.deepEqual(names('-a', '--filter', 'is-task=false'), ['a', 'b', 'c', 'e0', 'e3']);
  assert.deepEqual(names('-a', '--filter', 'is-task=true'), []);
});

test('unknown keys and unreadable values: exit 125 with invalid filter', () => {
  for (const [f, msg] of [
    ['nope=1', /invalid filter 'nope'/],
    ['exited=x', /invalid filter 'exited=x'/],
    ['status=sleeping', /invalid filter 'status=sleeping'/],
    ['health=fine', /invalid filter 'health=fine'/],
    ['is-task=maybe', /invalid filter 'is-task=maybe'/],
    ['before=nosuch', /No such container: nosuch/],
  ] as const) {
    const r = env.run(['ps', '-a', '--filter', f]);
    expectCode(r, 125, `ps --filter ${f}`);
    assert.match(r.stderr, msg);
  }
});
