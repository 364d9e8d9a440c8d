// generate systemd and Quadlet: the units pass `systemd-analyze verify`, and their Exec lines,
// run by hand, start (and stop) the container they describe. --sdnotify=conmon sends READY=1
// with conmon as MAINPID to the NOTIFY_SOCKET of whoever starts the container.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readFileSync, existsSync, writeFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { IMAGE, containerEnv, expectCode, waitFor, type ContainerEnv } from '../containers/fixtures.js';
import { NotifyReceiver, sdNotify } from '../../../src/sys/linux/sd-notify.js';
import { unitRunner, verifyUnits } from './fixtures.js';

let env: ContainerEnv;

before(() => {
  env = containerEnv('skiff-units-');
});
after(async () => {
  await env.teardown();
});

function state(ref: string): { Status: string; Pid: number } {
  return (JSON.parse(env.ok(['inspect', ref])) as { State: { Status: string; Pid: number } }[])[0]!.State;
}

function conmonPid(ref: string): number {
  const id = env.ok(['inspect', '--format', '{{.Id}}', ref]).trim();
  return Number(readFileSync(join(env.runroot, 'containers', id, 'conmon.pid'), 'utf8').trim());
}

test('generate systemd: a unit that starts and stops an existing container', () => {
  env.ok(['create', '--name', 'plain', IMAGE, 'sleep', '300']);
  const text = env.ok(['generate', 'systemd', '--name', '--restart-policy', 'always', '-t', '3', 'plain']);
  const dir = join(env.dir, 'gen-plain');
  mkdirSync(dir);
  writeFileSync(join(dir, 'container-plain.service'), text);
  verifyUnits(dir, ['container-plain.service']);
  assert.match(text, /^Restart=always$/m);
  assert.match(text, /^TimeoutStopSec=63$/m);
  assert.match(text, /^Type=forking$/m);
  const unit = unitRunner('container-plain.service', text, join(env.dir, 'rt'));
  unit.run('ExecStart');
  assert.equal(state('plain').Status, 'running');
  // systemd follows the PID file: it must name the running container's conmon.
  const pidFile = /^PIDFile=(.*)$/m.exec(text)![1]!;
  assert.equal(Number(readFileSync(pidFile, 'utf8').trim()), conmonPid('plain'));
  unit.run('ExecStop');
  assert.equal(state('plain').Status, 'exited');
  env.ok(['rm', 'plain']);
});

test('generate systemd --new: the unit creates the container, tells systemd it is ready, removes it', () => {
  env.ok(['create', '--name', 'fresh', '-e', 'MSG=100% ready', '--memory', '64m', IMAGE, 'sh', '-c', 'echo "$MSG"; sleep 300']);
  const text = env.ok(['generate', 'systemd', '--new', '--name', 'fresh']);
  env.ok(['rm', 'fresh']);
  const dir = join(env.dir, 'gen-new');
  mkdirSync(dir);
  writeFileSync(join(dir, 'container-fresh.service'), text);
  verifyUnits(dir, ['container-fresh.service']);
  assert.match(text, /^Type=notify$/m);
  assert.match(text, /^NotifyAccess=all$/m);
  const rt = join(env.dir, 'rt-new');
  const unit = unitRunner('container-fresh.service', text, rt);
  const notify = new NotifyReceiver(join(env.dir, 'notify.sock'));
  try {
    unit.run('ExecStartPre');
    unit.run('ExecStart', { NOTIFY_SOCKET: notify.path });
    assert.equal(state('fresh').Status, 'running');
    assert.deepEqual(notify.drain(), [`MAINPID=${conmonPid('fresh')}\nREADY=1\n`]);
  } finally {
    notify.close();
  }
  assert.equal(env.ok(['inspect', '--format', '{{.HostConfig.Memory}} {{.HostConfig.AutoRemove}}', 'fresh']), `${64 * 1024 * 1024} true\n`);
  assert.match(env.ok(['logs', 'fresh']), /^100% ready$/m);
  const cidfile = join(rt, 'container-fresh.service.ctr-id');
  assert.equal(readFileSync(cidfile, 'utf8'), env.ok(['inspect', '--format', '{{.Id}}', 'fresh']).trim());
  // Started again over a leftover (no ExecStop ran): --replace takes the name back.
  unit.run('ExecStartPre');
  unit.run('ExecStart');
  assert.equal(state('fresh').Status, 'running');
  unit.run('ExecStop');
  unit.run('ExecStopPost');
  expectCode(env.run(['inspect', 'fresh']), 125, 'removed by the unit');
  assert.equal(existsSync(cidfile), false);
  // A second stop after the container is gone is no error (--ignore).
  unit.run('ExecStop');
  unit.run('ExecStopPost');
});

test('--sdnotify=container: the container gets NOTIFY_SOCKET, and conmon relays what is sent to it', async () => {
  const notify = new NotifyReceiver(join(env.dir, 'notify-c.sock'));
  try {
    const r = env.run(['run', '-d', '--name', 'self', '--sdnotify=container', IMAGE, 'sleep', '300'], { env: { NOTIFY_SOCKET: notify.path } });
    expectCode(r, 0, 'run --sdnotify=container');
    assert.deepEqual(notify.drain(), [], 'skiff itself says nothing in container mode');
    assert.match(env.ok(['exec', 'self', 'sh', '-c', 'echo $NOTIFY_SOCKET; [ -S /run/notify/notify.sock ] && echo socket']), /^\/run\/notify\/notify.sock\nsocket\n$/);
    // busybox has no datagram client: the host sends what the container would, to the same
    // socket (through a descriptor: the bundle path is longer than a sockaddr_un holds).
    const dir = openSync(join(env.runroot, 'containers', r.stdout.trim(), 'bundle/notify'), 'r');
    try {
      sdNotify(`/proc/self/fd/${dir}/notify.sock`, 'READY=1');
    } finally {
      closeSync(dir);
    }
    const got: string[] = [];
    await waitFor(() => (got.push(...notify.drain()), got.length ? true : undefined), 20_000, 'the relayed READY=1');
    assert.deepEqual(got, ['READY=1']);
  } finally {
    notify.close();
  }
  env.ok(['rm', '-f', 'self']);
});

test('generate systemd refuses what it cannot describe', () => {
  const pod = env.run(['generate', 'systemd', 'nosuchpod']);
  expectCode(pod, 125, 'not a container');
  assert.match(pod.stderr, /skiff has no pods yet/);
  env.ok(['create', '--name', 'x', IMAGE, 'true']);
  expectCode(env.run(['generate', 'systemd', '--restart-policy', 'sometimes', 'x']), 125, 'bad restart policy');
  const healthy = env.run(['create', '--sdnotify=healthy', IMAGE, 'true']);
  expectCode(healthy, 125, '--sdnotify=healthy');
  assert.match(healthy.stderr, /--sdnotify=healthy is not supported yet/);
  env.ok(['rm', 'x']);
});

test('Quadlet: skiff-quadlet writes units that verify, and the container unit runs its container', () => {
  const q = join(env.dir, 'quadlet');
  const out = join(env.dir, 'generator');
  mkdirSync(join(q, 'ctx'), { recursive: true });
  writeFileSync(join(q, 'web.container'), [
    '[Unit]', 'Description=quadlet web', '',
    '[Container]', `Image=${IMAGE}`, 'ContainerName=qweb', 'Exec=sh -c "echo hello from %N; sleep 300"',
    'Environment=GREETING="hi there" MODE=test', 'Volume=data.volume:/data', 'PidsLimit=40', 'Memory=48m', 'Label=app=web', 'Network=none', '',
    '[Service]', 'Restart=always', '', '[Install]', 'WantedBy=multi-user.target', '',
  ].join('\n'));
  writeFileSync(join(q, 'data.volume'), '[Volume]\nLabel=tier=data\n');
  writeFileSync(join(q, 'net.network'), '[Network]\nSubnet=10.250.77.0/24\nGateway=10.250.77.1\n');
  writeFileSync(join(q, 'api.container'), `[Container]\nImage=built.build\nNetwork=net.network\nPublishPort=18080:80\n`);
  writeFileSync(join(q, 'built.build'), '[Build]\nImageTag=localhost/built:1\nFile=ctx/Containerfile\nSetWorkingDirectory=file\n');
  writeFileSync(join(q, 'ctx/Containerfile'), `FROM ${IMAGE}\nRUN echo built > /built\n`);
  writeFileSync(join(q, 'base.image'), '[Image]\nImage=registry.example/base:1\n');
  writeFileSync(join(q, 'app.kube'), '[Kube]\nYaml=app.yaml\nPublishPort=8081:80\n');
  writeFileSync(join(q, 'grp.pod'), '[Pod]\nPublishPort=9091:80\n');
  writeFileSync(join(q, 'member.container'), `[Container]\nImage=base.image\nPod=grp.pod\n`);

  const r = spawnSync(process.execPath, [join(env.bin, '../skiff-quadlet'), '-v', out, join(env.dir, 'early'), join(env.dir, 'late')], {
    env: { ...env.env, QUADLET_UNIT_DIRS: q },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const units = ['web.service', 'data-volume.service', 'net-network.service', 'api.service', 'built-build.service', 'base-image.service', 'app.service', 'grp-pod.service', 'member.service'];
  for (const u of units) assert.ok(existsSync(join(out, u)), `${u} generated`);
  assert.equal(readlinkSync(join(out, 'multi-user.target.wants/web.service')), '../web.service');
  verifyUnits(out, units);

  const rt = join(env.dir, 'rt-quadlet');
  unitRunner('data-volume.service', readFileSync(join(out, 'data-volume.service'), 'utf8'), rt).run('ExecStart');
  const web = unitRunner('web.service', readFileSync(join(out, 'web.service'), 'utf8'), rt);
  const notify = new NotifyReceiver(join(env.dir, 'notify-q.sock'));
  try {
    web.run('ExecStart', { NOTIFY_SOCKET: notify.path });
    assert.equal(state('qweb').Status, 'running');
    assert.deepEqual(notify.drain(), [`MAINPID=${conmonPid('qweb')}\nREADY=1\n`]);
  } finally {
    notify.close();
  }
  assert.equal(env.ok(['exec', 'qweb', 'sh', '-c', 'echo "$GREETING/$MODE"; cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes']), `hi there/test\n40\n${48 * 1024 * 1024}\n`);
  assert.match(env.ok(['logs', 'qweb']), /^hello from web$/m);
  assert.equal(env.ok(['inspect', '--format', '{{range .Mounts}}{{.Name}}{{end}} {{index .Config.Labels "app"}}', 'qweb']), 'systemd-data web\n');
  web.run('ExecStop');
  web.run('ExecStopPost');
  expectCode(env.run(['inspect', 'qweb']), 125, 'removed on stop');
  env.ok(['volume', 'rm', 'systemd-data']);
});

test('Quadlet: a file skiff cannot honour fails the run, the rest is written', () => {
  const q = join(env.dir, 'quadlet-bad');
  const out = join(env.dir, 'generator-bad');
  mkdirSync(q);
  writeFileSync(join(q, 'bad.container'), `[Container]\nImage=${IMAGE}\nSecret=token\n`);
  writeFileSync(join(q, 'good.container'), `[Container]\nImage=${IMAGE}\n`);
  const r = spawnSync(process.execPath, [join(env.bin, '../skiff-quadlet'), out], { env: { ...env.env, QUADLET_UNIT_DIRS: q }, encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bad\.container: key 'Secret' in group 'Container' is not supported by skiff yet/);
  assert.ok(existsSync(join(out, 'good.service')));
  assert.ok(!existsSync(join(out, 'bad.service')));
});
