// The way to a cluster and back on one machine: `kube generate` of a pod, `kube down` of that
// YAML, then `kube play` of it on a fresh root gives the same pod: its containers, environment,
// published port answering the same page, and its named volume.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE, expectCode, freePort, httpGet, podEnv, waitFor } from '../pods/fixtures.js';
import type { NetEnv } from '../network/fixtures.js';

let first: NetEnv;
let fresh: NetEnv;

before(() => {
  first = podEnv('skiff-kube-rt1-');
  fresh = podEnv('skiff-kube-rt2-');
});
after(async () => {
  await first.teardownNet();
  await fresh.teardownNet();
});

const SERVE = 'mkdir -p /tmp/www && echo "$PAGE from $(hostname)" > /tmp/www/index.html && echo kept > /data/mark && exec httpd -f -p 8080 -h /tmp/www';

/** What a pod is, as the tests compare it: its containers' names, images, env and mounts. */
function shape(env: NetEnv, pod: string): string[] {
  const members = env
    .ok(['ps', '-a', '--filter', `pod=${pod}`, '--format', '{{.Names}}'])
    .split('\n')
    .filter((n) => n && !n.endsWith('-infra'))
    .sort();
  return members.map((name) => {
    const c = JSON.parse(env.ok(['inspect', name]))[0];
    const envVars = (c.Config.Env as string[]).filter((e) => e.startsWith('PAGE=')).join(',');
    const mounts = (c.Mounts as { Type: string; Name?: string; Destination: string }[]).map((m) => `${m.Type}:${m.Name ?? ''}:${m.Destination}`).sort().join(',');
    return `${name} ${envVars} ${mounts}`;
  });
}

test('kube generate of a pod, kube down, then kube play on a fresh root reproduces the pod: containers, env, volume and the page on its port', async () => {
  const port = await freePort();
  first.ok(['pod', 'create', '--name', 'rt', '-p', `127.0.0.1:${port}:8080`]);
  first.ok(['run', '-d', '--pod', 'rt', '--name', 'web', '-e', 'PAGE=round-trip', '-v', 'rtdata:/data', IMAGE, 'sh', '-c', SERVE]);
  const served = await waitFor(async () => (await httpGet('127.0.0.1', port)) || undefined, 30_000, 'the first pod to serve');
  assert.equal(served, 'round-trip from rt\n');
  const before = shape(first, 'rt');

  const yaml = first.ok(['kube', 'generate', 'rt']);
  const file = join(first.dir, 'rt.yaml');
  writeFileSync(file, yaml);
  expectCode(first.run(['kube', 'down', file]), 0, 'kube down of the generated YAML');
  assert.equal(first.ok(['pod', 'ps', '-q']), '', 'kube down removed the pod');
  assert.equal(first.ok(['ps', '-aq']), '', 'kube down removed its containers');

  expectCode(fresh.run(['kube', 'play', file]), 0, 'kube play on a fresh root');
  const again = await waitFor(async () => (await httpGet('127.0.0.1', port)) || undefined, 30_000, 'the played pod to serve');
  assert.equal(again, served, 'the same page on the same port');
  assert.equal(fresh.ok(['pod', 'ps', '--format', '{{.Name}}']).trim(), 'rt');
  // kube play names containers <pod>-<container>, as Podman does; the rest is the same.
  assert.deepEqual(
    shape(fresh, 'rt').map((s) => s.replace(/^rt-/, '')),
    before,
  );
  assert.equal(fresh.ok(['exec', 'rt-web', 'cat', '/data/mark']), 'kept\n');
  expectCode(fresh.run(['kube', 'down', '--force', file]), 0, 'kube down --force on the fresh root');
  assert.equal(fresh.ok(['volume', 'ls', '-q']), '');
  first.ok(['volume', 'rm', 'rtdata']);
});
