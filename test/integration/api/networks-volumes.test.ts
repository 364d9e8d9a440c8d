// Network and volume endpoints through the real docker CLI and raw requests, with swagger checks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertDockerSchema } from '../../helpers/docker-schema.js';
import { importBusybox, startApiService, type ApiService } from './image-fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('docker'));
let s: ApiService;

before(async () => {
  if (skip) return;
  s = await startApiService('skiff-api-netvol-');
  importBusybox(s);
});
after(async () => {
  await s?.stop();
});

test('bridge, host and none exist; bridge is the default network with an IPAM gateway', { skip }, async () => {
  const ls = s.dockerOk(['network', 'ls', '--format', '{{.Name}} {{.Driver}}']);
  assert.deepEqual(ls.trim().split('\n').sort(), ['bridge bridge', 'host host', 'none null']);
  const r = await s.api('GET', '/networks/bridge');
  assert.equal(r.status, 200);
  assertDockerSchema('Network', r.json);
  const bridge = r.json as { Name: string; Id: string; IPAM: { Config: { Gateway: string; Subnet: string }[] } };
  assert.equal(bridge.Name, 'bridge');
  assert.match(bridge.IPAM.Config[0]!.Gateway, /^\d+\.\d+\.\d+\.\d+$/);
  // by id too, and the predefined ones cannot go or be made
  assert.equal(((await s.api('GET', `/v1.41/networks/${bridge.Id}`)).json as { Name: string }).Name, 'bridge');
  for (const n of ['bridge', 'host', 'none']) {
    const rm = await s.api('DELETE', `/v1.41/networks/${n}`);
    assert.equal(rm.status, 403, `${n}: ${rm.text}`);
  }
  assert.equal((await s.api('POST', '/networks/create', { body: { Name: 'host' } })).status, 403);
  const host = (await s.api('GET', '/networks/host')).json;
  assertDockerSchema('Network', host);
  const rm = s.docker(['network', 'rm', 'bridge']);
  assert.equal(rm.code, 1);
  assert.match(rm.stderr, /pre-defined network/);
});

test('docker network create/ls/inspect/rm; labels, subnet and filters', { skip }, async () => {
  const id = s.dockerOk(['network', 'create', '--subnet', '10.77.3.0/24', '--label', 'team=a', 'apinet1']).trim();
  assert.match(id, /^[a-f0-9]{64}$/);
  s.dockerOk(['network', 'create', 'apinet2']);
  const ls = s.dockerOk(['network', 'ls', '--filter', 'label=team=a', '--format', '{{.Name}}']);
  assert.equal(ls.trim(), 'apinet1');
  const id2 = s.dockerOk(['network', 'inspect', '-f', '{{.Id}}', 'apinet2']).trim();
  assert.equal(s.dockerOk(['network', 'ls', '-q', '--filter', 'name=apinet2']).trim(), id2.slice(0, 12));
  const doc = JSON.parse(s.dockerOk(['network', 'inspect', 'apinet1']))[0];
  assert.equal(doc.Id, id);
  assert.equal(doc.IPAM.Config[0].Subnet, '10.77.3.0/24');
  assert.equal(doc.IPAM.Config[0].Gateway, '10.77.3.1');
  assert.deepEqual(doc.Labels, { team: 'a' });
  const list = (await s.api('GET', '/v1.41/networks')).json as unknown[];
  for (const n of list) assertDockerSchema('Network', n);
  const builtin = (await s.api('GET', '/v1.41/networks?filters=%7B%22type%22%3A%5B%22builtin%22%5D%7D')).json as { Name: string }[];
  assert.deepEqual(builtin.map((n) => n.Name).sort(), ['bridge', 'host', 'none']);
  const dup = s.docker(['network', 'create', 'apinet1']);
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /already exists/);
  assert.equal(s.dockerOk(['network', 'rm', 'apinet1', 'apinet2']).trim(), 'apinet1\napinet2');
  const missing = await s.api('GET', '/networks/apinet1');
  assert.equal(missing.status, 404);
  assert.match((missing.json as { message: string }).message, /network apinet1 not found/);
});

test('compose-style create body, connect with aliases and disconnect of a created container', { skip }, async () => {
  const create = await s.api('POST', '/v1.41/networks/create', {
    body: { Name: 'proj_default', CheckDuplicate: true, Labels: { 'com.docker.compose.project': 'proj' }, Attachable: true, Options: { 'com.docker.network.driver.mtu': '1400' } },
  });
  assert.equal(create.status, 201, create.text);
  assert.deepEqual(Object.keys(create.json as object).sort(), ['Id', 'Warning']);
  s.skiff(['create', '--name', 'web1', '--network', 'proj_default', 'busybox:local']);
  const off = await s.api('POST', '/v1.41/networks/proj_default/disconnect', { body: { Container: 'web1' } });
  assert.equal(off.status, 200, off.text);
  const on = await s.api('POST', '/v1.41/networks/proj_default/connect', { body: { Container: 'web1', EndpointConfig: { Aliases: ['web', 'w1'] } } });
  assert.equal(on.status, 200, on.text);
  const again = await s.api('POST', '/v1.41/networks/proj_default/connect', { body: { Container: 'web1' } });
  assert.equal(again.status, 409);
  const inUse = s.docker(['network', 'rm', 'proj_default']);
  assert.equal(inUse.code, 1);
  s.dockerOk(['network', 'disconnect', 'proj_default', 'web1']);
  s.dockerOk(['network', 'connect', '--alias', 'x', 'proj_default', 'web1']);
  const toHost = await s.api('POST', '/v1.41/networks/host/connect', { body: { Container: 'web1' } });
  assert.equal(toHost.status, 403);
  s.skiff(['rm', 'web1']);
  const pruned = await s.api('POST', '/v1.41/networks/prune');
  assert.equal(pruned.status, 200);
  assert.deepEqual(pruned.json, { NetworksDeleted: ['proj_default'] });
});

test('network create refuses bad bodies with a 400', { skip }, async () => {
  for (const body of ['{"Name":', '[1,2]', JSON.stringify({ Name: 7 }), JSON.stringify({ Name: 'x', Labels: { a: 1 } }), JSON.stringify({ Name: 'x', IPAM: { Config: 'no' } }), JSON.stringify({})]) {
    const r = await s.api('POST', '/v1.41/networks/create', { body, headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 400, `${body}: ${r.status} ${r.text}`);
    assert.equal(typeof (r.json as { message: string }).message, 'string');
  }
});

test('docker volume create/ls/inspect/rm; list and inspect match the swagger', { skip }, async () => {
  assert.equal(s.dockerOk(['volume', 'create', '--label', 'k=v', 'apivol1']).trim(), 'apivol1');
  const anon = s.dockerOk(['volume', 'create']).trim();
  assert.match(anon, /^[a-f0-9]{64}$/);
  const ls = s.dockerOk(['volume', 'ls', '--format', '{{.Driver}} {{.Name}}']);
  assert.ok(ls.includes('local apivol1'));
  const list = await s.api('GET', '/v1.41/volumes');
  assert.equal(list.status, 200);
  const body = list.json as { Volumes: unknown[]; Warnings: unknown };
  assert.equal(body.Warnings, null);
  for (const v of body.Volumes) assertDockerSchema('Volume', v);
  const filtered = (await s.api('GET', '/v1.41/volumes?filters=%7B%22label%22%3A%7B%22k%3Dv%22%3Atrue%7D%7D')).json as { Volumes: { Name: string }[] };
  assert.deepEqual(filtered.Volumes.map((v) => v.Name), ['apivol1']);
  const doc = JSON.parse(s.dockerOk(['volume', 'inspect', 'apivol1']))[0];
  assert.equal(doc.Driver, 'local');
  assert.deepEqual(doc.Labels, { k: 'v' });
  assertDockerSchema('Volume', (await s.api('GET', '/volumes/apivol1')).json);
  const created = await s.api('POST', '/v1.41/volumes/create', { body: { Name: 'apivol2', Labels: { 'com.docker.compose.project': 'p' } } });
  assert.equal(created.status, 201);
  assertDockerSchema('Volume', created.json);
  assert.equal(s.dockerOk(['volume', 'rm', 'apivol1', 'apivol2', anon]).trim().split('\n').length, 3);
  const missing = await s.api('GET', '/volumes/apivol1');
  assert.equal(missing.status, 404);
  assert.equal((await s.api('DELETE', '/volumes/apivol1')).status, 404);
  assert.equal((await s.api('POST', '/volumes/create', { body: { Name: ['x'] } })).status, 400);
});

test('a volume a container uses: rm is a 409, prune keeps it; system df shows it', { skip }, async () => {
  s.dockerOk(['volume', 'create', 'busyvol']);
  s.dockerOk(['volume', 'create', 'idlevol']);
  s.skiff(['create', '--name', 'vuser', '--network', 'none', '-v', 'busyvol:/data', 'busybox:local']);
  const rm = await s.api('DELETE', '/v1.41/volumes/busyvol');
  assert.equal(rm.status, 409, rm.text);
  const cli = s.docker(['volume', 'rm', 'busyvol']);
  assert.equal(cli.code, 1);
  const df = (await s.api('GET', '/v1.41/system/df')).json as { Volumes: { Name: string; UsageData: { RefCount: number } }[]; Containers: unknown[] };
  assert.equal(df.Volumes.find((v) => v.Name === 'busyvol')!.UsageData.RefCount, 1);
  assert.equal(df.Containers.length, 1);
  for (const c of df.Containers) assertDockerSchema('ContainerSummary', c);
  assert.match(s.dockerOk(['system', 'df']), /Local Volumes\s+2\s+1/);
  // API 1.41: prune takes every unused volume, named or not
  const pruned = await s.api('POST', '/v1.41/volumes/prune');
  assert.deepEqual((pruned.json as { VolumesDeleted: string[] }).VolumesDeleted, ['idlevol']);
  s.skiff(['rm', 'vuser']);
  s.dockerOk(['volume', 'rm', 'busyvol']);
});
