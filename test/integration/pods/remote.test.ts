// Real clients of the service's pods: podman 4.3's remote client over `/libpod/pods/*` (create,
// ps, inspect, stop, start, exists, rm -f) and the docker CLI's `ps --filter pod=` and `exec`
// into a member; the member itself is made with skiff's CLI on the same root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { apiEnv, type ApiEnv } from '../api/fixtures.js';
import { IMAGE, expectCode, waitFor } from '../containers/fixtures.js';
import { conmonsUnder, mountsUnder } from '../containers/fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';
import { freePort, httpGet } from './fixtures.js';

const skip = unmet(tool('podman'), tool('docker'));
let env: ApiEnv;

before(async () => {
  if (!skip) env = await apiEnv('skiff-podapi-');
});
after(async () => {
  await env?.stop();
});

function podman(args: string[]) {
  const r = spawnSync('podman', ['--remote', '--url', `unix://${env.socket}`, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

function podmanOk(args: string[]): string {
  const r = podman(args);
  assert.equal(r.code, 0, `podman --remote ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const HTTPD = 'mkdir -p /www && echo via-api > /www/index.html && exec httpd -f -p 8080 -h /www';

test('podman --remote creates, lists, stops, starts and removes a pod whose published port answers; docker ps --filter pod= and docker exec see its containers', { skip }, async () => {
  const port = await freePort();
  const id = podmanOk(['pod', 'create', '--name', 'api-web', '-p', `127.0.0.1:${port}:8080`]).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  env.ok(['run', '-d', '--pod', 'api-web', '--name', 'api-httpd', IMAGE, 'sh', '-c', HTTPD]);
  assert.equal(await waitFor(() => httpGet('127.0.0.1', port), 15_000, 'the published port'), 'via-api\n');
  assert.equal(podmanOk(['pod', 'ps', '--format', '{{.Name}} {{.Status}} {{.NumberOfContainers}}']), 'api-web Running 2\n');
  const inspect = JSON.parse(podmanOk(['pod', 'inspect', 'api-web']));
  const doc = Array.isArray(inspect) ? inspect[0] : inspect;
  assert.equal(doc.Id, id);
  assert.deepEqual(doc.InfraConfig.PortBindings, { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });
  const names = env.dockerOk(['ps', '--filter', 'pod=api-web', '--format', '{{.Names}}']).split('\n').filter(Boolean).sort();
  assert.deepEqual(names, [`${id.slice(0, 12)}-infra`, 'api-httpd'].sort());
  assert.equal(env.dockerOk(['exec', 'api-httpd', 'wget', '-qO-', 'http://localhost:8080/']), 'via-api\n');
  podmanOk(['pod', 'stop', '-t', '1', 'api-web']);
  assert.equal(podmanOk(['pod', 'ps', '--format', '{{.Status}}']), 'Exited\n');
  podmanOk(['pod', 'start', 'api-web']);
  assert.equal(await waitFor(() => httpGet('127.0.0.1', port), 15_000, 'the published port after start'), 'via-api\n');
  assert.equal(podman(['pod', 'exists', 'api-web']).code, 0);
  podmanOk(['pod', 'rm', '-f', 'api-web']);
  expectCode(podman(['pod', 'exists', 'api-web']), 1, 'pod exists after rm -f');
  assert.equal(env.dockerOk(['ps', '-aq']), '');
  assert.deepEqual(mountsUnder(env.dir), [], 'mounts left behind');
  assert.deepEqual(conmonsUnder(env.dir), [], 'conmon left behind');
});
