// Endpoints dockerd has, answered as dockerd 20.10 does outside a swarm (measured): swarm objects
// 503 with its words, plugins an empty list, the distribution endpoint from a registry on
// loopback, pull failures with dockerd's status and words, kill that returns once SIGKILL's exit
// is recorded, load of garbage as a 200 carrying an error line. Clients: the docker CLI,
// python3-docker, skiff.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { apiEnv, IMAGE, type ApiEnv } from './fixtures.js';
import { freePort, startRegistry, type Registry } from '../registry/fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('docker'), tool('python3'), tool('/usr/bin/docker-registry'));
const NOT_A_MANAGER = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
let env: ApiEnv;
let reg: Registry;

before(async () => {
  if (skip) return;
  env = await apiEnv('skiff-api-endpoints-');
  reg = await startRegistry(join(env.dir, 'registry'));
});
after(async () => {
  reg?.stop();
  if (!skip) await env.stop();
});

test('docker node/service/secret/config ls and swarm leave print dockerd\'s "not in a swarm" errors; plugin ls lists none', { skip }, async () => {
  for (const args of [['node', 'ls'], ['service', 'ls'], ['secret', 'ls'], ['config', 'ls']]) {
    const r = env.docker(args);
    assert.equal(r.code, 1, `docker ${args.join(' ')}`);
    assert.equal(r.stderr.trim(), `Error response from daemon: ${NOT_A_MANAGER}`, `docker ${args.join(' ')}`);
  }
  const leave = env.docker(['swarm', 'leave']);
  assert.equal(leave.code, 1);
  assert.equal(leave.stderr.trim(), 'Error response from daemon: This node is not part of a swarm');
  assert.equal(env.dockerOk(['plugin', 'ls', '--format', '{{.Name}}']), '');
  assert.equal(env.dockerOk(['info', '-f', '{{.Swarm.LocalNodeState}}']).trim(), 'inactive');
  for (const [method, path] of [['GET', '/tasks'], ['GET', '/services/web'], ['DELETE', '/secrets/s1'], ['POST', '/configs/create'], ['GET', '/swarm']]) {
    const r = await env.api(method!, `/v1.41${path}`);
    assert.equal(r.status, 503, `${method} ${path}`);
    assert.deepEqual(r.json(), { message: NOT_A_MANAGER }, `${method} ${path}`);
  }
  const plugins = await env.api('GET', '/v1.41/plugins');
  assert.equal(plugins.status, 200);
  assert.deepEqual(plugins.json(), []);
  const inspect = env.docker(['plugin', 'inspect', 'nope']);
  assert.equal(inspect.code, 1);
  assert.match(inspect.stderr, /plugin "nope" not found/);
});

test('python3-docker inspect_distribution: the pushed manifest\'s descriptor and the image\'s platform; a missing tag is a 404 in the registry\'s words', { skip }, async () => {
  const ref = `${reg.host}/dist/bb:v1`;
  env.dockerOk(['tag', IMAGE, ref]);
  const pushed = env.dockerOk(['push', ref]);
  const digest = /digest: (sha256:[0-9a-f]{64}) size: (\d+)/.exec(pushed);
  assert.ok(digest, pushed);
  const arch = env.dockerOk(['image', 'inspect', '-f', '{{.Architecture}}', IMAGE]).trim();
  const served = await fetch(`http://${reg.host}/v2/dist/bb/manifests/v1`, {
    method: 'HEAD',
    headers: { Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' },
  });
  assert.equal(served.status, 200);
  const script = `
import docker, json
c = docker.APIClient(base_url='unix://${env.socket}', version='1.41')
print(json.dumps(c.inspect_distribution('${ref}'), sort_keys=True))
try:
    c.inspect_distribution('${reg.host}/dist/bb:nope')
except docker.errors.APIError as e:
    print(e.status_code, e.explanation)
`;
  const r = spawnSync('python3', ['-c', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const [doc, missing] = r.stdout.trim().split('\n');
  assert.deepEqual(JSON.parse(doc!), {
    Descriptor: { mediaType: served.headers.get('content-type'), digest: digest[1], size: Number(digest[2]) },
    Platforms: [{ architecture: arch, os: 'linux' }],
  });
  assert.equal(missing, '404 manifest unknown: manifest unknown');
});

test('docker pull of a missing repository: 404 and dockerd\'s words; a registry that does not answer: 500', { skip }, async () => {
  const missing = `${reg.host}/nope:v1`;
  const r = env.docker(['pull', missing]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), `Error response from daemon: manifest for ${missing} not found: manifest unknown: manifest unknown`);
  const raw = await env.api('POST', `/v1.41/images/create?fromImage=${encodeURIComponent(`${reg.host}/nope`)}&tag=v1`);
  assert.equal(raw.status, 404);
  const closed = await freePort();
  const down = await env.api('POST', `/v1.41/images/create?fromImage=${encodeURIComponent(`127.0.0.1:${closed}/bb`)}&tag=v1`);
  assert.equal(down.status, 500, down.text);
  assert.match((down.json() as { message: string }).message, /ECONNREFUSED/);
  // skiff's own pull of the missing repository fails too (its own words).
  const own = env.run(['pull', missing]);
  assert.notEqual(own.code, 0);
  assert.match(own.stderr, /^Error: .*not found/m);
});

test('docker kill and skiff kill: an inspect right after sees the container exited 137', { skip }, () => {
  for (let i = 0; i < 3; i++) {
    env.dockerOk(['run', '-d', '--name', `k${i}`, '--network', 'none', IMAGE, 'sleep', '1000']);
    env.dockerOk(['kill', `k${i}`]);
    assert.equal(env.dockerOk(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}', `k${i}`]).trim(), 'exited 137 false');
    env.dockerOk(['rm', `k${i}`]);
  }
  env.ok(['run', '-d', '--name', 'ks', '--network', 'none', IMAGE, 'sleep', '1000']);
  env.ok(['kill', 'ks']);
  assert.equal(env.ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'ks']).trim(), 'exited 137');
  env.ok(['rm', 'ks']);
});

test('docker load of garbage: a 200 whose stream carries the error, as dockerd; the CLI prints it and exits 1', { skip }, async () => {
  const junk = join(env.dir, 'junk.tar');
  writeFileSync(junk, randomBytes(3000));
  const r = env.docker(['load', '-i', junk]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^reading image archive: /m);
  assert.doesNotMatch(r.stderr, /Error response from daemon/);
  const raw = await env.api('POST', '/v1.41/images/load', 'this is not a tar archive at all'.repeat(40));
  assert.equal(raw.status, 200);
  const line = JSON.parse(raw.text.trim()) as { error: string; errorDetail: { message: string } };
  assert.match(line.error, /^reading image archive: /);
  assert.equal(line.errorDetail.message, line.error);
});
