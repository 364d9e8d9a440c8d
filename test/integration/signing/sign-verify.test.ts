// `image sign` signs images already pushed (GPG simple signing, Podman's verb): skopeo accepts
// them under a policy requiring the key. `image verify` reports who signed what (GPG and
// sigstore) without pulling, and refuses as pull would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeEnv, type TestEnv } from '../../helpers/env.js';
import { tool, unmet } from '../../helpers/requires.js';
import { ok, startRegistry, type Registry } from '../registry/fixtures.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';
import { assertEmptyStore, lookasideStore, makeGpgKey, makeSigstoreKey, signatureDir, signedBy, sigstoreSigned, stopAgent, writePolicy, type GpgKey } from './fixtures.js';

const skip = unmet(tool('skopeo'), tool('gpg'), tool('docker-registry'));

let a: TestEnv;
let reg: Registry;
let key: GpgKey;
let store: { registriesD: string; sigstore: string };
let policy = '';

before(async () => {
  if (skip) return;
  a = makeEnv('skiff-image-sign-');
  reg = await startRegistry(join(a.dir, 'registry'));
  const tar = makeBusyboxTar(a.dir, join(a.dir, 'busybox.tar'));
  ok(a, ['import', '-c', 'CMD ["/bin/sh"]', tar, 'bb:latest']);
  for (const r of ['dir/bb:1', 'staged/bb:1', 'verified/bb:1', 'unsigned/bb:1']) ok(a, ['push', 'bb:latest', `${reg.host}/${r}`]);
  key = makeGpgKey(a.dir, 'signer');
  store = lookasideStore(a.dir);
  policy = writePolicy(a.dir, 'policy', { default: [{ type: 'reject' }], transports: { docker: { [reg.host]: [signedBy(key)] } } });
});

after(() => {
  if (skip) return;
  if (key) stopAgent(key);
  reg?.stop();
  a?.cleanup();
});

const digestRe = /\((sha256:[0-9a-f]{64})\)/;

test('image sign --directory writes signature-1 under DIR/<repo>@sha256=<hex>; skopeo accepts the image with that directory as lookaside', { skip }, () => {
  const dir = join(a.dir, 'signed-here');
  const r = a.run(['image', 'sign', '--sign-by', key.fingerprint, '--directory', dir, `docker://${reg.host}/dir/bb:1`], { env: { GNUPGHOME: key.home } });
  assert.equal(r.code, 0, r.stderr);
  const digest = digestRe.exec(r.stdout)![1]!;
  assert.deepEqual(readdirSync(signatureDir(dir, 'dir/bb', digest)), ['signature-1']);
  const regD = join(a.dir, 'registries.d-dir');
  mkdirSync(regD, { recursive: true });
  writeFileSync(join(regD, 'd.yaml'), `default-docker:\n  lookaside: file://${dir}\n`);
  const s = spawnSync('skopeo', ['--policy', policy, '--registries.d', regD, 'copy', '--remove-signatures', '--src-tls-verify=false', `docker://${reg.host}/dir/bb:1`, `oci:${join(a.dir, 'oci-dir')}:x`], { encoding: 'utf8' });
  assert.equal(s.status, 0, s.stderr);
});

test('image sign without --directory stores in registries.d\'s lookaside-staging; skiff pull accepts under the policy', { skip }, () => {
  const r = a.run(['image', 'sign', '--sign-by', key.fingerprint, `docker://${reg.host}/staged/bb:1`], { env: { GNUPGHOME: key.home, SKIFF_REGISTRIES_D: store.registriesD } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /stored at file:\/\/.*\/staged\/bb@sha256=[0-9a-f]{64}\/signature-1/);
  const b = makeEnv('skiff-image-sign-b-');
  try {
    const p = b.run(['pull', `${reg.host}/staged/bb:1`], { env: { SKIFF_SIGNATURE_POLICY: policy, SKIFF_REGISTRIES_D: store.registriesD } });
    assert.equal(p.code, 0, p.stderr);
  } finally {
    b.cleanup();
  }
});

test('image sign refuses an image not written as docker://', { skip }, () => {
  const r = a.run(['image', 'sign', '--sign-by', key.fingerprint, `${reg.host}/staged/bb:1`]);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /only docker:\/\/ images can be signed/);
});

test('image verify names the GPG key and identity that signed the image, and the sigstore key, without pulling it', { skip }, () => {
  a.run(['image', 'sign', '--sign-by', key.fingerprint, `docker://${reg.host}/verified/bb:1`], { env: { GNUPGHOME: key.home, SKIFF_REGISTRIES_D: store.registriesD } });
  const sk = makeSigstoreKey(a, 'verify-sigstore');
  const both = join(a.dir, 'registries.d-both');
  mkdirSync(both, { recursive: true });
  writeFileSync(join(both, 'd.yaml'), `default-docker:\n  lookaside: file://${store.sigstore}\n  lookaside-staging: file://${store.sigstore}\n  use-sigstore-attachments: true\n`);
  const pushed = a.run(['push', '--sign-by-sigstore-private-key', sk.privateKey, '--sign-passphrase-file', sk.passphraseFile, 'bb:latest', `${reg.host}/verified/bb:1`], { env: { SKIFF_REGISTRIES_D: both } });
  assert.equal(pushed.code, 0, pushed.stderr);
  const p = writePolicy(a.dir, 'both', { default: [{ type: 'reject' }], transports: { docker: { [reg.host]: [signedBy(key), sigstoreSigned(sk.publicKey)] } } });
  const v = a.run(['image', 'verify', '--signature-policy', p, '--registries.d', both, `${reg.host}/verified/bb:1`]);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, new RegExp(`Signed by: +GPG key ${key.fingerprint} as ${reg.host}/verified/bb:1 \\(file://`));
  assert.match(v.stdout, new RegExp(`Signed by: +sigstore key ${sk.publicKey} as ${reg.host}/verified/bb:1`));
  assert.match(v.stdout, /Requirements: signedBy, sigstoreSigned/);
  const j = JSON.parse(a.run(['image', 'verify', '--format', 'json', '--signature-policy', p, '--registries.d', both, `docker://${reg.host}/verified/bb:1`]).stdout);
  assert.equal(j.signedBy[0].fingerprint, key.fingerprint);
  assert.equal(j.scope, `transports.docker["${reg.host}"]`);
});

test('image verify refuses an unsigned image with pull\'s error and stores nothing', { skip }, () => {
  const e = makeEnv('skiff-image-verify-');
  try {
    const v = e.run(['image', 'verify', '--signature-policy', policy, '--registries.d', store.registriesD, `${reg.host}/unsigned/bb:1`]);
    assert.equal(v.code, 125);
    assert.match(v.stderr, /refused by signature policy .*no signature exists/);
    assertEmptyStore(e);
  } finally {
    e.cleanup();
  }
});
