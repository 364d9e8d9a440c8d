// update: new limits reach a running container's cgroup (read from inside it), stay for the
// next start, show in inspect; values are checked as create checks them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { IMAGE, containerEnv, expectCode, type ContainerEnv } from './fixtures.js';

let env: ContainerEnv;

before(() => {
  env = containerEnv('skiff-update-');
});
after(async () => {
  await env.teardown();
});

const MEMORY = '/sys/fs/cgroup/memory/memory.limit_in_bytes';
const PIDS = '/sys/fs/cgroup/pids/pids.max';

function cgroup(name: string, ...files: string[]): string[] {
  return env.ok(['exec', name, 'cat', ...files]).trim().split('\n');
}

function hostConfig(name: string): Record<string, unknown> {
  return (JSON.parse(env.ok(['inspect', name])) as { HostConfig: Record<string, unknown> }[])[0]!.HostConfig;
}

test('update --memory 64m --pids-limit 50 changes a running container and inspect', () => {
  env.ok(['run', '-d', '--name', 'live', IMAGE, 'sleep', '300']);
  assert.notEqual(cgroup('live', MEMORY)[0], String(64 * 1024 * 1024));
  assert.equal(env.ok(['update', '--memory', '64m', '--pids-limit', '50', 'live']), 'live\n');
  assert.deepEqual(cgroup('live', MEMORY, PIDS), [String(64 * 1024 * 1024), '50']);
  const hc = hostConfig('live');
  assert.equal(hc.Memory, 64 * 1024 * 1024);
  assert.equal(hc.PidsLimit, 50);
});

test('cpu limits, reservation and restart policy; kept across a stop and start', () => {
  env.ok(['update', '--cpus', '0.5', '--cpu-shares', '512', '--cpuset-cpus', '0', '--memory-reservation', '32m', '--restart', 'on-failure:3', 'live']);
  assert.deepEqual(
    cgroup('live', '/sys/fs/cgroup/cpu/cpu.cfs_quota_us', '/sys/fs/cgroup/cpu/cpu.shares', '/sys/fs/cgroup/cpuset/cpuset.cpus', '/sys/fs/cgroup/memory/memory.soft_limit_in_bytes'),
    ['50000', '512', '0', String(32 * 1024 * 1024)],
  );
  env.ok(['stop', '-t', '1', 'live']);
  env.ok(['start', 'live']);
  assert.deepEqual(cgroup('live', MEMORY, PIDS, '/sys/fs/cgroup/cpu/cpu.cfs_quota_us'), [String(64 * 1024 * 1024), '50', '50000']);
  const hc = hostConfig('live');
  assert.equal(hc.NanoCpus, 5e8);
  assert.equal(hc.CpuShares, 512);
  assert.equal(hc.CpusetCpus, '0');
  assert.equal(hc.MemoryReservation, 32 * 1024 * 1024);
  assert.deepEqual(hc.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  env.ok(['rm', '-f', 'live']);
});

test('a stopped container gets the values at its next start', () => {
  env.ok(['create', '--name', 'later', IMAGE, 'sleep', '300']);
  env.ok(['update', '--memory', '48m', '--pids-limit', '40', 'later']);
  env.ok(['start', 'later']);
  assert.deepEqual(cgroup('later', MEMORY, PIDS), [String(48 * 1024 * 1024), '40']);
  env.ok(['update', '--pids-limit', '-1', 'later']);
  assert.deepEqual(cgroup('later', PIDS), ['max']);
  env.ok(['rm', '-f', 'later']);
});

test('invalid values are refused and change nothing', () => {
  env.ok(['run', '-d', '--name', 'bad', '--memory', '32m', '--memory-swap', '64m', IMAGE, 'sleep', '300']);
  const cases: [string[], RegExp][] = [
    [['--memory', '1m'], /minimum memory limit allowed is 6MB/i],
    [['--memory', '128m'], /should be smaller than already set memoryswap limit/],
    [['--memory-reservation', '64m'], /memory reservation/],
    [['--restart', 'always:3'], /only be used with 'on-failure'/],
    [['--restart', 'sometimes'], /unknown policy/],
    [['--cpuset-cpus', 'x'], /invalid value x for cpuset cpus/i],
    [[], /one or more flags/],
  ];
  for (const [flags, message] of cases) {
    const r = env.run(['update', ...flags, 'bad']);
    expectCode(r, 125, flags.join(' '));
    assert.match(r.stderr, message);
  }
  assert.deepEqual(cgroup('bad', MEMORY), [String(32 * 1024 * 1024)]);
  assert.equal(hostConfig('bad').Memory, 32 * 1024 * 1024);
  expectCode(env.run(['update', '--memory', '64m', 'nosuch']), 125, 'unknown container');
  env.ok(['rm', '-f', 'bad']);
});

test('an --rm container keeps restart policy "no"', () => {
  env.ok(['run', '-d', '--rm', '--name', 'gone', IMAGE, 'sleep', '300']);
  const r = env.run(['update', '--restart', 'always', 'gone']);
  expectCode(r, 125, 'restart with AutoRemove');
  assert.match(r.stderr, /AutoRemove/);
  env.ok(['rm', '-f', 'gone']);
});
