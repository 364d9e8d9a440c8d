// The docker CLI pulling through skiff's API service: the service enforces its signature policy
// as `skiff pull` does, and a refused image reaches the client as an error and is not stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { makeEnv, type TestEnv } from '../../helpers/env.js';
import { root, tool, unmet } from '../../helpers/requires.js';
import { ok, startRegistry, type Registry } from '../registry/fixtures.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';
import { apiEnv, type ApiEnv } from '../api/fixtures.js';
import { lookasideStore, makeGpgKey, signedBy, skopeoAs, stopAgent, writePolicy, type GpgKey } from './fixtures.js';

const skip = unmet(root(), tool('docker'), tool('skopeo'), tool('gpg'), tool('docker-registry'));

let a: TestEnv;
let reg: Registry;
let key: GpgKey;
let svc: ApiEnv;

before(async () => {
  if (skip) return;
  a = makeEnv('skiff-sign-docker-a-');
  reg = await startRegistry(join(a.dir, 'registry'));
  const tar = makeBusyboxTar(a.dir, join(a.dir, 'busybox.tar'));
  ok(a, ['import', '-c', 'CMD ["/bin/sh"]', tar, 'bb:latest']);
  ok(a, ['push', 'bb:latest', `${reg.host}/unsigned/bb:1`]);
  key = makeGpgKey(a.dir, 'docker', 'ed25519');
  const store = lookasideStore(a.dir);
  const accept = writePolicy(a.dir, 'accept', { default: [{ type: 'insecureAcceptAnything' }] });
  skopeoAs(key, [
    '--policy', accept, '--registries.d', store.registriesD, 'copy', '--src-tls-verify=false', '--dest-tls-verify=false',
    '--sign-by', key.fingerprint, `docker://${reg.host}/unsigned/bb:1`, `docker://${reg.host}/signed/bb:1`,
  ]);
  const policy = writePolicy(a.dir, 'policy', { default: [{ type: 'reject' }], transports: { docker: { [reg.host]: [signedBy(key)] } } });
  svc = await apiEnv('skiff-sign-docker-', { env: { SKIFF_SIGNATURE_POLICY: policy, SKIFF_REGISTRIES_D: store.registriesD } });
});

after(async () => {
  if (skip) return;
  await svc?.stop();
  if (key) stopAgent(key);
  reg?.stop();
  a?.cleanup();
});

test('docker pull of an unsigned image is refused by the service\'s policy and nothing is stored', { skip }, () => {
  // The service's root holds the test image it was started with: the list must not change.
  const images = svc.dockerOk(['images', '-a', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}']);
  const r = svc.docker(['pull', `${reg.host}/unsigned/bb:1`]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /refused by signature policy .*signedBy .*no signature exists/);
  assert.equal(svc.dockerOk(['images', '-a', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}']), images);
});

test('docker pull of an image signed with the required key succeeds', { skip }, () => {
  svc.dockerOk(['pull', `${reg.host}/signed/bb:1`]);
  assert.match(svc.dockerOk(['images', '--format', '{{.Repository}}:{{.Tag}}']), new RegExp(`${reg.host}/signed/bb:1`));
});
