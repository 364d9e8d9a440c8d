// Many CLIs at once, a CLI killed mid-run, and a wiped run directory (a reboot): the records,
// mounts and monitors must stay true to the world.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import {
  IMAGE, assertNoContainerLeft, conmonsUnder, containerDirs, containerEnv, expectCode, killQuietly, mountsUnder, processAlive,
  waitFor, type ContainerEnv,
} from './fixtures.js';

let env: ContainerEnv;

before(() => {
  env = containerEnv('skiff-conc-');
});
after(() => env.teardown());

function inspect(ref: string, format: string): string {
  return env.ok(['inspect', '-f', format, ref]).trim();
}

test('20 concurrent run --rm print their output with the right exit codes and leave nothing behind', async () => {
  const n = 20;
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) => env.runAsync(['run', '--rm', IMAGE, 'sh', '-c', `echo ${i}; exit ${i % 5}`])),
  );
  for (const [i, r] of results.entries()) {
    expectCode(r, i % 5, `run ${i}`);
    assert.equal(r.stdout, `${i}\n`, `stdout of run ${i}`);
    assert.equal(r.stderr, '', `stderr of run ${i}`);
  }
  await assertNoContainerLeft(env);
});

test('after SIGKILL of a foreground run, ps -a shows it running and rm -f cleans everything', async () => {
  const cli = spawn(process.execPath, [env.bin, 'run', '--name', 'k', IMAGE, 'sleep', '30'], { env: env.env, stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((res) => cli.on('exit', (_code, sig) => res(sig)));
  await waitFor(() => (env.run(['ps', '--format', '{{.Names}} {{.State}}']).stdout === 'k running\n' ? true : undefined), 15_000, 'k to run');
  cli.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');

  // conmon, not the CLI, keeps the container: it is still running, and ps says so.
  assert.match(env.ok(['ps', '-a', '--format', '{{.Names}} {{.Status}}']), /^k Up /);
  const pid = Number(inspect('k', '{{.State.Pid}}'));
  assert.ok(processAlive(pid), 'the container process survived its CLI');
  assert.equal(conmonsUnder(env.dir).length, 1);

  env.ok(['rm', '-f', 'k']);
  assert.ok(!processAlive(pid));
  await assertNoContainerLeft(env);
});

test('after the run directory is wiped (a reboot), ps -a shows running containers as exited and start works', async () => {
  env.ok(['run', '-d', '--name', 'rb', IMAGE, 'sh', '-c', 'echo boot-$(cat /proc/sys/kernel/random/boot_id | cut -c1-4); sleep 300']);
  env.ok(['run', '--name', 'done', IMAGE, 'true']);
  const id = inspect('rb', '{{.Id}}');
  const pid = Number(inspect('rb', '{{.State.Pid}}'));
  const monitor = Number(readFileSync(join(env.runroot, 'containers', id, 'conmon.pid'), 'utf8'));
  assert.ok(processAlive(pid) && processAlive(monitor));

  // The reboot: every process gone, every mount gone, the run root (a tmpfs on a real host) empty.
  killQuietly(monitor);
  killQuietly(pid);
  await waitFor(() => (!processAlive(monitor) && !processAlive(pid) ? true : undefined), 5000, 'the processes to die');
  for (const m of mountsUnder(env.runroot).sort((a, b) => b.length - a.length)) spawnSync('umount', ['-l', m]);
  rmSync(env.runroot, { recursive: true, force: true });

  const ps = env.ok(['ps', '-a', '--format', '{{.Names}} {{.State}}']).trim().split('\n').sort();
  assert.deepEqual(ps, ['done exited', 'rb exited']);
  assert.equal(inspect('rb', '{{.State.Running}}'), 'false');
  assert.equal(env.ok(['ps', '-q']), '', 'nothing is running');

  // start regenerates the bundle and the mount and runs it again under a new monitor.
  env.ok(['start', 'rb']);
  assert.match(env.ok(['ps', '--format', '{{.Names}} {{.Status}}']), /^rb Up /);
  const pid2 = Number(inspect('rb', '{{.State.Pid}}'));
  assert.ok(pid2 > 0 && pid2 !== pid && processAlive(pid2));
  assert.deepEqual(containerDirs(env).run, [id]);
  assert.equal(mountsUnder(env.runroot).filter((m) => m.endsWith(`${id}/rootfs`)).length, 1, 'the rootfs is mounted again');
  await waitFor(() => (env.ok(['logs', 'rb']).split('\n').filter((l) => l.startsWith('boot-')).length === 2 ? true : undefined), 5000, 'the second run to log');
  expectCode(env.run(['exec', 'rb', 'true']), 0, 'exec into the restarted container');

  env.ok(['stop', '-t', '0', 'rb']);
  assert.equal(inspect('rb', '{{.State.Status}}'), 'exited');
  env.ok(['rm', 'rb', 'done']);
  await assertNoContainerLeft(env);
});
