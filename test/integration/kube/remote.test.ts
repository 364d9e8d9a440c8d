// `podman --remote kube generate` against skiff's service (GET /libpod/generate/kube): the same
// documents as skiff's own CLI writes, and skiff's not-found error through podman's client.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { apiEnv, type ApiEnv } from '../api/fixtures.js';
import { IMAGE } from '../containers/fixtures.js';
import { freePort } from '../pods/fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('podman'));
let env: ApiEnv;

before(async () => {
  if (!skip) env = await apiEnv('skiff-kubeapi-');
});
after(async () => {
  await env?.stop();
});

function podman(args: string[]) {
  const r = spawnSync('podman', ['--remote', '--url', `unix://${env.socket}`, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

/** The documents without what differs from one call to the next (the time, Podman's random NodePort). */
function stable(yaml: string): unknown[] {
  return parseAllDocuments(yaml).map((d) => {
    const doc = d.toJS() as { metadata: Record<string, unknown>; spec?: { ports?: Record<string, unknown>[] } };
    delete doc.metadata.creationTimestamp;
    for (const p of doc.spec?.ports ?? []) delete p.nodePort;
    return doc;
  });
}

test('podman --remote kube generate -s gives the documents skiff kube generate -s writes; an unknown name fails with skiff error', { skip }, async () => {
  const port = await freePort();
  env.ok(['create', '--name', 'api-web', '-e', 'MODE=remote', '-p', `127.0.0.1:${port}:8080`, '-v', 'apidata:/data', '--memory', '32m', IMAGE, 'httpd', '-f', '-p', '8080']);
  const r = podman(['kube', 'generate', '-s', 'api-web']);
  assert.equal(r.code, 0, r.stderr);
  const remote = stable(r.stdout) as { kind: string }[];
  assert.deepEqual(remote.map((d) => d.kind), ['PersistentVolumeClaim', 'Service', 'Pod']);
  assert.deepEqual(remote, stable(env.ok(['kube', 'generate', '-s', 'api-web'])));
  const missing = podman(['kube', 'generate', 'nosuch']);
  assert.equal(missing.code, 125);
  assert.match(missing.stderr, /name or ID "nosuch" not found/);
});
