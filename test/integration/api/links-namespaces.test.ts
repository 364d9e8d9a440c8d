// Issue 14 point 3: `--link` and the namespace modes (`--pid`, `--ipc`, `--uts`, `--cgroupns`)
// through the docker CLI against skiff's service, and through `skiff` itself. The expected
// values are what dockerd 20.10 gave for the same commands on this host.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { apiEnv, IMAGE, type ApiEnv } from './fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('docker'));
let s: ApiEnv;

before(async () => {
  if (skip) return;
  s = await apiEnv('skiff-api-links-');
});
after(async () => {
  await s?.stop();
});

const inspect = (name: string, fmt: string) => s.dockerOk(['inspect', '-f', fmt, name]).trim();

test('docker run --link on the default bridge: ALIAS_* variables, /etc/hosts lines and HostConfig.Links as dockerd sets them', { skip }, () => {
  s.dockerOk(['run', '-d', '--name', 'db', '-e', 'SECRET=x', '--expose', '5432', '--expose', '53/udp', IMAGE, 'sleep', '1000']);
  const ip = inspect('db', '{{.NetworkSettings.Networks.bridge.IPAddress}}');
  assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
  const short = inspect('db', '{{.Id}}').slice(0, 12);
  const out = s.dockerOk(['run', '--rm', '--name', 'web', '--link', 'db:dbalias', '--link', 'db', IMAGE, 'sh', '-c', 'env; echo ---; cat /etc/hosts']);
  const [envText, hosts] = out.split('---\n') as [string, string];
  const env = envText.split('\n').filter((l) => /^DB(ALIAS)?_/.test(l)).sort();
  const vars = (p: string) => [
    `${p}_ENV_SECRET=x`,
    `${p}_NAME=/web/${p.toLowerCase()}`,
    `${p}_PORT=udp://${ip}:53`,
    `${p}_PORT_53_UDP=udp://${ip}:53`,
    `${p}_PORT_53_UDP_ADDR=${ip}`,
    `${p}_PORT_53_UDP_PORT=53`,
    `${p}_PORT_53_UDP_PROTO=udp`,
    `${p}_PORT_5432_TCP=tcp://${ip}:5432`,
    `${p}_PORT_5432_TCP_ADDR=${ip}`,
    `${p}_PORT_5432_TCP_PORT=5432`,
    `${p}_PORT_5432_TCP_PROTO=tcp`,
  ];
  assert.deepEqual(env, [...vars('DBALIAS'), ...vars('DB')].sort());
  assert.ok(hosts.includes(`${ip}\tdbalias ${short} db\n${ip}\tdb ${short}\n`), hosts);

  s.dockerOk(['create', '--name', 'web2', '--link', 'db:dbalias', '--link', 'db', IMAGE, 'true']);
  assert.equal(inspect('web2', '{{json .HostConfig.Links}}'), '["/db:/web2/dbalias","/db:/web2/db"]');
  // skiff's own CLI, the same flag
  assert.equal(s.ok(['run', '--rm', '--name', 'web3', '--link', 'db:zz', IMAGE, 'sh', '-c', 'echo $ZZ_NAME $ZZ_PORT_5432_TCP_ADDR']).trim(), `/web3/zz ${ip}`);
  s.dockerOk(['rm', '-f', 'db', 'web2']);
});

test('--link refusals as dockerd words them: an unknown container, the host network, a linked container that is not running', { skip }, () => {
  const unknown = s.docker(['run', '--rm', '--link', 'nope:x', IMAGE, 'true']);
  assert.equal(unknown.code, 125);
  assert.match(unknown.stderr, /could not get container for nope: No such container: nope/);
  s.dockerOk(['create', '--name', 'idle', IMAGE, 'true']);
  const host = s.docker(['run', '--rm', '--network', 'host', '--link', 'idle:x', IMAGE, 'true']);
  assert.equal(host.code, 125);
  assert.match(host.stderr, /conflicting options: host type networking can't be used with links/);
  const stopped = s.docker(['run', '--rm', '--link', 'idle:x', IMAGE, 'true']);
  assert.equal(stopped.code, 125);
  assert.match(stopped.stderr, /Cannot link to a non running container: \/idle AS \/[a-z_]+\/x/);
  s.dockerOk(['rm', '-f', 'idle']);
});

test('--pid container:NAME shares the other container\'s process namespace (docker and skiff); PidMode is container:ID', { skip }, () => {
  const id = s.dockerOk(['run', '-d', '--name', 'pidhost', IMAGE, 'sleep', '1000']).trim();
  for (const ps of [
    s.dockerOk(['run', '--rm', '--pid', 'container:pidhost', IMAGE, 'ps', '-o', 'pid,args']),
    s.ok(['run', '--rm', '--pid', 'container:pidhost', IMAGE, 'ps', '-o', 'pid,args']),
  ]) {
    assert.match(ps, /^\s*1 sleep 1000$/m);
  }
  s.dockerOk(['create', '--name', 'pidjoin', '--pid', 'container:pidhost', IMAGE, 'true']);
  assert.equal(inspect('pidjoin', '{{.HostConfig.PidMode}}'), `container:${id}`);
  const missing = s.docker(['run', '--rm', '--pid', 'container:nope', IMAGE, 'true']);
  assert.equal(missing.code, 125);
  assert.match(missing.stderr, /No such container: nope/);
  s.dockerOk(['rm', '-f', 'pidhost', 'pidjoin']);
});

test('--ipc container:NAME joins a shareable donor\'s IPC namespace and refuses a private one with dockerd\'s hint', { skip }, () => {
  s.dockerOk(['run', '-d', '--name', 'ipcpriv', IMAGE, 'sleep', '1000']);
  const refused = s.docker(['run', '--rm', '--ipc', 'container:ipcpriv', IMAGE, 'true']);
  assert.equal(refused.code, 125);
  assert.match(refused.stderr, /can't join IPC of container [0-9a-f]{64}: non-shareable IPC \(hint: use IpcMode:shareable for the donor container\)/);
  s.dockerOk(['run', '-d', '--name', 'ipcdonor', '--ipc', 'shareable', IMAGE, 'sleep', '1000']);
  const donorNs = s.dockerOk(['exec', 'ipcdonor', 'readlink', '/proc/self/ns/ipc']).trim();
  assert.match(donorNs, /^ipc:\[\d+\]$/);
  assert.equal(s.dockerOk(['run', '--rm', '--ipc', 'container:ipcdonor', IMAGE, 'readlink', '/proc/self/ns/ipc']).trim(), donorNs);
  assert.equal(s.ok(['run', '--rm', '--ipc', 'container:ipcdonor', IMAGE, 'readlink', '/proc/self/ns/ipc']).trim(), donorNs);
  assert.notEqual(s.dockerOk(['exec', 'ipcpriv', 'readlink', '/proc/self/ns/ipc']).trim(), donorNs);
  assert.equal(inspect('ipcdonor', '{{.HostConfig.IpcMode}}'), 'shareable');
  s.dockerOk(['rm', '-f', 'ipcpriv', 'ipcdonor']);
});

test('namespace modes in inspect with dockerd\'s defaults; --uts host keeps the host name; the API refuses bad modes with 400', { skip }, async () => {
  const v2 = statfsSync('/sys/fs/cgroup').type === 0x63677270;
  s.dockerOk(['create', '--name', 'nsdefault', IMAGE, 'true']);
  assert.equal(inspect('nsdefault', '{{json .HostConfig.PidMode}} {{json .HostConfig.IpcMode}} {{json .HostConfig.UTSMode}} {{json .HostConfig.CgroupnsMode}}'),
    `"" "private" "" "${v2 ? 'private' : 'host'}"`);
  s.dockerOk(['create', '--name', 'nshost', '--pid', 'host', '--ipc', 'host', '--uts', 'host', '--cgroupns', 'private', IMAGE, 'true']);
  assert.equal(inspect('nshost', '{{.HostConfig.PidMode}} {{.HostConfig.IpcMode}} {{.HostConfig.UTSMode}} {{.HostConfig.CgroupnsMode}}'), 'host host host private');
  assert.equal(s.dockerOk(['run', '--rm', '--uts', 'host', IMAGE, 'hostname']).trim(), hostname());
  assert.equal(s.ok(['run', '--rm', '--uts', 'host', IMAGE, 'hostname']).trim(), hostname());
  const conflict = s.docker(['run', '--rm', '--uts', 'host', '--hostname', 'x', IMAGE, 'true']);
  assert.equal(conflict.code, 125);
  assert.match(conflict.stderr, /conflicting options: hostname and the UTS mode/);
  for (const [hc, message] of [
    [{ IpcMode: 'bogus' }, 'Invalid IPC mode: bogus'],
    [{ CgroupnsMode: 'bogus' }, 'invalid cgroup namespace mode: bogus'],
    [{ PidMode: 'container:nope' }, 'No such container: nope'],
    [{ Links: ['db:a:b'] }, 'bad format for links: db:a:b'],
  ] as const) {
    const r = await s.api('POST', '/v1.41/containers/create', { Image: IMAGE, HostConfig: hc });
    assert.equal(r.status, 400, r.text);
    assert.equal((r.json() as { message: string }).message, message);
  }
  s.dockerOk(['rm', '-f', 'nsdefault', 'nshost']);
});

test('docker-compose v1 links: the alias names the linked service in /etc/hosts, HostConfig.Links as compose sent them', { skip: skip || unmet(tool('docker-compose')) }, () => {
  const dir = join(s.dir, 'compose-links');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'docker-compose.yml'),
    [
      'version: "2.4"',
      'services:',
      '  db:',
      `    image: ${IMAGE}`,
      '    command: sleep 1000',
      '  web:',
      `    image: ${IMAGE}`,
      '    command: sleep 1000',
      '    links: ["db:dbl"]',
      '',
    ].join('\n'),
  );
  const compose = (args: string[]) => {
    const r = spawnSync('docker-compose', ['-p', 'lk', ...args], { cwd: dir, env: s.clientEnv, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `docker-compose ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  };
  compose(['up', '-d']);
  try {
    const ip = inspect('lk_db_1', '{{.NetworkSettings.Networks.lk_default.IPAddress}}');
    assert.match(s.dockerOk(['exec', 'lk_web_1', 'cat', '/etc/hosts']), new RegExp(`^${ip.replace(/\./g, '\\.')}\tdbl$`, 'm'));
    assert.ok(JSON.parse(inspect('lk_web_1', '{{json .HostConfig.Links}}')).includes('/lk_db_1:/lk_web_1/dbl'));
  } finally {
    compose(['down']);
  }
});
