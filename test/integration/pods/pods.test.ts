// Pods (Podman's model): an infra container holds the network, IPC and UTS namespaces; members
// join them, reach each other on localhost and share the pod's published ports and hostname.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { IMAGE, assertNothingLeft, expectCode, freePort, httpGet, podEnv, waitFor } from './fixtures.js';
import type { NetEnv } from '../network/fixtures.js';

let env: NetEnv;

before(() => {
  env = podEnv('skiff-pods-');
});
after(async () => {
  await env.teardownNet();
});

const HTTPD = 'mkdir -p /www && echo from-the-pod > /www/index.html && exec httpd -f -p 8080 -h /www';

function pid(ref: string): number {
  return Number(env.ok(['inspect', '-f', '{{.State.Pid}}', ref]).trim());
}

test('a two-container pod: the client reaches httpd on localhost, the host reaches the published port, pod rm -f leaves nothing', async () => {
  const hostPort = await freePort();
  const podId = env.ok(['pod', 'create', '--name', 'web', '-p', `127.0.0.1:${hostPort}:8080`]).trim();
  assert.match(podId, /^[0-9a-f]{64}$/);
  const infra = env.track(env.ok(['pod', 'inspect', '-f', '{{.InfraContainerId}}', 'web']));
  env.track(env.ok(['run', '-d', '--pod', 'web', '--name', 'httpd', IMAGE, 'sh', '-c', HTTPD]));
  const local = await waitFor(
    () => {
      const r = env.run(['run', '--rm', '--pod', 'web', IMAGE, 'wget', '-qO-', 'http://localhost:8080/']);
      return r.code === 0 ? r.stdout : undefined;
    },
    15_000,
    'httpd to answer on the pod localhost',
  );
  assert.equal(local, 'from-the-pod\n');
  const body = await waitFor(() => httpGet('127.0.0.1', hostPort), 10_000, 'the published port to answer');
  assert.equal(body, 'from-the-pod\n');
  const pids = [pid(infra), pid('httpd')];
  env.ok(['pod', 'rm', '-f', 'web']);
  expectCode(env.run(['pod', 'exists', 'web']), 1, 'pod exists after rm');
  assert.equal(env.ok(['ps', '-aq']), '', 'containers of the pod left');
  assertNothingLeft(env, [infra], pids);
});
