// skiff push --sign-by writes a GPG simple signature that skopeo (containers/image) verifies
// against a policy requiring that key, and refuses once the signature or the manifest is tampered with.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeEnv, type TestEnv } from '../../helpers/env.js';
import { tool, unmet } from '../../helpers/requires.js';
import { ok, startRegistry, type Registry } from '../registry/fixtures.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';
import { assertEmptyStore, lookasideStore, makeGpgKey, signatureDir, signedBy, stopAgent, writePolicy, type GpgKey } from './fixtures.js';

const skip = unmet(tool('skopeo'), tool('gpg'), tool('docker-registry'));

let a: TestEnv;
let reg: Registry;
let key: GpgKey;
let store: { registriesD: string; sigstore: string };
let policy = '';
const envs: TestEnv[] = [];

function push(image: string, to: string): { stdout: string; digest: string } {
  const r = a.run(['push', '--sign-by', key.fingerprint, image, `${reg.host}/${to}`], { env: { GNUPGHOME: key.home, SKIFF_REGISTRIES_D: store.registriesD } });
  assert.equal(r.code, 0, r.stderr);
  return { stdout: r.stdout, digest: /digest: (sha256:[0-9a-f]{64})/.exec(r.stdout)![1]! };
}

/** skopeo copies the registry image to an OCI layout under the policy; its exit status and stderr. */
function skopeoCopy(name: string): { code: number; stderr: string } {
  const dest = join(a.dir, `oci-${name.replace(/[/:]/g, '-')}`);
  const r = spawnSync(
    'skopeo',
    ['--policy', policy, '--registries.d', store.registriesD, 'copy', '--remove-signatures', '--src-tls-verify=false', `docker://${reg.host}/${name}`, `oci:${dest}:x`],
    { encoding: 'utf8' },
  );
  return { code: r.status ?? 128, stderr: r.stderr };
}

before(async () => {
  if (skip) return;
  a = makeEnv('skiff-sign-push-a-');
  reg = await startRegistry(join(a.dir, 'registry'));
  const tar = makeBusyboxTar(a.dir, join(a.dir, 'busybox.tar'));
  ok(a, ['import', '-c', 'CMD ["/bin/sh"]', tar, 'bb:latest']);
  ok(a, ['import', '-c', 'CMD ["/bin/true"]', tar, 'bb:other']);
  key = makeGpgKey(a.dir, 'pusher');
  store = lookasideStore(a.dir);
  policy = writePolicy(a.dir, 'policy', { default: [{ type: 'reject' }], transports: { docker: { [reg.host]: [signedBy(key)] } } });
});

after(() => {
  if (skip) return;
  if (key) stopAgent(key);
  reg?.stop();
  for (const e of envs) e.cleanup();
  a?.cleanup();
});

test('push --sign-by stores signature-1 beside the pushed digest in the lookaside store', { skip }, () => {
  const { stdout, digest } = push('bb:latest', 'layout/bb:1');
  const dir = signatureDir(store.sigstore, 'layout/bb', digest);
  assert.deepEqual(readdirSync(dir), ['signature-1']);
  assert.match(stdout, new RegExp(`Signature stored at file://.*signature-1`));
  // Simple signing's payload, signed by gpg with the key asked for.
  const v = spawnSync('gpg', ['--homedir', key.home, '--status-fd', '1', '--decrypt', join(dir, 'signature-1')], { encoding: 'utf8' });
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout, new RegExp(`VALIDSIG ${key.fingerprint}`));
  const payload = JSON.parse(v.stdout.slice(v.stdout.indexOf('{'), v.stdout.lastIndexOf('}') + 1));
  assert.deepEqual(payload.critical, {
    identity: { 'docker-reference': `${reg.host}/layout/bb:1` },
    image: { 'docker-manifest-digest': digest },
    type: 'atomic container signature',
  });
});

test('skopeo copy with a policy requiring the key accepts the image skiff signed', { skip }, () => {
  push('bb:latest', 'accepted/bb:1');
  const r = skopeoCopy('accepted/bb:1');
  assert.equal(r.code, 0, r.stderr);
});

test('skopeo refuses the image once its signature is tampered with', { skip }, () => {
  const { digest } = push('bb:latest', 'badsig/bb:1');
  const file = join(signatureDir(store.sigstore, 'badsig/bb', digest), 'signature-1');
  const bytes = readFileSync(file);
  bytes[bytes.length - 20]! ^= 0xff;
  writeFileSync(file, bytes);
  const r = skopeoCopy('badsig/bb:1');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Source image rejected/);
});

test('skopeo refuses another manifest carrying the pushed manifest\'s signature', { skip }, () => {
  const { digest: old } = push('bb:latest', 'tampered/bb:1');
  const r0 = a.run(['push', 'bb:other', `${reg.host}/tampered/bb:1`]);
  assert.equal(r0.code, 0, r0.stderr);
  const now = /digest: (sha256:[0-9a-f]{64})/.exec(r0.stdout)![1]!;
  mkdirSync(signatureDir(store.sigstore, 'tampered/bb', now), { recursive: true });
  copyFileSync(join(signatureDir(store.sigstore, 'tampered/bb', old), 'signature-1'), join(signatureDir(store.sigstore, 'tampered/bb', now), 'signature-1'));
  const r = skopeoCopy('tampered/bb:1');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Source image rejected.*(digest|manifest)/i);
});

test('skiff pull accepts what skiff push signed, under the same policy', { skip }, () => {
  push('bb:latest', 'roundtrip/bb:1');
  const b = makeEnv('skiff-sign-push-b-');
  envs.push(b);
  const r = b.run(['pull', `${reg.host}/roundtrip/bb:1`], { env: { SKIFF_SIGNATURE_POLICY: policy, SKIFF_REGISTRIES_D: store.registriesD } });
  assert.equal(r.code, 0, r.stderr);
});

test('push --sign-by with a key gpg does not have fails before the manifest is pushed', { skip }, () => {
  const r = a.run(['push', '--sign-by', '0000000000000000000000000000000000000000', 'bb:latest', `${reg.host}/nokey/bb:1`], {
    env: { GNUPGHOME: key.home, SKIFF_REGISTRIES_D: store.registriesD },
  });
  assert.equal(r.code, 125);
  assert.match(r.stderr, /^Error: signing with gpg key 0{40} failed/);
  const s = spawnSync('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/nokey/bb:1`], { encoding: 'utf8' });
  assert.notEqual(s.status, 0, 'no manifest was pushed');
  const b = makeEnv('skiff-sign-push-c-');
  envs.push(b);
  assertEmptyStore(b);
});

test('image copy --sign-by signs the docker:// destination; skopeo accepts it under the policy', { skip }, () => {
  const r = a.run(['image', 'copy', '--sign-by', key.fingerprint, 'bb:latest', `docker://${reg.host}/copied/bb:1`], {
    env: { GNUPGHOME: key.home, SKIFF_REGISTRIES_D: store.registriesD },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Signature stored at file:\/\/.*\/copied\/bb@sha256=[0-9a-f]{64}\/signature-1/);
  const s = skopeoCopy('copied/bb:1');
  assert.equal(s.code, 0, s.stderr);
  const bad = a.run(['image', 'copy', '--sign-by', key.fingerprint, 'bb:latest', `oci:${join(a.dir, 'never')}:x`], { env: { GNUPGHOME: key.home } });
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /only a docker:\/\/ destination can be signed/);
});
