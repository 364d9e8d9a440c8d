// GET /containers/{id}/logs and HostConfig.LogConfig over the API: refused drivers and options
// are a 400 with nothing created; none answers 501; ten followers of a 200 MB log, paused and
// then read to the end, keep the service's memory bounded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { containerDirs } from '../containers/fixtures.js';
import { IMAGE, apiEnv, type ApiEnv } from './fixtures.js';

let env: ApiEnv;

before(async () => {
  env = await apiEnv('skiff-api-logs-');
});
after(async () => {
  await env?.stop();
});

async function assertNothingCreated(what: string): Promise<void> {
  const list = (await env.api('GET', '/containers/json?all=1')).json() as unknown[];
  assert.deepEqual(list, [], `${what}: a container was created`);
  assert.deepEqual(containerDirs(env), { run: [], root: [] }, `${what}: container directories made`);
}

test('HostConfig.LogConfig: an unknown driver or an unknown or malformed option is a 400, nothing created', async () => {
  const cases: [object, RegExp][] = [
    [{ Type: 'syslog', Config: {} }, /logger: no log driver named 'syslog' is registered/],
    [{ Type: 'json-file', Config: { 'labels-regex': 'x' } }, /unknown log opt 'labels-regex' for json-file log driver/],
    [{ Type: '', Config: { 'max-size': '10 parsecs' } }, /invalid log opt max-size "10 parsecs"/],
    [{ Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '5' } }, /max-file=5 is not supported/],
    [{ Type: 'k8s-file', Config: { 'max-file': '-1' } }, /max-file cannot be less than 1/],
    [{ Type: 7 }, /invalid HostConfig.LogConfig.Type: want a string, got number/],
    [{ Type: 'json-file', Config: { 'max-size': 1000000 } }, /invalid HostConfig.LogConfig.Config.max-size: want a string/],
  ];
  for (const [LogConfig, message] of cases) {
    const r = await env.api('POST', '/v1.41/containers/create', { Image: IMAGE, Cmd: ['true'], HostConfig: { LogConfig } });
    assert.equal(r.status, 400, `${JSON.stringify(LogConfig)}: ${r.text}`);
    assert.match((r.json() as { message: string }).message, message);
    await assertNothingCreated(JSON.stringify(LogConfig));
  }
  const d = env.docker(['run', '-d', '--log-driver', 'gelf', IMAGE, 'true']);
  assert.equal(d.code, 125, d.stderr);
  assert.match(d.stderr, /no log driver named 'gelf'/);
  await assertNothingCreated('docker run --log-driver gelf');
});

test('LogConfig none: the logs endpoint answers 501 as dockerd does; max-size shows in inspect', async () => {
  const none = (await env.api('POST', '/v1.41/containers/create', { Image: IMAGE, Cmd: ['true'], HostConfig: { LogConfig: { Type: 'none', Config: {} } } })).json() as { Id: string };
  const r = await env.api('GET', `/v1.41/containers/${none.Id}/logs?stdout=1`);
  assert.equal(r.status, 501, r.text);
  assert.equal((r.json() as { message: string }).message, 'configured logging driver does not support reading');
  const d = env.docker(['logs', none.Id]);
  assert.notEqual(d.code, 0);
  assert.match(d.stderr, /configured logging driver does not support reading/);
  const capped = env.dockerOk(['create', '--log-opt', 'max-size=10m', IMAGE, 'true']).trim();
  const doc = (await env.api('GET', `/v1.41/containers/${capped}/json`)).json() as { HostConfig: { LogConfig: unknown } };
  assert.deepEqual(doc.HostConfig.LogConfig, { Type: 'json-file', Config: { 'max-size': '10m' } });
  env.dockerOk(['rm', none.Id, capped]);
});

/** The API service's resident set, from /proc (its command line names this env's socket). */
function serviceRss(): number {
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes(`unix://${env.socket}`) || !cmd.includes('service')) continue;
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (kb) return Number(kb) * 1024;
    } catch {
      // gone meanwhile
    }
  }
  throw new Error('the API service is not running');
}

/** A follower that reads 1 MB, stops reading until `resume`, then counts what the stream carries to its end. */
function follower(id: string, resume: Promise<void>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: env.socket, path: `/v1.41/containers/${id}/logs?follow=1&stdout=1&stderr=1` }, (res) => {
      let bytes = 0;
      let paused = false;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (!paused && bytes > 1_000_000) {
          paused = true;
          res.pause();
          void resume.then(() => res.resume());
        }
      });
      res.on('end', () => resolve(bytes));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

test('ten clients following a 200 MB log: the service stays under 300 MB while they stall and while they read it all', async (t) => {
  const line = 'y'.repeat(999);
  const created = (await env.api('POST', '/v1.41/containers/create', {
    Image: IMAGE,
    Cmd: ['sh', '-c', `yes ${line} | head -c 200000000`],
  })).json() as { Id: string };
  const id = created.Id;
  assert.equal((await env.api('POST', `/v1.41/containers/${id}/start`)).status, 204);
  assert.equal(((await env.api('POST', `/v1.41/containers/${id}/wait`)).json() as { StatusCode: number }).StatusCode, 0);

  let release!: () => void;
  const resume = new Promise<void>((r) => (release = r));
  const base = serviceRss();
  let peak = base;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, serviceRss());
      await sleep(50);
    }
  })();
  const clients = Array.from({ length: 10 }, () => follower(id, resume));
  // While every client stalls, the service must stop reading for it rather than queue the log.
  await sleep(3000);
  release();
  const received = await Promise.all(clients);
  sampling = false;
  await sampler;
  // Each line is 1000 bytes of output in an 8-byte stdcopy frame.
  t.diagnostic(`service RSS ${Math.round(base / 1048576)} MB before, peak ${Math.round(peak / 1048576)} MB`);
  for (const b of received) assert.equal(b, 200_000 * 1008);
  assert.ok(peak < 300 * 1024 * 1024, `the service's RSS peaked at ${Math.round(peak / 1048576)} MB (from ${Math.round(base / 1048576)} MB)`);
  assert.equal((await env.api('DELETE', `/v1.41/containers/${id}`)).status, 204);
});

test('docker run --log-driver json-file --log-opt max-size=16k: kept, shown back by docker and skiff inspect, and applied (the log stays under it)', async () => {
  const id = env.dockerOk([
    'run', '-d', '--network', 'none', '--log-driver', 'json-file', '--log-opt', 'max-size=16k', IMAGE,
    'sh', '-c', 'i=0; while [ $i -lt 5000 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done',
  ]).trim();
  assert.equal(env.dockerOk(['wait', id]).trim(), '0');
  assert.equal(env.dockerOk(['inspect', '-f', '{{json .HostConfig.LogConfig}}', id]).trim(), '{"Type":"json-file","Config":{"max-size":"16k"}}');
  assert.equal(env.ok(['inspect', '-f', '{{json .HostConfig.LogConfig}}', id]).trim(), '{"Type":"json-file","Config":{"max-size":"16k"}}');
  const logs = env.dockerOk(['logs', id]);
  // ~350 kB were written; conmon empties the log whenever it reaches max-size (it reads 8 KiB at a time).
  assert.ok(logs.length <= 16_000 + 8192, `docker logs gave ${logs.length} bytes`);
  assert.match(logs, /^line-4999-x+\n$/m);
  // Docker's default driver name, when none is asked for.
  const plain = env.dockerOk(['create', IMAGE, 'true']).trim();
  assert.equal(env.dockerOk(['inspect', '-f', '{{json .HostConfig.LogConfig}}', plain]).trim(), '{"Type":"json-file","Config":{}}');
  env.dockerOk(['rm', id, plain]);
});

test('skiff create --log-driver/--log-opt: the same check and the same record as the API', () => {
  const bad = env.run(['create', '--log-driver', 'gelf', IMAGE, 'true']);
  assert.equal(bad.code, 125, bad.stderr);
  assert.match(bad.stderr, /^Error: logger: no log driver named 'gelf' is registered/);
  const id = env.ok(['create', '--log-driver', 'json-file', '--log-opt', 'max-size=1m', IMAGE, 'true']).trim();
  assert.equal(env.dockerOk(['inspect', '-f', '{{json .HostConfig.LogConfig}}', id]).trim(), '{"Type":"json-file","Config":{"max-size":"1m"}}');
  env.ok(['rm', id]);
});
