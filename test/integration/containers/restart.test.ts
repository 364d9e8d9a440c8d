// Restart policies through the skiff CLI: applied by conmon's exit command, restarted by the
// timer process after Docker's back-off; a user's stop ends them; after a simulated reboot
// (conmon killed, run root wiped) `start --all --filter restart-policy=always` brings back
// `always` and `unless-stopped` containers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { IMAGE, conmonsUnder, containerEnv, expectCode, killQuietly, mountsUnder, processAlive, waitFor, type ContainerEnv } from './fixtures.js';
import { spawnSync } from 'node:child_process';

let env: ContainerEnv;

before(() => {
  env = containerEnv('skiff-restart-');
});
after(() => env.teardown());

const inspect = (ref: string, f: string) => env.ok(['inspect', '-f', f, ref]).trim();

test('on-failure:2 restarts a failing container twice, then it stays exited', async () => {
  env.ok(['run', '-d', '--name', 'twice', '--restart', 'on-failure:2', IMAGE, 'false']);
  await waitFor(() => (inspect('twice', '{{.RestartCount}} {{.State.Status}}') === '2 exited' ? true : undefined), 120_000, 'two restarts');
  assert.equal(inspect('twice', '{{.State.ExitCode}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}'), '1 on-failure 2');
  // It stays exited: no third restart comes.
  await sleep(3000);
  assert.equal(inspect('twice', '{{.RestartCount}} {{.State.Status}}'), '2 exited');
  // A success is no failure: on-failure leaves it alone.
  env.ok(['run', '-d', '--name', 'fine', '--restart', 'on-failure', IMAGE, 'true']);
  await waitFor(() => (inspect('fine', '{{.State.Status}}') === 'exited' ? true : undefined), 60_000, 'fine to exit');
  await sleep(2000);
  assert.equal(inspect('fine', '{{.RestartCount}} {{.State.Status}}'), '0 exited');
  env.ok(['rm', 'twice', 'fine']);
});

test('always restarts a container until the user stops it; a user start resets the count', async () => {
  env.ok(['run', '-d', '--name', 'forever', '--restart', 'always', IMAGE, 'sh', '-c', 'sleep 0.5; exit 0']);
  const seen: string[] = [];
  await waitFor(() => {
    const s = inspect('forever', '{{.RestartCount}} {{.State.Status}} {{.State.Error}}');
    if (seen.at(-1) !== s) seen.push(s);
    return Number(s.split(' ')[0]) >= 3 ? true : undefined;
  }, 120_000, 'three restarts').catch((e: Error) => {
    throw new Error(`${e.message}; states: ${seen.join(' | ')}; timers: ${env.run(['info', '-f', 'json']).stdout.slice(-120)}`);
  });
  const states = new Set<string>();
  // `Restarting` shows between runs (back-off).
  await waitFor(() => {
    states.add(inspect('forever', '{{.State.Status}} {{.State.Restarting}}'));
    return states.has('restarting true') ? true : undefined;
  }, 60_000, 'the restarting state');
  env.ok(['stop', 'forever']);
  const count = inspect('forever', '{{.RestartCount}}');
  assert.equal(inspect('forever', '{{.State.Status}}'), 'exited');
  await sleep(3000);
  assert.equal(inspect('forever', '{{.State.Status}} {{.RestartCount}}'), `exited ${count}`);
  env.ok(['start', 'forever']);
  assert.equal(inspect('forever', '{{.RestartCount}}'), '0');
  env.ok(['kill', 'forever']);
  await waitFor(() => (inspect('forever', '{{.State.Status}}') === 'exited' ? true : undefined), 60_000, 'killed');
  await sleep(3000);
  assert.equal(inspect('forever', '{{.State.Status}}'), 'exited', 'a user kill prevents the restart');
  env.ok(['rm', '-f', 'forever']);
});

/** What a reboot does to a run root: every process gone (conmon first, so no exit command runs), mounts and files gone. */
function simulateReboot(): void {
  for (const pid of conmonsUnder(env.dir)) killQuietly(pid);
  for (const ref of ['boot-always', 'boot-unless', 'boot-unless-stopped', 'boot-none']) {
    const pid = Number(env.run(['inspect', '-f', '{{.State.Pid}}', ref]).stdout.trim());
    // The inspect above may already have found conmon gone (pid 0): the processes are killed below.
    if (pid > 0) killQuietly(pid);
  }
  spawnSync('sh', ['-c', `pkill -KILL -f 'sleep 31[0-9]'`]);
  for (const m of mountsUnder(env.runroot).sort((a, b) => b.length - a.length)) spawnSync('umount', ['-l', m]);
  rmSync(env.runroot, { recursive: true, force: true });
}

test('after a reboot, start --all --filter restart-policy=always brings back always and unless-stopped containers', async () => {
  env.ok(['rm', '-af']);
  env.ok(['run', '-d', '--name', 'boot-always', '--network', 'none', '--restart', 'always', IMAGE, 'sleep', '311']);
  env.ok(['run', '-d', '--name', 'boot-unless', '--network', 'none', '--restart', 'unless-stopped', IMAGE, 'sleep', '312']);
  env.ok(['run', '-d', '--name', 'boot-unless-stopped', '--network', 'none', '--restart', 'unless-stopped', IMAGE, 'sleep', '313']);
  env.ok(['run', '-d', '--name', 'boot-none', '--network', 'none', IMAGE, 'sleep', '314']);
  env.ok(['stop', '-t', '1', 'boot-unless-stopped']);
  const pids = ['boot-always', 'boot-unless', 'boot-none'].map((n) => Number(inspect(n, '{{.State.Pid}}')));
  simulateReboot();
  await waitFor(() => (pids.every((p) => !processAlive(p)) ? true : undefined), 30_000, 'the container processes to die');
  const r = env.run(['start', '--all', '--filter', 'restart-policy=always']);
  expectCode(r, 0, 'start --all --filter restart-policy=always');
  assert.equal(r.stdout.trim().split('\n').length, 2, r.stdout);
  const states = ['boot-always', 'boot-unless', 'boot-unless-stopped', 'boot-none'].map((n) => `${n} ${inspect(n, '{{.State.Status}}')}`);
  assert.deepEqual(states, ['boot-always running', 'boot-unless running', 'boot-unless-stopped exited', 'boot-none exited']);
  expectCode(env.run(['start', '--all', '--filter', 'status=exited']), 125, 'an unsupported filter');
  env.ok(['rm', '-f', 'boot-always', 'boot-unless', 'boot-unless-stopped', 'boot-none']);
});
