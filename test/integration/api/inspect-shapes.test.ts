// Issue 14 point 4: inspect, list and info documents as complete as dockerd 20.10's, compared
// with what a private dockerd answered the same docker CLI (test/vendor/dockerd, recorded by
// record.sh there): key sets, zero values, .Mounts entries, sizes, list filters, commit's and
// build's Parent, container prune's SpaceReclaimed. Driven by the docker CLI, python3-docker
// and `skiff`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { assertDockerSchema } from '../../helpers/docker-schema.js';
import { dockerdFixture, missingKeys } from '../../helpers/dockerd-fixtures.js';
import { MASKED_PATHS, READONLY_PATHS } from '../../../src/core/runtime/spec.js';
import { apiEnv, IMAGE, waitFor, type ApiEnv } from './fixtures.js';

let env: ApiEnv;

before(async () => {
  env = await apiEnv('skiff-api-shapes-');
  env.dockerOk(['tag', IMAGE, 'busybox']);
});
after(async () => {
  await env?.stop();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function inspect(id: string, query = ''): Promise<any> {
  const r = await env.api('GET', `/v1.41/containers/${id}/json${query}`);
  assert.equal(r.status, 200, r.text);
  return r.json();
}

/** Host-specific values and the ones another point of the issue decides (networks: point 5). */
const OWN_VALUES = new Set(['NetworkMode', 'MaskedPaths', 'ReadonlyPaths', 'CgroupnsMode']);

test('docker create busybox: every key dockerd sends is there, HostConfig with dockerd zero values', async () => {
  const id = env.dockerOk(['create', 'busybox']).trim();
  const want = dockerdFixture('container-inspect.json');
  const doc = await inspect(id);
  assertDockerSchema('ContainerInspectResponse', doc);
  // The default network's name is point 5 of the issue; its endpoint's keys are checked below.
  assert.deepEqual(missingKeys(want, doc).filter((k) => k !== 'NetworkSettings.Networks.bridge'), []);
  const endpoint = Object.values(want.NetworkSettings.Networks)[0] as object;
  for (const [name, ep] of Object.entries(doc.NetworkSettings.Networks as Record<string, object>)) {
    assert.deepEqual(missingKeys(endpoint, ep), [], `NetworkSettings.Networks.${name}`);
  }
  for (const [k, v] of Object.entries(want.HostConfig as Record<string, unknown>)) {
    if (!OWN_VALUES.has(k)) assert.deepEqual(doc.HostConfig[k], v, `HostConfig.${k}`);
  }
  assert.deepEqual(Object.keys(doc.HostConfig).sort(), Object.keys(want.HostConfig).sort(), 'no HostConfig key dockerd leaves out when unset');
  // What skiff's spec masks, not dockerd's list.
  assert.deepEqual(doc.HostConfig.MaskedPaths, MASKED_PATHS);
  assert.deepEqual(doc.HostConfig.ReadonlyPaths, READONLY_PATHS);
  for (const k of ['EndpointID', 'MacAddress', 'GlobalIPv6Address', 'GlobalIPv6PrefixLen', 'IPv6Gateway', 'LinkLocalIPv6Address', 'LinkLocalIPv6PrefixLen']) {
    assert.deepEqual(doc.NetworkSettings[k], want.NetworkSettings[k], `NetworkSettings.${k}`);
  }
  // The docker CLI reads the same fields.
  const fmt = '{{json .HostConfig.Dns}} {{.HostConfig.IpcMode}} {{json .HostConfig.GroupAdd}} {{.HostConfig.OomScoreAdj}} {{json .HostConfig.Ulimits}} {{json .HostConfig.MemorySwappiness}}';
  assert.equal(env.dockerOk(['inspect', '-f', fmt, id]).trim(), '[] private null 0 [] null');
  const size = await inspect(id, '?size=1');
  assert.deepEqual({ SizeRw: size.SizeRw, SizeRootFs: size.SizeRootFs > 0 }, { SizeRw: 0, SizeRootFs: true });
  env.dockerOk(['rm', id]);
});

test('set options show in HostConfig as dockerd spells them: dns, hosts, groups, ulimits, security opts, namespaces', async () => {
  const id = env.dockerOk([
    'create', '--dns', '192.0.2.53', '--dns-search', 'example.test', '--dns-option', 'ndots:2', '--add-host', 'db:192.0.2.7',
    '--group-add', '1234', '--ulimit', 'nofile=1024:2048', '--security-opt', 'no-new-privileges', '--oom-score-adj', '100',
    '--memory-reservation', '64m', '--ipc', 'host', IMAGE,
  ]).trim();
  const hc = (await inspect(id)).HostConfig;
  assert.deepEqual(
    [hc.Dns, hc.DnsSearch, hc.DnsOptions, hc.ExtraHosts, hc.GroupAdd, hc.Ulimits, hc.SecurityOpt, hc.OomScoreAdj, hc.MemoryReservation, hc.IpcMode],
    [['192.0.2.53'], ['example.test'], ['ndots:2'], ['db:192.0.2.7'], ['1234'], [{ Name: 'nofile', Soft: 1024, Hard: 2048 }], ['no-new-privileges'], 100, 64 * 1024 * 1024, 'host'],
  );
  env.dockerOk(['rm', id]);
});

test('.Mounts lists binds, volumes and --mount tmpfs with dockerd\'s Mode, RW and Propagation; HostConfig keeps Binds, Tmpfs and Mounts apart', async () => {
  const want = dockerdFixture('container-mounts.json');
  const W = env.dir;
  mkdirSync(join(W, 'h'), { recursive: true });
  const id = env.dockerOk([
    'create', '--network', 'none', '-v', 'vol1:/v', '-v', `${W}/h:/h:ro`, '--tmpfs', '/t1:size=1m', '--mount', 'type=tmpfs,dst=/t2',
    '--mount', `type=bind,src=${W}/h,dst=/h2`, '--mount', 'type=volume,src=vol2,dst=/v2,volume-nocopy', 'busybox',
  ]).trim();
  const doc = await inspect(id);
  assertDockerSchema('ContainerInspectResponse', doc);
  const strip = (m: Record<string, unknown>): Record<string, unknown> => ({ ...m, Source: m.Type === 'volume' ? '' : String(m.Source).replace(W, '$W') });
  // dockerd keeps mount points in a map: its order is not an order.
  const sorted = (ms: Record<string, unknown>[]) => ms.map(strip).sort((a, b) => String(a.Destination).localeCompare(String(b.Destination)));
  assert.deepEqual(sorted(doc.Mounts), sorted(want.Mounts));
  // The docker CLI sends -v as it iterates a set: no order either.
  want.HostConfig.Binds.sort();
  const hc = JSON.parse(JSON.stringify({ Binds: [...doc.HostConfig.Binds].sort(), Tmpfs: doc.HostConfig.Tmpfs, Mounts: doc.HostConfig.Mounts }).replaceAll(W, '$W'));
  assert.deepEqual(hc, want.HostConfig);
  env.dockerOk(['rm', '-v', id]);
  env.dockerOk(['volume', 'rm', 'vol1', 'vol2']);
});

test('sizes, commit and build Parent, ps Image as typed and --filter ancestor= as dockerd; container prune reclaims the written bytes (docker CLI, skiff, python3-docker)', async () => {
  const facts = dockerdFixture('facts.json');
  env.dockerOk(['run', '--network', 'none', '--name', 'writer', 'busybox', 'sh', '-c', 'head -c 100000 /dev/zero >/f']);
  const sizes = env.dockerOk(['inspect', '-s', '-f', '{{.SizeRw}} {{.SizeRootFs}}', 'writer']).trim().split(' ').map(Number);
  const imageSize = Number(env.dockerOk(['image', 'inspect', '-f', '{{.Size}}', 'busybox']).trim());
  assert.deepEqual(sizes, [facts.writer.SizeRw, facts.writer.SizeRw + imageSize]);
  assert.equal(env.ok(['inspect', '-s', '-f', '{{.SizeRw}}', 'writer']).trim(), String(facts.writer.SizeRw));

  env.dockerOk(['commit', 'writer', 'child:1']);
  const bid = env.dockerOk(['image', 'inspect', '-f', '{{.Id}}', 'busybox']).trim();
  assert.equal(env.dockerOk(['image', 'inspect', '-f', '{{.Parent}}', 'child:1']).trim(), bid);
  env.dockerOk(['create', '--network', 'none', '--name', 'from-child', 'child:1']);
  env.dockerOk(['create', '--network', 'none', '--name', 'from-tag', 'busybox:latest']);
  env.dockerOk(['create', '--network', 'none', '--name', 'from-id', bid.slice(7, 19)]);
  env.dockerOk(['create', '--network', 'none', '--name', 'plain', 'busybox']);
  // An image built FROM busybox descends from it, as the classic builder links it.
  const ctx = join(env.dir, 'built-ctx');
  mkdirSync(ctx, { recursive: true });
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo built >/built\n');
  env.dockerOk(['build', '-q', '-t', 'built:1', ctx]);
  assert.equal(env.dockerOk(['image', 'inspect', '-f', '{{.Parent}}', 'built:1']).trim(), bid);
  env.dockerOk(['create', '--network', 'none', '--name', 'from-built', 'built:1']);

  const list = (await env.api('GET', '/v1.41/containers/json?all=1')).json() as { Id: string; Names: string[]; Image: string }[];
  for (const item of list) assertDockerSchema('ContainerSummary', item);
  const images = Object.fromEntries(list.map((c) => [c.Names[0], c.Image.replace(bid.slice(7, 19), 'SHORT_ID')]));
  const wantImages = Object.fromEntries((facts.list as { Names: string[]; Image: string }[]).map((c) => [c.Names[0], c.Image]));
  for (const name of ['/from-child', '/from-id', '/from-tag', '/writer']) assert.equal(images[name], wantImages[name], `Image of ${name}`);

  const ours = ['from-built', 'from-child', 'from-id', 'from-tag', 'plain', 'writer'];
  // Only this test's containers: the ones other tests made are no business of it.
  const names = (out: string) => out.split('\n').filter((n) => ours.includes(n)).sort();
  for (const [filter, value] of [['busybox', 'busybox'], ['busybox:latest', 'busybox:latest'], ['SHORT_ID', bid.slice(7, 19)], ['LONG_ID', bid], ['child:1', 'child:1']] as const) {
    // dockerd's plain `busybox` containers (`published` among them) stand for `plain` here.
    const dockerd = facts.filters[`ancestor=${filter}`] as string[];
    const want = dockerd.filter((n) => ours.includes(n)).concat(dockerd.includes('published') ? ['plain', 'from-built'] : []).sort();
    assert.deepEqual(names(env.dockerOk(['ps', '-a', '--filter', `ancestor=${value}`, '--format', '{{.Names}}'])), want, `docker ps ancestor=${filter}`);
    assert.deepEqual(names(env.ok(['ps', '-a', '--filter', `ancestor=${value}`, '--format', '{{.Names}}'])), want, `skiff ps ancestor=${filter}`);
  }
  assert.deepEqual(names(env.dockerOk(['ps', '-a', '--filter', 'ancestor=no-such-image', '--format', '{{.Names}}'])), []);

  const script = `
import docker
c = docker.DockerClient(base_url='unix://${env.socket}', version='1.41')
r = c.containers.prune()
print(r['SpaceReclaimed'], ' '.join(r['ContainersDeleted']))
`;
  const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const [reclaimed, ...deleted] = r.stdout.trim().split(' ');
  assert.equal(Number(reclaimed), facts.prune.SpaceReclaimed);
  const ourIds = list.filter((c) => ours.includes(c.Names[0]!.slice(1))).map((c) => c.Id);
  assert.deepEqual(ourIds.filter((id) => !deleted.includes(id)), []);
  env.dockerOk(['rmi', 'child:1', 'built:1']);
});

test('ps --filter publish= and expose= match a running container\'s host and container ports as dockerd does (docker CLI, skiff)', async () => {
  const facts = dockerdFixture('facts.json');
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  env.dockerOk(['run', '-d', '--name', 'published', '-p', `127.0.0.1:${port}:80/tcp`, '--expose', '90', 'busybox', 'sleep', '600']);
  env.dockerOk(['create', '--name', 'published-created', '-p', `127.0.0.1:${port + 1}:80/tcp`, '--expose', '90', 'busybox']);
  try {
    const list = (await env.api('GET', '/v1.41/containers/json?filters=' + encodeURIComponent('{"name":["^published$"]}'))).json() as { Ports: object[] }[];
    const wantPorts = (facts.list as { Names: string[]; Ports: object[] }[]).find((c) => c.Names[0] === '/published')!.Ports;
    assert.deepEqual(list[0]!.Ports, JSON.parse(JSON.stringify(wantPorts).replace('18080', String(port))));
    const running = dockerdFixture('running-network.json');
    const ns = (await inspect('published')).NetworkSettings;
    for (const [name, ep] of Object.entries(ns.Networks as Record<string, { EndpointID: string }>)) {
      assert.deepEqual((running.Networks.rec as string[]).filter((k) => !Object.hasOwn(ep, k)), [], `NetworkSettings.Networks.${name}`);
      assert.match(ep.EndpointID, /^[0-9a-f]{64}$/);
      assert.equal(ns.EndpointID, ep.EndpointID);
    }
    assert.deepEqual(ns.Ports, JSON.parse(JSON.stringify(running.Ports).replace('18080', String(port))));
    const host = (v: string) => v.replace('18080', String(port)).replace('18000-18100', `${port - 10}-${port + 10}`);
    for (const [filter, want] of Object.entries(facts.filters as Record<string, string[]>)) {
      if (!filter.startsWith('publish=') && !filter.startsWith('expose=')) continue;
      const value = host(filter);
      assert.deepEqual(env.dockerOk(['ps', '-a', '--filter', value, '--format', '{{.Names}}']).split('\n').filter(Boolean), want, `docker ps --filter ${filter}`);
      assert.deepEqual(env.ok(['ps', '-a', '--filter', value, '--format', '{{.Names}}']).split('\n').filter(Boolean), want, `skiff ps --filter ${filter}`);
    }
  } finally {
    env.dockerOk(['rm', '-f', 'published', 'published-created']);
  }
});

test('/info has every key dockerd sends; docker info --format reads Debug', async () => {
  const want = dockerdFixture('info.json');
  const r = await env.api('GET', '/v1.41/info');
  const doc = r.json() as Record<string, Record<string, unknown>>;
  // Maps (Runtimes, IndexConfigs) hold data, not keys: the top level and the fixed objects.
  assert.deepEqual(Object.keys(want).filter((k) => !Object.hasOwn(doc, k)), []);
  for (const k of ['Plugins', 'RegistryConfig', 'Swarm']) assert.deepEqual(Object.keys(want[k]).filter((x) => !Object.hasOwn(doc[k]!, x)), [], k);
  assertDockerSchema('SystemInfo', doc);
  assert.equal(env.dockerOk(['info', '--format', '{{.Debug}} {{.InitBinary}}']).trim(), 'false catatonit');
});

test('a service started with --log-level debug reports Debug true to docker info', async () => {
  const socket = join(env.dir, 'debug.sock');
  const service = spawn(process.execPath, [env.bin, '--log-level', 'debug', 'system', 'service', '--time', '0', `unix://${socket}`], {
    env: env.env,
    stdio: 'ignore',
  });
  try {
    const debug = await waitFor(async () => {
      const r = spawnSync('docker', ['-H', `unix://${socket}`, 'info', '--format', '{{.Debug}}'], { env: env.clientEnv, encoding: 'utf8' });
      return r.status === 0 ? r.stdout.trim() : undefined;
    }, 20_000, 'the debug service');
    assert.equal(debug, 'true');
  } finally {
    const gone = new Promise((r) => service.once('exit', r));
    service.kill('SIGTERM');
    await gone;
  }
});

test('skiff container prune reports the bytes the removed containers wrote', () => {
  env.ok(['run', '--network', 'none', '--name', 'writer2', '--label', 'shapes=prune', IMAGE, 'sh', '-c', 'head -c 100000 /dev/zero >/f']);
  const out = env.ok(['container', 'prune', '-f', '--filter', 'label=shapes=prune']);
  assert.match(out, /^Deleted Containers:\n[0-9a-f]{64}\nTotal reclaimed space: 100kB\n$/);
});
