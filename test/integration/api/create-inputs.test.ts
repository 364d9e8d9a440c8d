// Create/run inputs as dockerd takes them (issue 14, point 3 and 10), through the docker CLI
// against skiff's service and through skiff's own CLI: `-e NAME` without a value, the
// supplementary groups `id` shows (image groups, the primary gid, --group-add) in run, exec and
// build RUN, and ping without CAP_NET_RAW. Expected values were measured on dockerd 20.10.24.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiEnv, IMAGE } from './fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';
import { buildIcmpEcho } from '../../helpers/icmp-echo.js';

const skip = unmet(tool('docker'));

test('-e NAME: the client\'s value when it has one, else dropped (and it unsets the image\'s NAME), never a bare NAME in the process', { skip }, async () => {
  const env = await apiEnv('skiff-api-inputs-');
  try {
    env.dockerOk(['build', '-t', 'envimg', '-'], `FROM ${IMAGE}\nENV FOO=fromimage KEEP=1\n`);
    const clientEnv: NodeJS.ProcessEnv = { ...env.clientEnv, BAR: 'fromclient' };
    delete clientEnv.FOO;
    delete clientEnv.UNSET_ONE;
    const r = spawnDocker(clientEnv, ['run', '--rm', '--network', 'none', '-e', 'FOO', '-e', 'BAR', '-e', 'UNSET_ONE', 'envimg', 'env']);
    const lines = r.split('\n');
    assert.ok(lines.includes('BAR=fromclient'), r);
    assert.ok(lines.includes('KEEP=1'), r);
    assert.ok(!lines.some((l) => /^(FOO|UNSET_ONE)(=|$)/.test(l)), r);
    assert.ok(lines.every((l) => l === '' || l.includes('=')), r);

    // The API keeps the bare names in Config.Env, as dockerd does, and the process never sees them.
    const created = await env.api('POST', '/v1.41/containers/create?name=bare', { Image: 'envimg', Cmd: ['env'], Env: ['FOO', 'NOPE'], HostConfig: { NetworkMode: 'none' } });
    assert.equal(created.status, 201, created.text);
    const inspected = JSON.parse(env.dockerOk(['inspect', 'bare']))[0];
    assert.deepEqual(inspected.Config.Env.filter((e: string) => !e.startsWith('PATH=')).sort(), ['FOO', 'KEEP=1', 'NOPE']);
    const out = env.dockerOk(['start', '-a', 'bare']).split('\n');
    assert.ok(out.includes('KEEP=1') && !out.some((l) => /^(FOO|NOPE)(=|$)/.test(l)), out.join('\n'));
    env.dockerOk(['rm', 'bare']);

    // exec takes its Env by the same rule
    env.dockerOk(['run', '-d', '--name', 'ex', '--network', 'none', 'envimg', 'sleep', '300']);
    const ex = spawnDocker(clientEnv, ['exec', '-e', 'UNSET_ONE', '-e', 'BAR', '-e', 'KEEP', 'ex', 'env']).split('\n');
    assert.ok(ex.includes('BAR=fromclient') && !ex.some((l) => /^(UNSET_ONE|KEEP)(=|$)/.test(l)), ex.join('\n'));
    env.dockerOk(['rm', '-f', 'ex']);

    // skiff's CLI: as docker and podman, the value from skiff's own environment or nothing.
    const s = env.run(['run', '--rm', '--network', 'none', '-e', 'FOO', '-e', 'BAR', 'envimg', 'env'], { env: { BAR: 'fromskiff', FOO: undefined } as unknown as NodeJS.ProcessEnv });
    assert.equal(s.code, 0, s.stderr);
    const sl = s.stdout.split('\n');
    assert.ok(sl.includes('BAR=fromskiff'), s.stdout);
    // skiff drops an unset -e NAME before it reaches the engine: the image's FOO stays (podman).
    assert.ok(sl.includes('FOO=fromimage'), s.stdout);
    // a bare NAME in an env file follows the same rule
    const envFile = join(env.dir, 'env.list');
    writeFileSync(envFile, '# comment\nBAR\nUNSET_ONE\nX=1\n');
    const f = env.run(['run', '--rm', '--network', 'none', '--env-file', envFile, 'envimg', 'env'], { env: { BAR: 'fromfile' } });
    assert.equal(f.code, 0, f.stderr);
    const fl = f.stdout.split('\n');
    assert.ok(fl.includes('BAR=fromfile') && fl.includes('X=1') && !fl.some((l) => l.startsWith('UNSET_ONE')), f.stdout);
  } finally {
    await env.stop();
  }
});

function spawnDocker(clientEnv: NodeJS.ProcessEnv, args: string[]): string {
  const r = spawnSync('docker', args, { env: clientEnv, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const GROUPS_DOCKERFILE = `FROM ${IMAGE}
RUN echo 'alice:x:1000:1000::/home:/bin/sh' >> /etc/passwd && echo 'wheel:x:10:root,alice' >> /etc/group && echo 'users:x:100:alice' >> /etc/group && echo 'alice:x:1000:' >> /etc/group && echo 'audio:x:29:' >> /etc/group
RUN id > /build-id
USER alice
RUN id > /tmp/build-id-alice
USER root
`;

test('groups= as under dockerd: image groups with the primary gid first, --group-add by name and number, in run, exec and build RUN', { skip }, async () => {
  const env = await apiEnv('skiff-api-inputs-');
  try {
    env.dockerOk(['build', '-t', 'grp', '-'], GROUPS_DOCKERFILE);
    const id = (args: string[]) => env.dockerOk(['run', '--rm', '--network', 'none', ...args]).trim();
    assert.equal(id(['grp', 'cat', '/build-id']), 'uid=0(root) gid=0(root) groups=0(root),10(wheel)');
    assert.equal(id(['grp', 'cat', '/tmp/build-id-alice']), 'uid=1000(alice) gid=1000(alice) groups=10(wheel),100(users),1000(alice)');
    assert.equal(id(['grp', 'id']), 'uid=0(root) gid=0(root) groups=0(root),10(wheel)');
    assert.equal(id(['-u', 'alice', 'grp', 'id']), 'uid=1000(alice) gid=1000(alice) groups=10(wheel),100(users),1000(alice)');
    assert.equal(id(['-u', 'alice:users', 'grp', 'id']), 'uid=1000(alice) gid=100(users) groups=100(users)');
    assert.equal(id(['-u', '4000', 'grp', 'id']), 'uid=4000 gid=0(root) groups=0(root)');
    assert.equal(id(['--group-add', 'audio', '--group-add', '4242', 'grp', 'id']), 'uid=0(root) gid=0(root) groups=0(root),10(wheel),29(audio),4242');
    const bad = env.docker(['run', '--rm', '--network', 'none', '--group-add', 'nosuch', 'grp', 'id']);
    assert.equal(bad.code, 125, bad.stderr);
    assert.match(bad.stderr, /nable to find group nosuch: no matching entries in group file/);

    // exec: the container's --group-add holds for another user too (dockerd does the same).
    env.dockerOk(['run', '-d', '--name', 'g', '--network', 'none', '-u', 'alice', '--group-add', 'audio', 'grp', 'sleep', '300']);
    assert.equal(env.dockerOk(['exec', 'g', 'id']).trim(), 'uid=1000(alice) gid=1000(alice) groups=10(wheel),29(audio),100(users),1000(alice)');
    assert.equal(env.dockerOk(['exec', '-u', 'daemon', 'g', 'id']).trim(), 'uid=1(daemon) gid=1(daemon) groups=1(daemon),29(audio)');
    env.dockerOk(['rm', '-f', 'g']);

    // skiff's own CLI, same engine path, build RUN included.
    const ctx = join(env.dir, 'grp-ctx');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), GROUPS_DOCKERFILE);
    env.ok(['build', '-t', 'grp2', ctx]);
    assert.equal(env.ok(['run', '--rm', '--network', 'none', 'grp2', 'cat', '/tmp/build-id-alice']).trim(), 'uid=1000(alice) gid=1000(alice) groups=10(wheel),100(users),1000(alice)');
    assert.equal(env.ok(['run', '--rm', '--network', 'none', '-u', 'alice', '--group-add', '4242', 'grp', 'id']).trim(), 'uid=1000(alice) gid=1000(alice) groups=10(wheel),100(users),1000(alice),4242');
  } finally {
    await env.stop();
  }
});

const pingSkip = unmet(tool('docker'), tool('gcc'));

// Busybox 1.35's ping opens only raw sockets and fails without CAP_NET_RAW under dockerd too
// (measured with --cap-drop NET_RAW); iputils ping uses the unprivileged ICMP socket this checks.
test('ICMP echo without CAP_NET_RAW (ping_group_range 0 2147483647 in an own network namespace) in run and build RUN; --network host keeps the host\'s range', { skip: pingSkip }, async () => {
  const env = await apiEnv('skiff-api-inputs-');
  try {
    const ctx = join(env.dir, 'ping-ctx');
    mkdirSync(ctx);
    buildIcmpEcho(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${IMAGE}\nCOPY icmp-echo /bin/icmp-echo\nRUN icmp-echo 127.0.0.1\n`);
    const built = env.dockerOk(['build', '-t', 'pinger', ctx]);
    assert.match(built, /^echo reply from 127\.0\.0\.1$/m);
    const caps = env.dockerOk(['run', '--rm', 'pinger', 'sh', '-c', 'grep CapBnd /proc/self/status; cat /proc/sys/net/ipv4/ping_group_range; icmp-echo 127.0.0.1']);
    const bnd = BigInt('0x' + /CapBnd:\s*([0-9a-f]+)/.exec(caps)![1]);
    assert.equal(bnd & (1n << 13n), 0n, 'CAP_NET_RAW stays out of the default set');
    assert.match(caps, /^0\s+2147483647$/m);
    assert.match(caps, /^echo reply from 127\.0\.0\.1$/m);
    assert.match(env.dockerOk(['run', '--rm', '--network', 'none', '-u', '65534:65534', 'pinger', 'icmp-echo']), /echo reply/);
    const hostRange = readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8').trim();
    assert.equal(env.dockerOk(['run', '--rm', '--network', 'host', 'pinger', 'cat', '/proc/sys/net/ipv4/ping_group_range']).trim(), hostRange);
    assert.match(env.ok(['run', '--rm', '--network', 'none', '-u', '4000', 'pinger', 'icmp-echo']), /echo reply/);
  } finally {
    await env.stop();
  }
});

test('--volumes-from CONTAINER[:ro|rw]: the other container\'s binds, named and anonymous volumes at their destinations, ro when asked; 404/400 as dockerd', { skip }, async () => {
  const env = await apiEnv('skiff-api-inputs-');
  try {
    const bindSrc = join(env.dir, 'bindsrc');
    env.dockerOk(['create', '--name', 'src1', '--network', 'none', '-v', `${bindSrc}:/b`, '-v', 'named1:/n', '-v', '/anon', IMAGE, 'true']);
    env.dockerOk(['run', '--rm', '--network', 'none', '--volumes-from', 'src1', IMAGE, 'sh', '-c', 'echo b > /b/f && echo n > /n/f && echo a > /anon/f']);
    assert.equal(readFileSync(join(bindSrc, 'f'), 'utf8'), 'b\n');
    const ro = env.docker(['run', '--rm', '--network', 'none', '--volumes-from', 'src1:ro', IMAGE, 'sh', '-c', 'cat /b/f /n/f /anon/f; touch /b/x || touch /n/x || touch /anon/x']);
    assert.equal(ro.code, 1, ro.stderr);
    assert.equal(ro.stdout, 'b\nn\na\n');
    assert.match(ro.stderr, /touch: \/anon\/x: Read-only file system/);

    env.dockerOk(['create', '--name', 'vf', '--network', 'none', '--volumes-from', 'src1', '-v', `${join(env.dir, 'own')}:/n`, IMAGE, 'cat', '/b/f', '/anon/f']);
    const doc = JSON.parse(env.dockerOk(['inspect', 'vf']))[0];
    assert.deepEqual(doc.HostConfig.VolumesFrom, ['src1']);
    assert.deepEqual(doc.HostConfig.Binds, [`${join(env.dir, 'own')}:/n`]);
    assert.deepEqual(doc.Mounts.map((m: { Destination: string; Type: string }) => `${m.Destination}:${m.Type}`).sort(), ['/anon:volume', '/b:bind', '/n:bind']);
    assert.equal(env.dockerOk(['start', '-a', 'vf']), 'b\na\n');
    // removing the borrower with -v leaves the lender's anonymous volume
    env.dockerOk(['rm', '-v', 'vf']);
    assert.equal(env.dockerOk(['run', '--rm', '--network', 'none', '--volumes-from', 'src1', IMAGE, 'cat', '/anon/f']), 'a\n');

    const missing = await env.api('POST', '/v1.41/containers/create', { Image: IMAGE, HostConfig: { VolumesFrom: ['nosuch'] } });
    assert.equal(missing.status, 404, missing.text);
    assert.equal((missing.json() as { message: string }).message, 'No such container: nosuch');
    const badMode = env.docker(['run', '--rm', '--volumes-from', 'src1:xx', IMAGE, 'true']);
    assert.equal(badMode.code, 125);
    assert.match(badMode.stderr, /Error response from daemon: invalid mode: xx/);

    assert.equal(env.ok(['run', '--rm', '--network', 'none', '--volumes-from', 'src1:ro', IMAGE, 'cat', '/n/f']), 'n\n');
  } finally {
    await env.stop();
  }
});

test('--mount type=volume,volume-label=K=V labels the volume it makes (API VolumeOptions.Labels); a volume-opt missing its pair is refused as volume create --opt is; a missing --mount bind source is 125/400 while -v makes it', { skip }, async () => {
  const env = await apiEnv('skiff-api-inputs-');
  try {
    env.dockerOk(['run', '--rm', '--network', 'none', '--mount', 'type=volume,source=lv,target=/d,volume-label=a=b,volume-label=c=d', IMAGE, 'true']);
    assert.deepEqual(JSON.parse(env.dockerOk(['volume', 'inspect', 'lv']))[0].Labels, { a: 'b', c: 'd' });
    const api = await env.api('POST', '/v1.41/containers/create', {
      Image: IMAGE,
      HostConfig: { Mounts: [{ Type: 'volume', Source: 'lv-api', Target: '/d', VolumeOptions: { Labels: { k: 'v' } } }] },
    });
    assert.equal(api.status, 201, api.text);
    assert.deepEqual(JSON.parse(env.dockerOk(['volume', 'inspect', 'lv-api']))[0].Labels, { k: 'v' });
    // an existing volume keeps its own labels (dockerd)
    env.dockerOk(['run', '--rm', '--network', 'none', '--mount', 'type=volume,source=lv,target=/d,volume-label=x=y', IMAGE, 'true']);
    assert.deepEqual(JSON.parse(env.dockerOk(['volume', 'inspect', 'lv']))[0].Labels, { a: 'b', c: 'd' });

    const opt = env.docker(['run', '--rm', '--mount', 'type=volume,source=lv-opt,target=/d,volume-opt=type=tmpfs', IMAGE, 'true']);
    assert.equal(opt.code, 125, opt.stderr);
    assert.match(opt.stderr, /Error response from daemon: create lv-opt: missing required option: "device"/);

    const missing = join(env.dir, 'missing');
    const bind = env.docker(['run', '--rm', '--network', 'none', '--mount', `type=bind,source=${missing},target=/x`, IMAGE, 'true']);
    assert.equal(bind.code, 125);
    assert.match(bind.stderr, new RegExp(`Error response from daemon: invalid mount config for type "bind": bind source path does not exist: ${missing}`));
    const made = join(env.dir, 'made-by-v');
    env.dockerOk(['run', '--rm', '--network', 'none', '-v', `${made}:/x`, IMAGE, 'true']);
    assert.ok(statSync(made).isDirectory(), '-v made the missing source directory');

    // skiff's own CLI
    env.ok(['run', '--rm', '--network', 'none', '--mount', 'type=volume,source=lv-cli,target=/d,volume-label=from=skiff=cli', IMAGE, 'true']);
    assert.deepEqual(JSON.parse(env.ok(['volume', 'inspect', 'lv-cli']))[0].Labels, { from: 'skiff=cli' });
    const cliBind = env.run(['run', '--rm', '--network', 'none', '--mount', `type=bind,source=${missing},target=/x`, IMAGE, 'true']);
    assert.equal(cliBind.code, 125);
    assert.match(cliBind.stderr, /^Error: invalid mount config for type "bind": bind source path does not exist: /m);
  } finally {
    await env.stop();
  }
});
