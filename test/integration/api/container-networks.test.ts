// Issue 14 point 5: a container's networks as Docker clients see them, through the docker CLI
// and python3-docker against skiff's service, and `skiff` where it has the flag. The expected
// shapes are dockerd 20.10's for the same requests on this host.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { apiEnv, IMAGE, type ApiEnv } from './fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('docker'), tool('python3'));
let s: ApiEnv;

before(async () => {
  if (skip) return;
  s = await apiEnv('skiff-api-ctrnet-');
});
after(async () => {
  await s?.stop();
});

const inspect = (name: string, fmt: string) => s.dockerOk(['inspect', '-f', fmt, name]).trim();

function python(script: string): string[] {
  const r = spawnSync('python3', ['-c', `import docker\nc = docker.DockerClient(base_url='unix://${s.socket}', version='1.41')\n${script}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r.stdout.trim().split('\n');
}

test('the default network is `bridge` to clients: NetworkMode default from the docker CLI, bridge from python3-docker, Networks.bridge without aliases', { skip }, () => {
  s.dockerOk(['run', '-d', '--name', 'plain', IMAGE, 'sleep', '1000']);
  assert.equal(inspect('plain', '{{.HostConfig.NetworkMode}}'), 'default');
  const nets = JSON.parse(inspect('plain', '{{json .NetworkSettings.Networks}}')) as Record<string, { Aliases: unknown; IPAddress: string }>;
  assert.deepEqual(Object.keys(nets), ['bridge']);
  assert.equal(nets.bridge!.Aliases, null);
  assert.match(nets.bridge!.IPAddress, /^\d+\.\d+\.\d+\.\d+$/);
  assert.equal(s.dockerOk(['ps', '--filter', 'name=plain', '--format', '{{.Networks}}']).trim(), 'bridge');
  const out = python(`
ct = c.containers.run('${IMAGE}', ['sleep', '1000'], detach=True, network_mode='bridge', name='pybridge')
ct.reload()
print(ct.attrs['HostConfig']['NetworkMode'], ','.join(ct.attrs['NetworkSettings']['Networks']))
print(ct.attrs['NetworkSettings']['Networks']['bridge']['IPAddress'])
`);
  assert.equal(out[0], 'bridge bridge');
  assert.match(out[1]!, /^\d+\.\d+\.\d+\.\d+$/);
  s.dockerOk(['rm', '-f', 'plain', 'pybridge']);
});

test('aliases on a user network as dockerd reports them: the requested ones, the short ID and --hostname, once started; the hostname resolves', { skip }, () => {
  s.dockerOk(['network', 'create', 'ctrnet-users']);
  const id = s.dockerOk(['run', '-d', '--name', 'named', '--network', 'ctrnet-users', '--hostname', 'hh', '--network-alias', 'al', IMAGE, 'sleep', '1000']).trim();
  assert.equal(inspect('named', '{{json .NetworkSettings.Networks}}').includes('"Aliases":["al","' + id.slice(0, 12) + '","hh"]'), true);
  s.dockerOk(['create', '--name', 'unstarted', '--network', 'ctrnet-users', IMAGE, 'true']);
  assert.equal(inspect('unstarted', '{{json (index .NetworkSettings.Networks "ctrnet-users").Aliases}}'), 'null');
  const ip = inspect('named', '{{(index .NetworkSettings.Networks "ctrnet-users").IPAddress}}');
  const looked = s.dockerOk(['run', '--rm', '--network', 'ctrnet-users', IMAGE, 'nslookup', 'hh']);
  assert.match(looked, new RegExp(`Address: ${ip.replace(/\./g, '\\.')}$`, 'm'));
  // A link on a user network is a name for the other container, not variables.
  const linked = s.dockerOk(['run', '--rm', '--network', 'ctrnet-users', '--link', 'named:foo', IMAGE, 'sh', '-c', 'grep -w foo /etc/hosts; env | grep -c ^FOO_ || true']);
  assert.equal(linked, `${ip}\tfoo\n0\n`);
  s.dockerOk(['rm', '-f', 'named', 'unstarted']);
  s.dockerOk(['network', 'rm', 'ctrnet-users']);
});

test('--mac-address: python3-docker\'s mac_address (Config.MacAddress) and skiff run set the interface\'s address, shown in inspect', { skip }, () => {
  const out = python(`
ct = c.containers.run('${IMAGE}', ['sleep', '1000'], detach=True, mac_address='02:42:ac:11:00:97', name='macpy')
ct.reload()
n = ct.attrs['NetworkSettings']
print(ct.attrs['Config']['MacAddress'], n['MacAddress'], n['Networks']['bridge']['MacAddress'])
print(ct.exec_run('cat /sys/class/net/eth0/address').output.decode().strip())
ct.remove(force=True)
`);
  assert.deepEqual(out, ['02:42:ac:11:00:97 02:42:ac:11:00:97 02:42:ac:11:00:97', '02:42:ac:11:00:97']);
  assert.equal(s.ok(['run', '--rm', '--mac-address', '02:42:ac:11:00:96', IMAGE, 'cat', '/sys/class/net/eth0/address']).trim(), '02:42:ac:11:00:96');
});

test('NetworkingConfig: two endpoints are refused with dockerd 20.10\'s 400; one endpoint without a mode joins that network (python3-docker)', { skip }, async () => {
  s.dockerOk(['network', 'create', 'ctrnet-ep']);
  const two = await s.api('POST', '/v1.41/containers/create', {
    Image: IMAGE,
    HostConfig: { NetworkMode: 'ctrnet-ep' },
    NetworkingConfig: { EndpointsConfig: { 'ctrnet-ep': {}, bridge: {} } },
  });
  assert.equal(two.status, 400, two.text);
  assert.equal((two.json() as { message: string }).message, 'Container cannot be connected to network endpoints: ctrnet-ep, bridge');
  const out = python(`
ct = c.api.create_container('${IMAGE}', ['sleep', '1000'], name='epjoin', networking_config=c.api.create_networking_config({'ctrnet-ep': c.api.create_endpoint_config(aliases=['py'])}))
c.api.start(ct['Id'])
i = c.api.inspect_container(ct['Id'])
print(','.join(i['NetworkSettings']['Networks']), ','.join(i['NetworkSettings']['Networks']['ctrnet-ep']['Aliases']))
`);
  const id = inspect('epjoin', '{{.Id}}');
  assert.deepEqual(out, [`ctrnet-ep py,${id.slice(0, 12)}`]);
  s.dockerOk(['rm', '-f', 'epjoin']);
  s.dockerOk(['network', 'rm', 'ctrnet-ep']);
});

test('--link-local-ip: the address on the interface with its /16 (docker and skiff), IPAMConfig.LinkLocalIPs, a non-link-local one refused', { skip }, () => {
  for (const out of [
    s.dockerOk(['run', '--rm', '--link-local-ip', '169.254.7.7', IMAGE, 'ip', '-o', '-4', 'addr', 'show', 'eth0']),
    s.ok(['run', '--rm', '--link-local-ip', '169.254.7.7', IMAGE, 'ip', '-o', '-4', 'addr', 'show', 'eth0']),
  ]) {
    assert.match(out, /inet 169\.254\.7\.7\/16 brd 169\.254\.255\.255 scope global eth0/);
  }
  s.dockerOk(['create', '--name', 'll', '--link-local-ip', '169.254.7.8', IMAGE, 'true']);
  assert.equal(inspect('ll', '{{json .NetworkSettings.Networks.bridge.IPAMConfig}}'), '{"LinkLocalIPs":["169.254.7.8"]}');
  const bad = s.docker(['run', '--rm', '--link-local-ip', '10.1.1.1', IMAGE, 'true']);
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /invalid link local IP address: 10\.1\.1\.1/);
  s.dockerOk(['rm', 'll']);
});

test('network names as dockerd 20.10 takes them (any non-empty name: `a b`, `a,b`, `a/b`, `_x`): create, run on, inspect and rm through the docker CLI, python3-docker and skiff; a NUL is refused with a 400', { skip }, async () => {
  const addr = (out: string) => /inet (\d+\.\d+\.\d+\.\d+)\//.exec(out)?.[1];
  for (const name of ['a b', 'a,b', 'a/b', '_x']) {
    const id = s.dockerOk(['network', 'create', name]).trim();
    assert.match(id, /^[0-9a-f]{64}$/, name);
    assert.equal(s.dockerOk(['network', 'inspect', '-f', '{{json .Name}} {{.ID}}', name]).trim(), `${JSON.stringify(name)} ${id}`);
    const ip = addr(s.dockerOk(['run', '--rm', '--network', name, IMAGE, 'ip', '-o', '-4', 'addr', 'show', 'eth0']));
    assert.ok(ip, `${name}: the container has an address`);
    s.dockerOk(['create', '--name', 'named-net', '--network', name, IMAGE, 'true']);
    assert.equal(inspect('named-net', '{{range $k, $v := .NetworkSettings.Networks}}{{json $k}}{{end}}'), JSON.stringify(name));
    s.dockerOk(['network', 'disconnect', name, 'named-net']);
    s.dockerOk(['network', 'connect', name, 'named-net']);
    s.dockerOk(['rm', 'named-net']);
    s.dockerOk(['network', 'rm', name]);
    assert.equal(s.docker(['network', 'inspect', name]).code, 1, `${name} is gone`);
  }

  assert.deepEqual(python(`
n = c.networks.create('py net')
print(c.networks.get('py net').name)
print(c.containers.run('${IMAGE}', ['ip', '-o', '-4', 'addr', 'show', 'eth0'], network='py net', remove=True).decode().count('inet '))
n.remove()
print(len(c.networks.list(names=['py net'])))`), ['py net', '1', '0']);

  s.ok(['network', 'create', 'skiff net']);
  assert.ok(addr(s.ok(['run', '--rm', '--network', 'skiff net', IMAGE, 'ip', '-o', '-4', 'addr', 'show', 'eth0'])));
  s.ok(['network', 'rm', 'skiff net']);

  const nul = await s.api('POST', '/v1.41/networks/create', { Name: 'a\u0000b' });
  assert.equal(nul.status, 400, nul.text);
  assert.match((nul.json() as { message: string }).message, /invalid network name/);
});
