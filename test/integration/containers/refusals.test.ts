// Docker's input rules at create, through the real CLI: each refused input exits 125 with
// dockerd's words and leaves nothing behind (no container, layer, volume, network or
// directory). Also: a missing bind source is skiff's refusal, not the runtime's 127, and start
// errors name container paths, never skiff's own directories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerEnv, IMAGE, type ContainerEnv } from './fixtures.js';
import { footprint } from './footprint.js';

function refuses(env: ContainerEnv, args: string[], message: string): void {
  const r = env.run(args);
  assert.equal(r.code, 125, `skiff ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  assert.equal(r.stderr, `Error: ${message}\n`, `skiff ${args.join(' ')}`);
}

const REFUSED: [string[], string][] = [
  [['-m', '4m'], 'Minimum memory limit allowed is 6MB'],
  [['-m', '-1'], 'Minimum memory limit allowed is 6MB'],
  [['--memory-swap', '1g'], 'You should always set the Memory limit when using Memoryswap limit, see usage'],
  [['-m', '64m', '--memory-swap', '32m'], 'Minimum memoryswap limit should be larger than memory limit, see usage'],
  [['--memory-reservation', '1k'], 'Minimum memory reservation allowed is 6MB'],
  [['-m', '16m', '--memory-reservation', '32m'], 'Minimum memory limit can not be less than memory reservation limit, see usage'],
  [['--cpus', '-1'], /* the host's count follows */ 'Range of CPUs'],
  [['--cpus', '100000'], 'Range of CPUs'],
  [['--cpus', '1', '--cpu-period', '100000'], 'Conflicting options: Nano CPUs and CPU Period cannot both be set'],
  [['--cpu-shares', '-5'], 'invalid CPU shares -5: the range is 0 (the default) to 262144'],
  [['--cpu-shares', '1.5'], 'invalid CPU shares 1.5: want an integer'],
  [['--cpu-period', '5'], 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)'],
  [['--cpu-quota', '5'], 'CPU cfs quota can not be less than 1ms (i.e. 1000)'],
  [['--cpuset-cpus', 'abc'], 'Invalid value abc for cpuset cpus: invalid format: abc'],
  [['--cpuset-cpus', '9999'], 'Requested CPUs are not available - requested 9999, available: '],
  [['--cpuset-mems', '9999'], 'Requested memory nodes are not available - requested 9999, available: '],
  [['--restart', 'bogus'], "invalid restart policy: unknown policy 'bogus'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"],
  [['--restart', 'always:3'], "invalid restart policy: maximum retry count can only be used with 'on-failure'"],
  [['--restart', 'on-failure:-1'], 'invalid restart policy: maximum retry count cannot be negative'],
  [['--restart', 'on-failure:x'], 'invalid restart policy format: maximum retry count must be an integer'],
  [['--restart', ':3'], 'invalid restart policy format: no policy provided before colon'],
  [['--rm', '--restart', 'always'], "can't create 'AutoRemove' container with restart policy"],
  [['--network', 'container:nope'], 'No such container: nope'],
  [['--network', 'container:'], 'invalid network mode: invalid container format container:<name|id>'],
  [['--network', 'nonet'], 'network nonet not found'],
  [['--oom-score-adj', '2000'], 'Invalid value 2000, range for oom score adj is [-1000, 1000]'],
];

test('create and run refuse invalid resources, restart policies and network modes with 125, leaving nothing', async () => {
  const env = containerEnv('skiff-refuse-');
  try {
    const before = footprint(env);
    for (const verb of ['create', 'run']) {
      for (const [flags, message] of REFUSED) {
        const r = env.run([verb, ...flags, IMAGE, 'true']);
        assert.equal(r.code, 125, `${verb} ${flags.join(' ')} exited ${r.code}: ${r.stderr}`);
        assert.ok(r.stderr.startsWith(`Error: ${message}`), `${verb} ${flags.join(' ')}: ${r.stderr}`);
        assert.equal(r.stderr.split('\n').length, 2, `one line of error: ${r.stderr}`);
      }
    }
    // As with dockerd, the request is refused before the image is looked for: no pull.
    refuses(env, ['run', '-m', '4m', 'registry.invalid/nosuch:1', 'true'], 'Minimum memory limit allowed is 6MB');
    assert.deepEqual(footprint(env), before);
  } finally {
    await env.teardown();
  }
});

test('network container: conflicts are refused; valid restart policies are recorded', async () => {
  const env = containerEnv('skiff-refuse-');
  try {
    env.ok(['create', '--name', 'other', IMAGE, 'true']);
    const before = footprint(env);
    refuses(env, ['create', '--network', 'container:other', '-h', 'x', IMAGE], 'conflicting options: hostname and the network mode');
    refuses(env, ['create', '--network', 'container:other', '--dns', '1.1.1.1', IMAGE], 'conflicting options: dns and the network mode');
    refuses(env, ['create', '--network', 'container:other', '--add-host', 'a:1.2.3.4', IMAGE], 'conflicting options: custom host-to-IP mapping and the network mode');
    refuses(env, ['create', '--network', 'container:other', '-p', '8080:80', IMAGE], 'conflicting options: port publishing and the container type network mode');
    assert.deepEqual(footprint(env), before);
    env.ok(['create', '--name', 'joined', '--network', 'container:other', IMAGE, 'true']);
    env.ok(['create', '--name', 'retries', '--restart', 'on-failure:3', IMAGE, 'true']);
    env.ok(['create', '--name', 'always', '--restart', 'unless-stopped', IMAGE, 'true']);
    const policy = (n: string) => JSON.parse(env.ok(['inspect', '--format', '{{json .HostConfig.RestartPolicy}}', n])) as unknown;
    assert.deepEqual(policy('retries'), { Name: 'on-failure', MaximumRetryCount: 3 });
    assert.deepEqual(policy('always'), { Name: 'unless-stopped', MaximumRetryCount: 0 });
    assert.deepEqual(policy('joined'), { Name: 'no', MaximumRetryCount: 0 });
  } finally {
    await env.teardown();
  }
});

test("a missing --mount bind source, relative or absolute, is skiff's refusal (125) at create, not the runtime's 127; -v makes its missing source as dockerd does", async () => {
  const env = containerEnv('skiff-refuse-');
  try {
    const before = footprint(env);
    const missing = join(env.dir, 'missing');
    const r = env.run(['run', '--rm', '--mount', 'type=bind,src=./missing,target=/x', IMAGE, 'true'], { cwd: env.dir });
    assert.equal(r.code, 125, r.stderr);
    assert.equal(r.stderr, `Error: invalid mount config for type "bind": bind source path does not exist: ${missing}\n`);
    refuses(env, ['create', '--mount', `type=bind,src=${missing},target=/x`, IMAGE], `invalid mount config for type "bind": bind source path does not exist: ${missing}`);
    assert.equal(existsSync(missing), false, '--mount made a missing bind source');
    assert.deepEqual(footprint(env), before);
    // A relative path without ./ names a volume, as in Docker.
    refuses(env, ['create', '-v', 'missing/dir:/x', IMAGE], 'create missing/dir: "missing/dir" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path');
    assert.deepEqual(footprint(env), before);
    // -v (relative with ./, or absolute) makes the missing directory, as dockerd does for Binds.
    const rel = env.run(['run', '--rm', '-v', './made-rel:/x', IMAGE, 'true'], { cwd: env.dir });
    assert.equal(rel.code, 0, rel.stderr);
    env.ok(['run', '--rm', '-v', `${join(env.dir, 'made-abs')}:/x`, IMAGE, 'true']);
    assert.ok(existsSync(join(env.dir, 'made-rel')) && existsSync(join(env.dir, 'made-abs')), '-v did not make its source');
  } finally {
    await env.teardown();
  }
});

test("a failed start names the container path and the volume, never skiff's own directories", async () => {
  const env = containerEnv('skiff-refuse-');
  try {
    // A volume (a directory) over a file of the image: the runtime refuses the mount.
    const r = env.run(['run', '--rm', '-v', 'vol1:/etc/passwd', IMAGE, 'true']);
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, /volume vol1/);
    assert.match(r.stderr, /\/etc\/passwd/);
    assert.ok(!r.stderr.includes(env.dir), `host path in: ${r.stderr}`);
    // A bind below a file of the image: runc names the path it opened inside the rootfs.
    env.ok(['create', '--name', 'below', '-v', `${env.tar}:/bin/sh/x`, IMAGE, 'true']);
    const s = env.run(['start', 'below']);
    assert.equal(s.code, 125, s.stderr);
    assert.ok(!s.stderr.replace(env.tar, '<bind source>').includes(env.dir), `host path in: ${s.stderr}`);
    assert.match(s.stderr, /\/bin\/(sh|busybox)\/x/);
    const recorded = env.ok(['inspect', '--format', '{{.State.Error}}', 'below']);
    assert.ok(!recorded.replace(env.tar, '<bind source>').includes(env.dir), `host path in State.Error: ${recorded}`);
  } finally {
    await env.teardown();
  }
});

test('a create that fails after writing its row takes it back: no container, layer or volume it made, no host path', async () => {
  const env = containerEnv('skiff-refuse-');
  try {
    env.ok(['volume', 'create', 'kept']);
    const before = footprint(env);
    // The containers' directory cannot be made: a file is in its way.
    writeFileSync(join(env.root, 'containers'), 'in the way');
    const r = env.run(['create', '-v', 'made:/a', '-v', 'kept:/b', IMAGE, 'true']);
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, /^Error: ENOTDIR: .*'<skiff root>\/containers\/[0-9a-f]{64}\/userdata'\n$/);
    rmSync(join(env.root, 'containers'));
    assert.deepEqual(footprint(env), before);
  } finally {
    await env.teardown();
  }
});
