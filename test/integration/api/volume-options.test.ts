// The local driver's options (`-o type=… -o device=… -o o=…`) through the docker CLI against
// `skiff system service` and through `skiff volume create`: dockerd's refusals, a sized tmpfs,
// a bind of a host directory, an ext4 filesystem on a loop device, the mount made at first use
// and undone when the last container using it stops, and a start killed after the mount.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { IMAGE, apiEnv, waitFor, type ApiEnv } from './fixtures.js';
import { mountsUnder } from '../containers/fixtures.js';
import { need, root, tool, unmet } from '../../helpers/requires.js';

const skip = unmet(root(), tool('docker'), tool('/usr/sbin/runc'), tool('/usr/bin/conmon'));
let env: ApiEnv;

before(async () => {
  if (skip) return;
  env = await apiEnv('skiff-volopt-');
});
after(async () => {
  if (skip) return;
  await env.stop();
});

const dataOf = (name: string) => join(env.root, 'volumes', name, '_data');
const mounted = (name: string) => mountsUnder(dataOf(name)).length > 0;

/** The volume's filesystem goes once the container that used it has exited (its cleanup runs after `run` returns). */
async function unmountedSoon(name: string): Promise<void> {
  const gone = await waitFor(() => (mounted(name) ? undefined : true), 15_000).catch(() => false);
  assert.ok(gone, `${name}'s filesystem is still mounted on ${dataOf(name)}`);
}

test('volume create refuses options the local driver does not know, as dockerd does', { skip }, async () => {
  const d = env.docker(['volume', 'create', '-o', 'foo=bar', 'badopt']);
  assert.equal(d.code, 1);
  assert.match(d.stderr, /Error response from daemon: create badopt: invalid option: "foo"/);
  const s = env.run(['volume', 'create', '-o', 'foo=bar', 'badopt']);
  assert.equal(s.code, 125);
  assert.match(s.stderr, /^Error: create badopt: invalid option: "foo"/m);
  const missing = env.docker(['volume', 'create', '-o', 'type=tmpfs', 'badopt']);
  assert.match(missing.stderr, /create badopt: missing required option: "device"/);
  const api = await env.api('POST', '/v1.41/volumes/create', { Name: 'badopt', DriverOpts: { o: 'size=1m' } });
  assert.equal(api.status, 400);
  assert.deepEqual(api.json(), { message: 'create badopt: missing required option: "device"' });
  const quota = await env.api('POST', '/v1.41/volumes/create', { Name: 'badopt', DriverOpts: { size: '1m' } });
  assert.equal(quota.status, 400);
  assert.equal(env.docker(['volume', 'ls', '-q', '--filter', 'name=badopt']).stdout.trim(), '');
});

test('a tmpfs volume with o=size=10m is a 10 MiB tmpfs in the container, shown in inspect, unmounted after', { skip }, async () => {
  env.dockerOk(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=10m', 'tmp10']);
  const doc = JSON.parse(env.dockerOk(['volume', 'inspect', 'tmp10']))[0];
  assert.deepEqual(doc.Options, { device: 'tmpfs', o: 'size=10m', type: 'tmpfs' });
  assert.equal(mounted('tmp10'), false, 'nothing is mounted before a container uses the volume');
  const df = env.dockerOk(['run', '--rm', '-v', 'tmp10:/t', IMAGE, 'df', '-k', '/t']).trim().split('\n').pop()!.split(/\s+/);
  assert.equal(df[0], 'tmpfs');
  assert.equal(df[1], '10240');
  await unmountedSoon('tmp10');

  // The same through skiff's own verbs.
  env.ok(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=5m', 'tmp5']);
  assert.deepEqual(JSON.parse(env.ok(['volume', 'inspect', 'tmp5']))[0].Options, { device: 'tmpfs', o: 'size=5m', type: 'tmpfs' });
  const line = env.ok(['run', '--rm', '-v', 'tmp5:/t', IMAGE, 'sh', '-c', 'grep " /t " /proc/mounts']);
  assert.match(line, /^tmpfs \/t tmpfs .*size=5120k/);
  await unmountedSoon('tmp5');
});

test('--mount volume-opt= (API VolumeOptions.DriverConfig.Options) gives a volume made on first use its options; an existing volume keeps its own; bad ones are refused as volume create refuses them', { skip }, async () => {
  const tmpfsOpts = 'volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-opt=o=size=10m';
  const df = env.dockerOk(['run', '--rm', '--network', 'none', '--mount', `type=volume,src=mtmp,dst=/x,${tmpfsOpts}`, IMAGE, 'df', '-k', '/x']);
  const row = df.trim().split('\n').pop()!.split(/\s+/);
  assert.deepEqual([row[0], row[1]], ['tmpfs', '10240']);
  assert.deepEqual(JSON.parse(env.dockerOk(['volume', 'inspect', 'mtmp']))[0].Options, { device: 'tmpfs', o: 'size=10m', type: 'tmpfs' });
  await unmountedSoon('mtmp');

  // skiff's own CLI, and an anonymous volume
  const cli = env.ok(['run', '--rm', '--network', 'none', '--mount', `type=volume,src=mtmp-cli,dst=/x,${tmpfsOpts.replace('10m', '5m')}`, IMAGE, 'df', '-k', '/x']);
  assert.equal(cli.trim().split('\n').pop()!.split(/\s+/)[1], '5120');
  assert.deepEqual(JSON.parse(env.ok(['volume', 'inspect', 'mtmp-cli']))[0].Options, { device: 'tmpfs', o: 'size=5m', type: 'tmpfs' });
  await unmountedSoon('mtmp-cli');

  const api = await env.api('POST', '/v1.41/containers/create', {
    Image: IMAGE,
    Cmd: ['true'],
    HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'volume', Source: 'mtmp-api', Target: '/x', VolumeOptions: { DriverConfig: { Options: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } } } }] },
  });
  assert.equal(api.status, 201, api.text);
  assert.deepEqual(JSON.parse(env.dockerOk(['volume', 'inspect', 'mtmp-api']))[0].Options, { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' });
  const hc = JSON.parse(env.dockerOk(['inspect', (api.json() as { Id: string }).Id]))[0].HostConfig;
  assert.deepEqual(hc.Mounts[0].VolumeOptions.DriverConfig.Options, { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' });

  // an existing volume keeps its own options (dockerd does not even check the new ones)
  env.dockerOk(['volume', 'create', 'mplain']);
  env.dockerOk(['run', '--rm', '--network', 'none', '--mount', 'type=volume,src=mplain,dst=/x,volume-opt=bogus=1', IMAGE, 'true']);
  env.dockerOk(['run', '--rm', '--network', 'none', '--mount', `type=volume,src=mtmp,dst=/x,${tmpfsOpts.replace('10m', '2m')}`, IMAGE, 'true']);
  assert.deepEqual(JSON.parse(env.dockerOk(['volume', 'inspect', 'mplain']))[0].Options, {});
  // ... unless it is removed before the start that would make it again: then they are checked
  env.dockerOk(['create', '--name', 'mplain-c', '--network', 'none', '--mount', 'type=volume,src=mplain,dst=/x,volume-opt=bogus=1', IMAGE, 'true']);
  env.dockerOk(['volume', 'rm', '-f', 'mplain']);
  const restart = env.docker(['start', 'mplain-c']);
  assert.notEqual(restart.code, 0);
  assert.match(restart.stderr, /create mplain: invalid option: "bogus"/);
  assert.equal(env.docker(['volume', 'ls', '-q', '--filter', 'name=mplain']).stdout.trim(), '');
  env.dockerOk(['rm', 'mplain-c']);
  assert.deepEqual(JSON.parse(env.dockerOk(['volume', 'inspect', 'mtmp']))[0].Options, { device: 'tmpfs', o: 'size=10m', type: 'tmpfs' });

  // dockerd 20.10's messages, and no volume or container is left behind
  const missing = env.docker(['run', '--rm', '--mount', 'type=volume,src=mbad,dst=/x,volume-opt=type=tmpfs', IMAGE, 'true']);
  assert.equal(missing.code, 125);
  assert.match(missing.stderr, /Error response from daemon: create mbad: missing required option: "device"/);
  const unknown = env.docker(['create', '--name', 'mbad-c', '--mount', 'type=volume,src=mbad,dst=/x,volume-opt=bogus=1', IMAGE, 'true']);
  assert.match(unknown.stderr, /Error response from daemon: create mbad: invalid option: "bogus"/);
  const anon = env.docker(['create', '--mount', 'type=volume,dst=/x,volume-opt=bogus=1', IMAGE, 'true']);
  assert.match(anon.stderr, /Error response from daemon: create [0-9a-f]{64}: invalid option: "bogus"/);
  const skiffBad = env.run(['create', '--mount', 'type=volume,src=mbad,dst=/x,volume-opt=size=1m', IMAGE, 'true']);
  assert.equal(skiffBad.code, 125);
  assert.match(skiffBad.stderr, /^Error: create mbad: quota size requested but no quota support/m);
  assert.equal(env.docker(['volume', 'ls', '-q', '--filter', 'name=mbad']).stdout.trim(), '');
  assert.equal(env.docker(['ps', '-aq', '--filter', 'name=mbad-c']).stdout.trim(), '');
});

test('a tmpfs volume is one filesystem for every container using it, until the last one stops', { skip }, async () => {
  env.dockerOk(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', 'shared']);
  env.dockerOk(['run', '-d', '--name', 'holder', '-v', 'shared:/s', IMAGE, 'sh', '-c', 'echo kept > /s/f; exec sleep 300']);
  await waitFor(() => (existsSync(join(dataOf('shared'), 'f')) ? true : undefined), 10_000);
  assert.equal(env.dockerOk(['run', '--rm', '-v', 'shared:/s', IMAGE, 'cat', '/s/f']).trim(), 'kept');
  assert.ok(mounted('shared'), 'the holder still uses the volume');
  env.dockerOk(['rm', '-f', 'holder']);
  await unmountedSoon('shared');
  assert.equal(env.dockerOk(['run', '--rm', '-v', 'shared:/s', IMAGE, 'ls', '/s']).trim(), '', 'a new tmpfs once nobody used it');
  await unmountedSoon('shared');
});

test('two containers using a tmpfs volume removed at the same time leave it unmounted', { skip }, async () => {
  env.ok(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', 'pair']);
  for (const n of ['pair1', 'pair2']) env.ok(['run', '-d', '--name', n, '-v', 'pair:/p', IMAGE, 'sleep', '300']);
  assert.ok(mounted('pair'));
  const [a, b] = await Promise.all([env.runAsync(['rm', '-f', 'pair1']), env.runAsync(['rm', '-f', 'pair2'])]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  await unmountedSoon('pair');
});

test('a bind volume (type=none, o=bind, device=HOSTDIR): a file written in the container is at the host path, and stays after volume rm', { skip }, async () => {
  const host = join(env.dir, 'bind-src');
  mkdirSync(host);
  writeFileSync(join(host, 'before'), 'host file\n');
  env.dockerOk(['volume', 'create', '-o', 'type=none', '-o', 'o=bind', '-o', `device=${host}`, 'hostbind']);
  const out = env.dockerOk(['run', '--rm', '-v', 'hostbind:/b', IMAGE, 'sh', '-c', 'cat /b/before; echo from-container > /b/written']);
  assert.equal(out, 'host file\n');
  assert.equal(readFileSync(join(host, 'written'), 'utf8'), 'from-container\n');
  await unmountedSoon('hostbind');
  env.dockerOk(['volume', 'rm', 'hostbind']);
  assert.equal(readFileSync(join(host, 'before'), 'utf8'), 'host file\n', 'volume rm never removes the host directory\'s files');

  env.ok(['volume', 'create', '-o', 'type=none', '-o', 'o=bind', '-o', `device=${host}`, 'hostbind2']);
  env.ok(['run', '--rm', '-v', 'hostbind2:/b', IMAGE, 'sh', '-c', 'echo via-skiff > /b/skiff']);
  assert.equal(readFileSync(join(host, 'skiff'), 'utf8'), 'via-skiff\n');
  await unmountedSoon('hostbind2');
  env.ok(['volume', 'rm', 'hostbind2']);
  assert.ok(existsSync(join(host, 'skiff')));
});

test('docker cp into a created container\'s bind volume writes into the host directory, as the container will see it', { skip }, () => {
  const host = join(env.dir, 'cp-src');
  mkdirSync(host);
  env.dockerOk(['volume', 'create', '-o', 'type=none', '-o', 'o=bind', '-o', `device=${host}`, 'cpbind']);
  env.dockerOk(['create', '--name', 'cpctr', '-v', 'cpbind:/b', IMAGE, 'cat', '/b/copied']);
  const local = join(env.dir, 'to-copy');
  writeFileSync(local, 'copied in\n');
  env.dockerOk(['cp', local, 'cpctr:/b/copied']);
  assert.equal(readFileSync(join(host, 'copied'), 'utf8'), 'copied in\n');
  assert.equal(mounted('cpbind'), false);
  env.dockerOk(['start', '-a', 'cpctr']);
  env.dockerOk(['rm', 'cpctr']);
});

test('a bind volume whose host path is missing fails the start with dockerd\'s message', { skip }, () => {
  env.dockerOk(['volume', 'create', '-o', 'type=none', '-o', 'o=bind', '-o', `device=${join(env.dir, 'nowhere')}`, 'nobind']);
  const r = env.docker(['run', '--rm', '-v', 'nobind:/b', IMAGE, 'true']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /error while mounting volume '.*': failed to mount local volume: mount .*nowhere:.*, flags: 0x1000: no such file or directory/);
  assert.equal(mounted('nobind'), false);
});

test('an ext4 volume on a loop device is mounted at first use and unmounted after', { skip: skip || unmet(tool('mkfs.ext4'), tool('losetup'), need(existsSync('/dev/loop-control'), 'loop devices', 'a kernel with the loop driver')) }, async () => {
  const img = join(env.dir, 'ext4.img');
  const made = spawnSync('sh', ['-c', `truncate -s 16M ${img} && mkfs.ext4 -q -F ${img} && losetup -f --show ${img}`], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const loop = made.stdout.trim();
  try {
    env.dockerOk(['volume', 'create', '-o', 'type=ext4', '-o', `device=${loop}`, 'ext4vol']);
    const line = env.dockerOk(['run', '--rm', '-v', 'ext4vol:/e', IMAGE, 'sh', '-c', 'echo x > /e/x && grep " /e " /proc/mounts']);
    assert.match(line, new RegExp(`^${loop} /e ext4 `));
    await unmountedSoon('ext4vol');
  } finally {
    spawnSync('losetup', ['-d', loop]);
  }
});

test('a start killed after mounting a volume: system check reports the mount, the next start and rm leave none', { skip }, async () => {
  env.ok(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', 'crashvol']);
  const killed = env.run(['run', '-d', '--name', 'crashed', '-v', 'crashvol:/c', IMAGE, 'sleep', '300'], { env: { SKIFF_TEST_CRASH_AT: 'start:volume-mounted' } });
  assert.equal(killed.code, 128, `the CLI was to be killed at the crash point: ${killed.stderr}`);
  assert.ok(mounted('crashvol'), 'the kill came after the mount');
  const check = env.run(['system', 'check', '--format', 'json']);
  assert.match(check.stdout, /mounted while no container uses it/);
  env.ok(['start', 'crashed']);
  assert.equal(mountsUnder(dataOf('crashvol')).length, 1, 'one tmpfs, not a second one stacked on the first');
  env.ok(['rm', '-f', 'crashed']);
  await unmountedSoon('crashvol');
  env.ok(['volume', 'rm', 'crashvol']);
});
