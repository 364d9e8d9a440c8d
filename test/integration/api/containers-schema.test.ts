// Raw API requests: list and inspect documents match the swagger's ContainerSummary and
// ContainerInspectResponse; create takes Docker's body (ports, binds, volumes, labels, env);
// bad input gets a 4xx with Docker's JSON error; exec instances outlive their process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertDockerSchema } from '../../helpers/docker-schema.js';
import { IMAGE, apiEnv, waitFor, type ApiEnv } from './fixtures.js';

let env: ApiEnv;

before(async () => {
  env = await apiEnv('skiff-api-raw-');
});
after(async () => {
  await env?.stop();
});

async function create(body: object, name?: string): Promise<string> {
  const r = await env.api('POST', `/v1.41/containers/create${name ? `?name=${name}` : ''}`, body);
  assert.equal(r.status, 201, r.text);
  const doc = r.json() as { Id: string; Warnings: unknown[] };
  assert.match(doc.Id, /^[0-9a-f]{64}$/);
  return doc.Id;
}

test('create with HostConfig: binds, volumes, ports, env, labels; list and inspect match the swagger', async () => {
  const bind = join(env.dir, 'bind');
  mkdirSync(bind);
  writeFileSync(join(bind, 'f'), 'bound\n');
  const id = await create(
    {
      Image: IMAGE,
      Cmd: ['sh', '-c', 'cat /b/f; echo $GREETING; sleep 300'],
      Env: ['GREETING=hello'],
      Labels: { 'com.example.role': 'test' },
      ExposedPorts: { '80/tcp': {} },
      Volumes: { '/data': {} },
      Tty: false,
      StopSignal: 'SIGTERM',
      Unknown: { ignored: true },
      HostConfig: {
        Binds: [`${bind}:/b:ro`],
        PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
        RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
        Memory: 64 * 1024 * 1024,
        NanoCpus: 500_000_000,
        ConsoleSize: [0, 0],
      },
      NetworkingConfig: { EndpointsConfig: { default: {} } },
    },
    'shaped',
  );
  assert.equal((await env.api('POST', `/containers/${id}/start`)).status, 204);
  assert.equal((await env.api('POST', `/containers/${id}/start`)).status, 304);
  const logs = await waitFor(async () => {
    const r = await env.api('GET', `/containers/${id}/logs?stdout=1&stderr=1`);
    // stdcopy frames: 8-byte headers before each line.
    const text = r.text.replace(/[\x00-\x08][\s\S]{7}/g, '');
    return text.includes('hello') ? text : undefined;
  }, 10_000, 'the logs');
  assert.equal(logs, 'bound\nhello\n');

  const list = (await env.api('GET', '/containers/json?filters=' + encodeURIComponent('{"label":["com.example.role=test"]}'))).json() as object[];
  assert.equal(list.length, 1);
  for (const item of list) assertDockerSchema('ContainerSummary', item);
  const item = list[0] as { Names: string[]; Ports: { PrivatePort: number; PublicPort: number; IP: string }[]; State: string };
  assert.deepEqual(item.Names, ['/shaped']);
  assert.equal(item.State, 'running');
  assert.equal(item.Ports[0]!.PrivatePort, 80);
  assert.equal(item.Ports[0]!.IP, '127.0.0.1');
  assert.ok(item.Ports[0]!.PublicPort > 0);

  const doc = (await env.api('GET', `/containers/${id}/json`)).json() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  assertDockerSchema('ContainerInspectResponse', doc);
  assert.equal(doc.Config.Labels['com.example.role'], 'test');
  assert.ok(doc.Config.Env.includes('GREETING=hello'));
  assert.deepEqual(Object.keys(doc.Config.ExposedPorts), ['80/tcp']);
  assert.equal(doc.HostConfig.Memory, 64 * 1024 * 1024);
  assert.equal(doc.HostConfig.NanoCpus, 500_000_000);
  assert.deepEqual(doc.HostConfig.RestartPolicy, { Name: 'no', MaximumRetryCount: 0 });
  assert.ok(doc.HostConfig.Binds.includes(`${bind}:/b:ro`));
  const mounts = doc.Mounts as { Type: string; Destination: string; RW: boolean }[];
  assert.deepEqual(mounts.map((m) => [m.Type, m.Destination, m.RW]).sort(), [['bind', '/b', false], ['volume', '/data', true]]);
  assert.equal(doc.NetworkSettings.Ports['80/tcp'][0].HostIp, '127.0.0.1');

  // ?all lists stopped containers too, and the filters narrow by status and name.
  assert.equal((await env.api('POST', `/containers/${id}/stop?t=1`)).status, 204);
  assert.equal((await env.api('POST', `/containers/${id}/stop`)).status, 304);
  const stopped = (await env.api('GET', '/containers/json?all=1&filters=' + encodeURIComponent('{"status":{"exited":true},"name":{"shaped":true}}'))).json() as object[];
  assert.equal(stopped.length, 1);
  assertDockerSchema('ContainerSummary', stopped[0]);
  assertDockerSchema('ContainerInspectResponse', (await env.api('GET', '/containers/shaped/json')).json());
  assert.equal((await env.api('DELETE', `/containers/${id}?v=1`)).status, 204);
});

test('errors: Docker JSON bodies and statuses, and the service stays up', async () => {
  const missing = await env.api('GET', '/containers/nosuch/json');
  assert.equal(missing.status, 404);
  assert.equal(missing.headers['content-type'], 'application/json');
  assert.deepEqual(missing.json(), { message: 'No such container: nosuch' });
  const noImage = await env.api('POST', '/containers/create', { Image: 'nosuch:img' });
  assert.equal(noImage.status, 404);
  assert.match((noImage.json() as { message: string }).message, /^No such image: nosuch:img/);
  assert.equal((await env.api('POST', '/containers/create', '{not json')).status, 400);
  const wrongType = await env.api('POST', '/containers/create', { Image: IMAGE, Cmd: 5 });
  assert.equal(wrongType.status, 400);
  assert.match((wrongType.json() as { message: string }).message, /Cmd/);
  assert.equal((await env.api('POST', '/containers/create', { Image: IMAGE, HostConfig: { Binds: ['relative:dest'] } })).status, 400);
  assert.equal((await env.api('POST', '/containers/x/wait?condition=bogus')).status, 400);
  assert.equal((await env.api('GET', '/containers/json?filters=nonsense')).status, 400);
  assert.equal((await env.api('GET', '/exec/0000/json')).status, 404);
  const id = await create({ Image: IMAGE, Cmd: ['true'] }, 'dup');
  const dup = await env.api('POST', '/containers/create?name=dup', { Image: IMAGE });
  assert.equal(dup.status, 409);
  assert.equal((await env.api('GET', '/containers/dup/logs')).status, 400, 'logs needs stdout or stderr');
  assert.equal((await env.api('DELETE', `/containers/${id}`)).status, 204);
  assert.equal((await env.api('GET', '/_ping')).text, 'OK');
});

test('wait: next-exit before start, removed with AutoRemove, and the exit code', async () => {
  const id = await create({ Image: IMAGE, Cmd: ['sh', '-c', 'sleep 0.3; exit 3'], HostConfig: { AutoRemove: true } });
  const waiting = env.api('POST', `/containers/${id}/wait?condition=removed`);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await env.api('POST', `/containers/${id}/start`)).status, 204);
  const w = await waiting;
  assert.equal(w.status, 200);
  assert.deepEqual(w.json(), { Error: null, StatusCode: 3 });
  assert.equal((await env.api('GET', `/containers/${id}/json`)).status, 404, 'AutoRemove removed it');

  const kept = await create({ Image: IMAGE, Cmd: ['sh', '-c', 'exit 4'] });
  const next = env.api('POST', `/containers/${kept}/wait?condition=next-exit`);
  await new Promise((r) => setTimeout(r, 200));
  await env.api('POST', `/containers/${kept}/start`);
  assert.deepEqual((await next).json(), { Error: null, StatusCode: 4 });
  // not-running answers at once for a stopped container.
  assert.deepEqual((await env.api('POST', `/containers/${kept}/wait`)).json(), { Error: null, StatusCode: 4 });
  await env.api('DELETE', `/containers/${kept}`);
});

test('exec instances: create, start without upgrade, inspect after the end; detached exec', async () => {
  const id = await create({ Image: IMAGE, Cmd: ['sleep', '300'] }, 'execbox');
  await env.api('POST', `/containers/${id}/start`);
  const made = await env.api('POST', `/containers/${id}/exec`, { Cmd: ['sh', '-c', 'echo out; echo err >&2; exit 9'], AttachStdout: true, AttachStderr: true });
  assert.equal(made.status, 201, made.text);
  const execId = (made.json() as { Id: string }).Id;
  const before = (await env.api('GET', `/exec/${execId}/json`)).json() as { Running: boolean; ExitCode: number | null };
  assert.equal(before.Running, false);
  assert.equal(before.ExitCode, null);
  const started = await env.api('POST', `/exec/${execId}/start`, { Detach: false, Tty: false });
  assert.equal(started.status, 200);
  assert.equal(started.headers['content-type'], 'application/vnd.docker.raw-stream');
  const frames = Buffer.from(started.text, 'latin1');
  assert.equal(frames[0] === 1 || frames[0] === 2, true, 'stdcopy framed');
  assert.match(started.text, /out/);
  assert.match(started.text, /err/);
  const after = (await env.api('GET', `/exec/${execId}/json`)).json() as Record<string, unknown>;
  assert.equal(after.Running, false);
  assert.equal(after.ExitCode, 9);
  assert.equal(after.ContainerID, id);
  assert.deepEqual(after.ProcessConfig, { tty: false, entrypoint: 'sh', arguments: ['-c', 'echo out; echo err >&2; exit 9'], privileged: false });
  assert.equal((await env.api('POST', `/exec/${execId}/start`, {})).status, 409, 'an instance runs once');

  const det = ((await env.api('POST', `/containers/${id}/exec`, { Cmd: ['sh', '-c', 'sleep 0.3; exit 2'] })).json() as { Id: string }).Id;
  assert.equal((await env.api('POST', `/exec/${det}/start`, { Detach: true })).status, 200);
  const ended = await waitFor(async () => {
    const d = (await env.api('GET', `/exec/${det}/json`)).json() as { Running: boolean; ExitCode: number | null };
    return d.Running ? undefined : d;
  }, 10_000, 'the detached exec to end');
  assert.equal(ended.ExitCode, 2);

  assert.equal((await env.api('POST', `/containers/${id}/kill?signal=KILL`)).status, 204);
  assert.deepEqual((await env.api('POST', `/containers/${id}/wait`)).json(), { Error: null, StatusCode: 137 });
  const notRunning = await env.api('POST', `/containers/${id}/exec`, { Cmd: ['true'] });
  assert.equal(notRunning.status, 409);
  assert.equal((await env.api('DELETE', `/containers/${id}`)).status, 204);
});

test('top, stats, changes, export, rename, pause', async () => {
  const id = await create({ Image: IMAGE, Cmd: ['sh', '-c', 'echo x > /made; sleep 300'] }, 'misc');
  await env.api('POST', `/containers/${id}/start`);
  const top = (await env.api('GET', `/containers/${id}/top`)).json() as { Titles: string[]; Processes: string[][] };
  assert.ok(top.Titles.includes('PID'));
  assert.ok(top.Processes.some((p) => p.join(' ').includes('sleep 300')));
  const stats = (await env.api('GET', `/containers/${id}/stats?stream=false`)).json() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.ok(stats.memory_stats.usage > 0);
  assert.ok(stats.precpu_stats.system_cpu_usage > 0);
  assert.equal(stats.name, '/misc');
  const changes = await waitFor(async () => {
    const c = (await env.api('GET', `/containers/${id}/changes`)).json() as { Path: string; Kind: number }[];
    return c.some((x) => x.Path === '/made') ? c : undefined;
  }, 5000, 'the change');
  assert.ok(changes.some((x) => x.Path === '/made' && x.Kind === 1));
  const sized = (await env.api('GET', '/containers/json?size=1&filters=' + encodeURIComponent('{"name":["misc"]}'))).json() as { SizeRw: number; SizeRootFs: number }[];
  assertDockerSchema('ContainerSummary', sized[0]);
  assert.ok(sized[0]!.SizeRw >= 2, `SizeRw ${sized[0]!.SizeRw}`);
  assert.ok(sized[0]!.SizeRootFs > sized[0]!.SizeRw + 100_000, 'SizeRootFs counts the image');
  const tar = await env.api('GET', `/containers/${id}/export`);
  assert.equal(tar.status, 200);
  assert.ok(tar.text.includes('bin/busybox'));
  assert.equal((await env.api('POST', `/containers/${id}/rename?name=renamed`)).status, 204);
  assert.equal((await env.api('POST', '/containers/renamed/pause')).status, 204);
  assert.equal(((await env.api('GET', '/containers/renamed/json')).json() as { State: { Status: string } }).State.Status, 'paused');
  assert.equal((await env.api('POST', '/containers/renamed/unpause')).status, 204);
  assert.equal((await env.api('DELETE', '/containers/renamed')).status, 409);
  assert.equal((await env.api('DELETE', '/containers/renamed?force=1')).status, 204);
  const pruned = (await env.api('POST', '/containers/prune')).json() as { ContainersDeleted: string[] };
  assert.ok(Array.isArray(pruned.ContainersDeleted));
});
