// The container lifecycle through the real CLI, conmon, runc and overlayfs: detached runs,
// logs -f, stop (STOPSIGNAL, -t), wait, --rm and Docker's exit codes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { IMAGE, assertNoContainerLeft, containerEnv, expectCode, processAlive, waitFor, type ContainerEnv } from './fixtures.js';

let env: ContainerEnv;

before(() => {
  env = containerEnv();
});
after(() => env.teardown());

function inspect(ref: string, format: string): string {
  return env.ok(['inspect', '-f', format, ref]).trim();
}

test('run -d returns once the container runs and it outlives the CLI', async () => {
  const t0 = Date.now();
  const r = env.run(['run', '-d', '--name', 'detached', IMAGE, 'sh', '-c', 'echo started; sleep 30']);
  expectCode(r, 0, 'run -d');
  // spawnSync returned: the CLI process is gone, well before the container's 30 s.
  assert.ok(Date.now() - t0 < 10_000);
  assert.match(r.stdout.trim(), /^[a-f0-9]{64}$/);
  const status = env.ok(['ps', '--format', '{{.Names}} {{.Status}}']).trim();
  assert.match(status, /^detached Up /);
  const pid = Number(inspect('detached', '{{.State.Pid}}'));
  assert.ok(pid > 0 && processAlive(pid), `container pid ${pid} is alive`);
  assert.equal(inspect('detached', '{{.State.Status}} {{.State.Running}}'), 'running true');
  await waitFor(() => (env.ok(['logs', 'detached']) === 'started\n' ? true : undefined), 5000, 'the log line');
  env.ok(['rm', '-f', 'detached']);
  assert.ok(!processAlive(pid), 'rm -f killed the container process');
});

test('logs -f follows a running container until it exits; wait returns its code', async () => {
  env.ok(['run', '-d', '--name', 'follow', IMAGE, 'sh', '-c', 'for i in 1 2 3 4; do echo line$i; sleep 0.4; done; echo oops >&2; exit 3']);
  const t0 = Date.now();
  const r = await env.runAsync(['logs', '-f', 'follow']);
  const took = Date.now() - t0;
  expectCode(r, 0, 'logs -f');
  assert.equal(r.stdout, 'line1\nline2\nline3\nline4\n');
  assert.equal(r.stderr, 'oops\n');
  // It returned because the container ended, not because the log was read once.
  assert.ok(took > 800, `logs -f returned after ${took} ms`);
  assert.equal(env.ok(['wait', 'follow']).trim(), '3');
  assert.equal(inspect('follow', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 3');
  env.ok(['rm', 'follow']);
});

test('wait blocks until the container exits and prints its status', async () => {
  env.ok(['run', '-d', '--name', 'waiter', IMAGE, 'sh', '-c', 'sleep 1; exit 9']);
  const t0 = Date.now();
  const r = await env.runAsync(['wait', 'waiter']);
  expectCode(r, 0, 'wait');
  assert.equal(r.stdout, '9\n');
  assert.ok(Date.now() - t0 > 500, 'wait returned before the container ended');
  // A second wait on an exited container answers at once with the recorded code.
  assert.equal(env.ok(['wait', 'waiter']), '9\n');
  env.ok(['rm', 'waiter']);
});

test("stop sends the image's STOPSIGNAL", () => {
  env.ok(['import', '--change', 'CMD ["/bin/sh"]', '--change', 'STOPSIGNAL SIGUSR1', env.tar, 'bb-usr1']);
  assert.equal(env.ok(['image', 'inspect', '-f', '{{.Config.StopSignal}}', 'bb-usr1']).trim(), 'SIGUSR1');
  env.ok(['run', '-d', '--name', 'usr1', 'bb-usr1', 'sh', '-c', 'trap "exit 42" USR1; echo ready; while true; do sleep 0.1; done']);
  const t0 = Date.now();
  env.ok(['stop', 'usr1']);
  const took = Date.now() - t0;
  // The trap ran (42), and well before the 10 s default timeout would have sent SIGKILL (137).
  assert.equal(env.ok(['wait', 'usr1']).trim(), '42');
  assert.equal(inspect('usr1', '{{.State.ExitCode}}'), '42');
  assert.ok(took < 8000, `stop took ${took} ms`);
  env.ok(['rm', 'usr1']);
});

test('stop -t 1 kills a process that ignores SIGTERM after one second (137)', () => {
  env.ok(['run', '-d', '--name', 'stubborn', IMAGE, 'sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done']);
  try {
    const t0 = Date.now();
    env.ok(['stop', '-t', '1', 'stubborn']);
    const took = Date.now() - t0;
    // At least the one second; under the 10 s default timeout even on a loaded machine.
    assert.ok(took >= 950 && took < 10_000, `stop -t 1 took ${took} ms`);
    assert.equal(env.ok(['wait', 'stubborn']).trim(), '137');
    assert.match(env.ok(['ps', '-a', '--filter', 'name=stubborn', '--format', '{{.Status}}']), /^Exited \(137\) /);
  } finally {
    // A failure here must not leave a container for the next tests' leftover checks.
    env.run(['rm', '-f', 'stubborn']);
  }
});

test('run --rm removes the container, its overlay mount and its bundle', async () => {
  const r = env.run(['run', '--rm', '--name', 'gone', IMAGE, 'sh', '-c', 'echo bye; exit 4']);
  expectCode(r, 4, 'run --rm');
  assert.equal(r.stdout, 'bye\n');
  await assertNoContainerLeft(env);

  // Detached: conmon's exit command does the removal after the CLI is long gone.
  env.ok(['run', '-d', '--rm', '--name', 'gone-d', IMAGE, 'sh', '-c', 'sleep 0.5']);
  await waitFor(() => (env.ok(['ps', '-aq']) === '' ? true : undefined), 15_000, 'the detached --rm container to go');
  await assertNoContainerLeft(env);
});

test("exit codes: the container's own, 125, 126, 127 and 128+N", async () => {
  expectCode(env.run(['run', '--rm', IMAGE, 'sh', '-c', 'exit 3']), 3, 'own code');
  const unknown = env.run(['run', '--rm', 'no-such-image', 'true']);
  expectCode(unknown, 125, 'unknown image');
  assert.match(unknown.stderr, /^Error: .*no-such-image/m);
  const notExec = env.run(['run', '--rm', IMAGE, '/etc/passwd']);
  expectCode(notExec, 126, 'not executable');
  assert.match(notExec.stderr, /permission denied/);
  const notFound = env.run(['run', '--rm', IMAGE, '/no/such/command']);
  expectCode(notFound, 127, 'not found');
  assert.match(notFound.stderr, /no such file or directory/);
  expectCode(env.run(['run', '--rm', IMAGE, 'no-such-command']), 127, 'not found in PATH');
  // PID 1 of a PID namespace ignores signals it has no handler for, even its own SIGTERM, so a
  // plain `sh -c 'kill -TERM $$'` exits 0 (as under Docker); under an init the shell is not
  // PID 1, dies of the signal, and the init reports 128+15.
  expectCode(env.run(['run', '--rm', '--init', IMAGE, 'sh', '-c', 'kill -TERM $$']), 143, 'SIGTERM under --init');
  // SIGKILL from outside reaches PID 1 regardless.
  env.ok(['run', '-d', '--name', 'killed', IMAGE, 'sleep', '30']);
  env.ok(['kill', 'killed']);
  assert.equal(env.ok(['wait', 'killed']).trim(), '137');
  env.ok(['rm', 'killed']);
  await assertNoContainerLeft(env);
});
