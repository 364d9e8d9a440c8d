// The on-demand timer process (engine/timers/): started by the first container needing it,
// one per run root, restarted by the next skiff command after a SIGKILL with the checks going
// on, gone once the last container needing it is removed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { IMAGE, containerEnv, killQuietly, processAlive, timerProcessesUnder, waitFor, type ContainerEnv } from './fixtures.js';

let env: ContainerEnv;

before(() => {
  env = containerEnv('skiff-timers-');
});
after(() => env.teardown());

const NAMES = ['hc1', 'hc2', 'hc3'];

function timers(): { mode: string; pid: number } {
  return (JSON.parse(env.ok(['info', '-f', 'json'])) as { timers: { mode: string; pid: number } }).timers;
}

function lastProbe(ref: string): number {
  const log = JSON.parse(env.ok(['inspect', '-f', '{{json .State.Health.Log}}', ref])) as { Start: string }[] | null;
  return log?.length ? Date.parse(log.at(-1)!.Start) : 0;
}

test('one timer process for 3 checked containers; after a SIGKILL the next command starts another and the checks go on; it leaves with the last container', async () => {
  assert.deepEqual(timerProcessesUnder(env.dir), [], 'no timer process before any container needs one');
  for (const n of NAMES) env.ok(['run', '-d', '--name', n, '--health-cmd', 'true', '--health-interval', '2s', IMAGE, 'sleep', '600']);
  for (const n of NAMES) {
    await waitFor(() => (env.ok(['inspect', '-f', '{{.State.Health.Status}}', n]).trim() === 'healthy' ? true : undefined), 120_000, `${n} healthy`);
  }
  const first = timers();
  assert.equal(first.mode, 'process');
  assert.ok(first.pid > 0 && processAlive(first.pid), `timer process ${first.pid} runs`);
  assert.deepEqual(timerProcessesUnder(env.dir), [first.pid], 'one timer process for the run root');

  killQuietly(first.pid, 'SIGKILL');
  await waitFor(() => (processAlive(first.pid) ? undefined : true), 30_000, 'the timer process to die');
  const killedAt = Date.now();
  // Any command notices and starts a new one.
  env.ok(['ps']);
  const second = await waitFor(() => {
    const t = timers();
    return t.pid > 0 && t.pid !== first.pid ? t : undefined;
  }, 60_000, 'a new timer process');
  assert.ok(processAlive(second.pid));
  for (const n of NAMES) {
    await waitFor(() => (lastProbe(n) > killedAt ? true : undefined), 120_000, `a probe of ${n} after the kill`);
  }
  assert.deepEqual(timerProcessesUnder(env.dir), [second.pid]);

  // Still needed while one container has a check; gone after the last one.
  env.ok(['rm', '-f', 'hc1', 'hc2']);
  const before = lastProbe('hc3');
  await waitFor(() => (lastProbe('hc3') > before ? true : undefined), 120_000, 'hc3 probed after the others left');
  assert.ok(processAlive(second.pid), 'it stays while hc3 needs it');
  env.ok(['rm', '-f', 'hc3']);
  await waitFor(() => (processAlive(second.pid) ? undefined : true), 30_000, 'the timer process to leave');
  assert.equal(timers().pid, 0);
});
