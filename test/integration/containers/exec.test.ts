// exec through conmon: output, the process's own exit code, Docker's 126/127, -e/-w/-u, -d, --privileged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { IMAGE, containerEnv, expectCode, waitFor, type ContainerEnv } from './fixtures.js';

let env: ContainerEnv;

before(() => {
  env = containerEnv('skiff-exec-');
  env.ok(['run', '-d', '--name', 'ex', IMAGE, 'sleep', '300']);
});
after(async () => {
  env.run(['rm', '-f', 'ex', 'stopped']);
  await env.teardown();
});

test('exec prints the output and exits with the process status', () => {
  const r = env.run(['exec', 'ex', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  expectCode(r, 3, 'exit 3');
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
  expectCode(env.run(['exec', 'ex', 'true']), 0, 'true');
});

test('a missing command is 127, a non-executable one 126', () => {
  const missing = env.run(['exec', 'ex', 'no-such-command']);
  expectCode(missing, 127, 'missing command');
  assert.match(missing.stderr, /OCI runtime exec failed: .*no-such-command.*not found/);
  expectCode(env.run(['exec', 'ex', '/etc']), 126, 'a directory');
  expectCode(env.run(['exec', '-u', 'nosuchuser', 'ex', 'true']), 126, 'an unknown user');
});

test('-e, -w and -u set the environment, directory and user', () => {
  const r = env.ok(['exec', '-e', 'FOO=bar', '-w', '/tmp', '-u', 'daemon', 'ex', 'sh', '-c', 'echo $FOO; pwd; id -u; id -g; echo $HOME']);
  assert.equal(r, 'bar\n/tmp\n1\n1\n/usr/sbin\n');
  assert.equal(env.ok(['exec', '-u', '1234:4321', 'ex', 'sh', '-c', 'echo $(id -u):$(id -g)']), '1234:4321\n');
  // A non-root user starts without effective capabilities; --privileged gives them all.
  assert.match(env.ok(['exec', '-u', '1234', 'ex', 'grep', 'CapEff', '/proc/self/status']), /CapEff:\s+0{16}/);
  const hostBnd = /CapBnd:\s+([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1];
  assert.equal(env.ok(['exec', '--privileged', 'ex', 'grep', 'CapEff', '/proc/self/status']).split(/\s+/)[1], hostBnd);
});

test('-i passes stdin; -d returns at once and the process runs on', async () => {
  assert.equal(env.run(['exec', '-i', 'ex', 'cat'], { input: 'piped\n' }).stdout, 'piped\n');
  const t0 = Date.now();
  expectCode(env.run(['exec', '-d', 'ex', 'sh', '-c', 'sleep 1; touch /tmp/detached-done']), 0, 'exec -d');
  assert.ok(Date.now() - t0 < 5000);
  await waitFor(() => (env.run(['exec', 'ex', 'test', '-e', '/tmp/detached-done']).code === 0 ? true : undefined), 10_000, 'the detached exec');
});

test('exec refuses a container that is not running, and an unknown one', () => {
  env.ok(['create', '--name', 'stopped', IMAGE, 'true']);
  const r = env.run(['exec', 'stopped', 'true']);
  expectCode(r, 125, 'not running');
  assert.match(r.stderr, /is not running/);
  expectCode(env.run(['exec', 'nope', 'true']), 125, 'unknown container');
});
