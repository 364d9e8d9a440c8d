// Issue 14 points 3 and 5, IPv6: dual-stack bridge networks (`network create --ipv6 --subnet
// fd..::/64`), a v6 address beside the v4 one in each container, `--ip6`, and inspect's v6
// fields, through skiff and through the docker CLI against skiff's service. The expected shapes
// and the error without a v6 subnet are dockerd 20.10's on this host.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE, netEnv, type NetEnv } from './fixtures.js';
import { apiEnv, type ApiEnv } from '../api/fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('docker'), tool('ip6tables-save'));
const skipCompose = skip || unmet(tool('docker-compose'));
let env: NetEnv;
let api: ApiEnv;

/** A v6 /64 no other test env uses: from the env's host-wide reserved octet (hex digits of its decimal). */
const v6 = (n: number, k: number) => `fd5c:1f00:${n}:${k}::/64`;
const v6Addr = (n: number, k: number, host: string) => `fd5c:1f00:${n}:${k}::${host}`;
const ip6tablesMentions = (text: string) =>
  execFileSync('ip6tables-save', { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(text));

before(async () => {
  if (skip) return;
  env = netEnv('skiff-netv6-');
  api = await apiEnv('skiff-api-v6-');
});
after(async () => {
  await env?.teardownNet();
  await api?.stop();
});

interface NetSettings {
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  IPv6Gateway: string;
  IPAddress: string;
  Networks: Record<string, { GlobalIPv6Address: string; GlobalIPv6PrefixLen: number; IPv6Gateway: string; IPAddress: string; IPAMConfig: Record<string, string> | null }>;
}

test('skiff: an --ipv6 network gives containers a v4 and a v6 address (--ip6 picks it), they reach each other over v6, inspect shows both', { skip }, () => {
  const n = env.n;
  env.createNetwork('dual', 1, ['--ipv6', '--subnet', v6(n, 1)]);
  const c1 = env.track(env.ok(['run', '-d', '--name', 'c1', '--network', 'dual', '--ip6', v6Addr(n, 1, '77'), IMAGE, 'sleep', '300']));
  env.track(env.ok(['run', '-d', '--name', 'c2', '--network', 'dual', '--cap-add', 'NET_RAW', IMAGE, 'sleep', '300']));

  assert.match(env.ok(['exec', 'c1', 'ip', '-o', '-6', 'addr']), new RegExp(`eth0\\s+inet6 ${v6Addr(n, 1, '77')}/64 scope global`));
  assert.match(env.ok(['exec', 'c1', 'ip', '-o', '-4', 'addr']), /eth0\s+inet 10\./);
  // As libnetwork does, /etc/hosts names the container at its v6 address as well as its v4 one.
  assert.match(env.ok(['exec', 'c1', 'cat', '/etc/hosts']), new RegExp(`^${v6Addr(n, 1, '77')}\\t\\S+ c1$`, 'm'));
  const c2 = JSON.parse(env.ok(['inspect', '-f', '{{json .NetworkSettings}}', 'c2'])) as NetSettings;
  assert.equal(c2.GlobalIPv6Address, v6Addr(n, 1, '2'), 'the first free v6 address after the gateway');

  const ping = env.run(['exec', 'c2', 'ping', '-6', '-c', '1', '-W', '5', v6Addr(n, 1, '77')]);
  assert.equal(ping.code, 0, `ping -6 c1 from c2: ${ping.stdout}${ping.stderr}`);

  const s = JSON.parse(env.ok(['inspect', '-f', '{{json .NetworkSettings}}', 'c1'])) as NetSettings;
  assert.equal(s.GlobalIPv6Address, v6Addr(n, 1, '77'));
  assert.equal(s.GlobalIPv6PrefixLen, 64);
  assert.equal(s.IPv6Gateway, v6Addr(n, 1, '1'));
  assert.match(s.IPAddress, /^10\./);
  const ep = s.Networks.dual!;
  assert.equal(ep.GlobalIPv6Address, v6Addr(n, 1, '77'));
  assert.equal(ep.GlobalIPv6PrefixLen, 64);
  assert.equal(ep.IPv6Gateway, v6Addr(n, 1, '1'));
  assert.deepEqual(ep.IPAMConfig, { IPv6Address: v6Addr(n, 1, '77') });

  const net = JSON.parse(env.ok(['network', 'inspect', 'dual']))[0];
  assert.equal(net.EnableIPv6, true);
  assert.deepEqual(net.IPAM.Config, [
    { Subnet: env.subnet(1), Gateway: env.subnet(1).replace('0/24', '1') },
    { Subnet: v6(n, 1), Gateway: v6Addr(n, 1, '1') },
  ]);
  assert.equal(net.Containers[c1].IPv6Address, `${v6Addr(n, 1, '77')}/64`);

  env.ok(['rm', '-f', 'c1', 'c2']);
  assert.deepEqual(ip6tablesMentions(`fd5c:1f00:${n}:1::`), [], 'ip6tables rules of the network left');
  env.ok(['network', 'rm', 'dual']);
});

test('skiff: --ipv6 without a v6 subnet is refused with dockerd 20.10\'s words; v4-only networks stay v4-only and refuse --ip6', { skip }, () => {
  const r = env.run(['network', 'create', '--ipv6', '--subnet', env.subnet(2), '--interface-name', env.iface(2), 'nov6']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network/);
  env.createNetwork('v4only', 2);
  env.track(env.ok(['run', '-d', '--name', 'c4', '--network', 'v4only', IMAGE, 'sleep', '300']));
  const noV6 = env.run(['run', '-d', '--name', 'c5', '--network', 'v4only', '--ip6', 'fd00::5', IMAGE, 'sleep', '300']);
  assert.equal(noV6.code, 125);
  assert.match(noV6.stderr, /user specified IP address is supported only when connecting to networks with user configured subnets/);
  assert.doesNotMatch(env.ok(['exec', 'c4', 'ip', '-o', '-6', 'addr']), /scope global/);
  const s = JSON.parse(env.ok(['inspect', '-f', '{{json .NetworkSettings}}', 'c4'])) as NetSettings;
  assert.equal(s.GlobalIPv6Address, '');
  const net = JSON.parse(env.ok(['network', 'inspect', 'v4only']))[0];
  assert.equal(net.EnableIPv6, false);
  assert.equal(net.IPAM.Config.length, 1);
  env.ok(['rm', '-f', 'c4', 'c5']);
  env.ok(['network', 'rm', 'v4only']);
});

test('docker CLI: network create --ipv6 --subnet, run --ip6, inspect shows the v6 fields, connect --ip6 adds one, --ip6 outside the subnet or taken is refused as dockerd 20.10 words it, the container has and is reached at its v6 address; the v6 subnet is claimed host-wide', { skip }, () => {
  const conf = readFileSync(join(api.dir, 'skiff.conf'), 'utf8');
  const n = Number(/default_subnet = "10\.93\.(\d+)\.0\/24"/.exec(conf)![1]);
  const refused = api.docker(['network', 'create', '--ipv6', 'nov6']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /Error response from daemon: could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network/);

  api.dockerOk(['network', 'create', '--ipv6', '--subnet', v6(n, 3), 'dualapi']);
  api.dockerOk(['run', '-d', '--name', 'a1', '--network', 'dualapi', '--ip6', v6Addr(n, 3, 'a'), IMAGE, 'sleep', '300']);
  api.dockerOk(['run', '-d', '--name', 'a2', '--network', 'dualapi', IMAGE, 'sleep', '300']);
  const outside = api.docker(['run', '-d', '--name', 'a3', '--network', 'dualapi', '--ip6', 'fd00:ff::78', IMAGE, 'sleep', '300']);
  assert.equal(outside.code, 125);
  assert.match(outside.stderr, /Invalid address fd00:ff::78: It does not belong to any of this network's subnets/);
  const taken = api.docker(['run', '-d', '--name', 'a4', '--network', 'dualapi', '--ip6', v6Addr(n, 3, 'a'), IMAGE, 'sleep', '300']);
  assert.equal(taken.code, 125);
  assert.match(taken.stderr, /Address already in use/);
  assert.match(api.dockerOk(['exec', 'a1', 'ip', '-o', '-6', 'addr']), new RegExp(`eth0\\s+inet6 ${v6Addr(n, 3, 'a')}/64 scope global`));
  // Over v6 with busybox nc: a2 fetches the line a1 serves.
  api.dockerOk(['exec', '-d', 'a1', 'sh', '-c', 'echo hello-v6 | nc -l -p 7777']);
  const got = api.docker(['exec', 'a2', 'sh', '-c', `for i in 1 2 3 4 5 6 7 8 9 10; do nc -w 3 ${v6Addr(n, 3, 'a')} 7777 </dev/null && exit 0; sleep 0.3; done; exit 1`]);
  assert.equal(got.code, 0, got.stderr);
  assert.match(got.stdout, /hello-v6/);

  const s = JSON.parse(api.dockerOk(['inspect', '-f', '{{json .NetworkSettings}}', 'a1'])) as NetSettings;
  assert.equal(s.Networks.dualapi!.GlobalIPv6Address, v6Addr(n, 3, 'a'));
  assert.equal(s.Networks.dualapi!.GlobalIPv6PrefixLen, 64);
  assert.equal(s.Networks.dualapi!.IPv6Gateway, v6Addr(n, 3, '1'));
  assert.deepEqual(s.Networks.dualapi!.IPAMConfig, { IPv6Address: v6Addr(n, 3, 'a') });
  assert.match(s.Networks.dualapi!.IPAddress, /^\d+\.\d+\.\d+\.\d+$/);

  const net = JSON.parse(api.dockerOk(['network', 'inspect', 'dualapi']))[0];
  assert.equal(net.EnableIPv6, true);
  assert.equal(net.IPAM.Config.length, 2);
  assert.match(net.IPAM.Config[0].Subnet, /^\d+\.\d+\.\d+\.\d+\/\d+$/);
  assert.deepEqual(net.IPAM.Config[1], { Subnet: v6(n, 3), Gateway: v6Addr(n, 3, '1') });

  // network connect --ip6 on a running container: a second dual-stack interface.
  api.dockerOk(['network', 'create', '--ipv6', '--subnet', v6(n, 4), 'dualapi2']);
  api.dockerOk(['network', 'connect', '--ip6', v6Addr(n, 4, '9'), 'dualapi2', 'a2']);
  assert.match(api.dockerOk(['exec', 'a2', 'ip', '-o', '-6', 'addr']), new RegExp(`eth1\\s+inet6 ${v6Addr(n, 4, '9')}/64 scope global`));
  const a2 = JSON.parse(api.dockerOk(['inspect', '-f', '{{json .NetworkSettings.Networks}}', 'a2'])) as NetSettings['Networks'];
  assert.equal(a2.dualapi2!.GlobalIPv6Address, v6Addr(n, 4, '9'));
  assert.equal(a2.dualapi!.GlobalIPv6Address, v6Addr(n, 3, '2'));

  // The v6 subnet is claimed host-wide: another root cannot take it until the network goes.
  const other = ['network', 'create', '--ipv6', '--subnet', v6(n, 3), '--subnet', env.subnet(3), '--interface-name', env.iface(3), 'taken'];
  const clash = env.run(other);
  assert.equal(clash.code, 125);
  assert.match(clash.stderr, new RegExp(`subnet ${v6(n, 3)} is already used by network [0-9a-f]{12} of the skiff root`));

  api.dockerOk(['rm', '-f', 'a1', 'a2', 'a3', 'a4']);
  api.dockerOk(['network', 'rm', 'dualapi', 'dualapi2']);
  env.ok(other);
  env.ok(['network', 'rm', 'taken']);
});

test('docker-compose v1: enable_ipv6 with a v6 ipam subnet and ipv6_address; a second up keeps the network and container', { skip: skipCompose }, () => {
  const n = Number(/default_subnet = "10\.93\.(\d+)\.0\/24"/.exec(readFileSync(join(api.dir, 'skiff.conf'), 'utf8'))![1]);
  const dir = join(api.dir, 'compose-v6');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'docker-compose.yml'),
    [
      "version: '2.4'",
      'services:',
      '  app:',
      `    image: ${IMAGE}`,
      '    command: ["sleep", "300"]',
      '    networks:',
      '      v6net:',
      `        ipv6_address: ${v6Addr(n, 5, '5')}`,
      'networks:',
      '  v6net:',
      '    enable_ipv6: true',
      '    ipam:',
      '      config:',
      `        - subnet: ${v6(n, 5)}`,
      '',
    ].join('\n'),
  );
  const compose = (args: string[]) => {
    const r = spawnSync('docker-compose', ['-p', 'skv6', ...args], { cwd: dir, env: { ...api.clientEnv, COMPOSE_INTERACTIVE_NO_CLI: '' }, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `docker-compose ${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return r.stdout + r.stderr;
  };
  compose(['up', '-d']);
  const id = api.dockerOk(['ps', '-q', '--filter', 'name=skv6_app_1']).trim();
  const nets = JSON.parse(api.dockerOk(['inspect', '-f', '{{json .NetworkSettings.Networks}}', id])) as NetSettings['Networks'];
  assert.equal(nets.skv6_v6net!.GlobalIPv6Address, v6Addr(n, 5, '5'));
  assert.match(api.dockerOk(['exec', id, 'ip', '-o', '-6', 'addr']), new RegExp(`inet6 ${v6Addr(n, 5, '5')}/64 scope global`));
  assert.equal(JSON.parse(api.dockerOk(['network', 'inspect', 'skv6_v6net']))[0].EnableIPv6, true);
  assert.match(compose(['up', '-d']), /skv6_app_1 is up-to-date/);
  assert.equal(api.dockerOk(['ps', '-q', '--filter', 'name=skv6_app_1']).trim(), id);
  compose(['down']);
});
