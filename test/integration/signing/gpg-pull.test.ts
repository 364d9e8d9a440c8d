// skopeo signs (GPG simple signing, lookaside store) and skiff pull enforces policy.json:
// the signed image is accepted; unsigned, wrong-key, wrong-identity, tampered-signature and
// tampered-manifest images are refused with the failing requirement named, and nothing is stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { join } from 'node:path';
import { makeEnv, type TestEnv } from '../../helpers/env.js';
import { tool, unmet } from '../../helpers/requires.js';
import { ok, startRegistry, type Registry } from '../registry/fixtures.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';
import {
  assertEmptyStore,
  lookasideStore,
  makeGpgKey,
  signatureDir,
  signedBy,
  skopeoAs,
  stopAgent,
  writePolicy,
  type GpgKey,
} from './fixtures.js';

const skip = unmet(tool('skopeo'), tool('gpg'), tool('docker-registry'));

let a: TestEnv;
let reg: Registry;
let trusted: GpgKey;
let other: GpgKey;
let store: { registriesD: string; sigstore: string };
let policy = '';
let accept = '';
const envs: TestEnv[] = [];

const digestOf = (repo: string) => JSON.parse(skopeoAs(undefined, ['inspect', '--tls-verify=false', `docker://${reg.host}/${repo}`])).Digest as string;

/** skopeo copies the unsigned image to `to`, signing it as skopeo does with `key`. */
function skopeoSign(key: GpgKey, to: string, extra: string[] = []): void {
  skopeoAs(key, [
    '--policy', accept, '--registries.d', store.registriesD,
    'copy', '--src-tls-verify=false', '--dest-tls-verify=false', '--sign-by', key.fingerprint, ...extra,
    `docker://${reg.host}/unsigned/bb:1`, `docker://${reg.host}/${to}`,
  ]);
}

function pullEnv(): TestEnv {
  const e = makeEnv('skiff-sign-pull-');
  envs.push(e);
  return e;
}

const withPolicy = { get env() { return { SKIFF_SIGNATURE_POLICY: policy, SKIFF_REGISTRIES_D: store.registriesD }; } };

function refused(name: string, why: RegExp): string {
  const e = pullEnv();
  const r = e.run(['pull', `${reg.host}/${name}`], { env: withPolicy.env });
  assert.equal(r.code, 125, `pull ${name} should be refused: ${r.stdout}`);
  assert.match(r.stderr, /^Error: /);
  assert.match(r.stderr, /refused by signature policy/);
  assert.match(r.stderr, why);
  assertEmptyStore(e);
  return r.stderr;
}

before(async () => {
  if (skip) return;
  a = makeEnv('skiff-sign-pull-a-');
  reg = await startRegistry(join(a.dir, 'registry'));
  const tar = makeBusyboxTar(a.dir, join(a.dir, 'busybox.tar'));
  ok(a, ['import', '-c', 'CMD ["/bin/sh"]', tar, 'bb:latest']);
  ok(a, ['import', '-c', 'CMD ["/bin/true"]', tar, 'bb:other']);
  ok(a, ['push', 'bb:latest', `${reg.host}/unsigned/bb:1`]);
  ok(a, ['push', 'bb:latest', `${reg.host}/open/bb:1`]);
  ok(a, ['push', 'bb:latest', `${reg.host}/closed/bb:1`]);
  trusted = makeGpgKey(a.dir, 'trusted');
  other = makeGpgKey(a.dir, 'other', 'ed25519');
  store = lookasideStore(a.dir);
  accept = writePolicy(a.dir, 'accept', { default: [{ type: 'insecureAcceptAnything' }] });
  policy = writePolicy(a.dir, 'policy', {
    default: [{ type: 'insecureAcceptAnything' }],
    transports: {
      docker: {
        [reg.host]: [signedBy(trusted)],
        [`${reg.host}/open`]: [{ type: 'insecureAcceptAnything' }],
        [`${reg.host}/closed/bb`]: [{ type: 'reject' }],
        [`${reg.host}/remapped`]: [signedBy(trusted, { type: 'remapIdentity', prefix: `${reg.host}/remapped`, signedPrefix: `${reg.host}/signed` })],
        [`${reg.host}/anyrepo`]: [signedBy(trusted, { type: 'matchRepository' })],
      },
    },
  });
  skopeoSign(trusted, 'signed/bb:1');
  skopeoSign(other, 'wrongkey/bb:1');
  skopeoSign(trusted, 'identity/bb:1', ['--sign-identity', `${reg.host}/somewhere-else/bb:1`]);
  skopeoSign(trusted, 'badsig/bb:1');
  skopeoSign(trusted, 'tampered/bb:1');
  skopeoSign(trusted, 'remapped/bb:1', ['--sign-identity', `${reg.host}/signed/bb:1`]);
  skopeoSign(trusted, 'anyrepo/bb:1', ['--sign-identity', `${reg.host}/anyrepo/bb:other-tag`]);
  // badsig: one byte of the OpenPGP message flipped in the middle of the signature packet.
  const bad = join(signatureDir(store.sigstore, 'badsig/bb', digestOf('badsig/bb:1')), 'signature-1');
  const bytes = readFileSync(bad);
  bytes[bytes.length - 20]! ^= 0xff;
  writeFileSync(bad, bytes);
  // tampered: the tag now names another manifest, and the old signature is put beside it.
  const old = digestOf('tampered/bb:1');
  ok(a, ['push', 'bb:other', `${reg.host}/tampered/bb:1`]);
  const now = digestOf('tampered/bb:1');
  assert.notEqual(now, old);
  mkdirSync(signatureDir(store.sigstore, 'tampered/bb', now), { recursive: true });
  copyFileSync(join(signatureDir(store.sigstore, 'tampered/bb', old), 'signature-1'), join(signatureDir(store.sigstore, 'tampered/bb', now), 'signature-1'));
});

after(() => {
  if (skip) return;
  for (const k of [trusted, other]) if (k) stopAgent(k);
  reg?.stop();
  for (const e of envs) e.cleanup();
  a?.cleanup();
});

test('skopeo stores its simple signature where registries.d says, as containers/image lays it out', { skip }, () => {
  const dir = signatureDir(store.sigstore, 'signed/bb', digestOf('signed/bb:1'));
  assert.deepEqual(readdirSync(dir), ['signature-1']);
});

test('pull accepts an image skopeo signed with the key the policy requires', { skip }, () => {
  const e = pullEnv();
  const r = e.run(['pull', `${reg.host}/signed/bb:1`], { env: withPolicy.env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(ok(e, ['images', '--format', '{{.Repository}}:{{.Tag}}']), new RegExp(`${reg.host}/signed/bb:1`));
});

test('pull by digest accepts a signature for a tag of the same repository (matchRepoDigestOrExact)', { skip }, () => {
  const e = pullEnv();
  const r = e.run(['pull', `${reg.host}/signed/bb@${digestOf('signed/bb:1')}`], { env: withPolicy.env });
  assert.equal(r.code, 0, r.stderr);
});

test('--signature-policy names the policy file on the command line', { skip }, () => {
  const e = pullEnv();
  const r = e.run(['pull', '--signature-policy', policy, `${reg.host}/unsigned/bb:1`], { env: { SKIFF_REGISTRIES_D: store.registriesD } });
  assert.equal(r.code, 125);
  assert.match(r.stderr, /no signature exists/);
  assertEmptyStore(e);
});

test('an unsigned image is refused: a signature was required, but none exists', { skip }, () => {
  const err = refused('unsigned/bb:1', /requirement signedBy \(GPGKeys, keyPath .*trusted\.asc.*: a signature was required, but no signature exists/);
  assert.match(err, new RegExp(`transports\\.docker\\["${reg.host.replace(/\./g, '\\.')}"\\]`));
});

test('an image signed by a key the policy does not name is refused', { skip }, () => {
  refused('wrongkey/bb:1', /signature-1: signed by key [0-9A-F]{16}, which the policy does not trust/);
});

test('a signature for another identity is refused (matchRepoDigestOrExact)', { skip }, () => {
  refused('identity/bb:1', new RegExp(`it is for identity "${reg.host.replace(/\./g, '\\.')}/somewhere-else/bb:1", which matchRepoDigestOrExact does not accept`));
});

test('a tampered signature is refused', { skip }, () => {
  refused('badsig/bb:1', /signature-1: (signature by key|invalid OpenPGP message|not an OpenPGP message)/);
});

test('a manifest other than the one signed is refused', { skip }, () => {
  refused('tampered/bb:1', /it signs manifest sha256:[0-9a-f]{64}, not the one pulled/);
});

test('remapIdentity accepts a signature for the remapped name', { skip }, () => {
  const e = pullEnv();
  const r = e.run(['pull', `${reg.host}/remapped/bb:1`], { env: withPolicy.env });
  assert.equal(r.code, 0, r.stderr);
});

test('matchRepository accepts a signature for another tag of the repository', { skip }, () => {
  const e = pullEnv();
  const r = e.run(['pull', `${reg.host}/anyrepo/bb:1`], { env: withPolicy.env });
  assert.equal(r.code, 0, r.stderr);
});

test('an insecureAcceptAnything scope inside a signedBy registry accepts an unsigned image', { skip }, () => {
  const e = pullEnv();
  const r = e.run(['pull', `${reg.host}/open/bb:1`], { env: withPolicy.env });
  assert.equal(r.code, 0, r.stderr);
});

test('a reject scope for one repository refuses it', { skip }, () => {
  refused('closed/bb:1', /requirement reject: the policy rejects every image here/);
});

test('run pulls through the same policy: a refused image is not run and not stored', { skip }, () => {
  const e = pullEnv();
  const r = e.run(['run', '--rm', `${reg.host}/unsigned/bb:1`, 'true'], { env: withPolicy.env });
  assert.equal(r.code, 125);
  assert.match(r.stderr, /refused by signature policy.*no signature exists/);
  assertEmptyStore(e);
});

test('keyData (the key inline, base64) and keyPaths (any of several key files) accept the signed image', { skip }, () => {
  const data = Buffer.from(readFileSync(trusted.publicKey)).toString('base64');
  for (const [name, req] of [
    ['keydata', { type: 'signedBy', keyType: 'GPGKeys', keyData: data }],
    ['keypaths', { type: 'signedBy', keyType: 'GPGKeys', keyPaths: [other.publicKey, trusted.publicKey] }],
  ] as const) {
    const file = writePolicy(a.dir, name, { default: [req] });
    const e = pullEnv();
    const r = e.run(['pull', `${reg.host}/signed/bb:1`], { env: { SKIFF_SIGNATURE_POLICY: file, SKIFF_REGISTRIES_D: store.registriesD } });
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
  }
});

test('an http:// lookaside store is read signature-1 onwards until a 404', { skip }, async () => {
  // The same store served over HTTP, recording what is asked for.
  const asked: string[] = [];
  const server: Server = createServer((req, res) => {
    asked.push(decodeURIComponent(req.url!));
    try {
      res.end(readFileSync(join(store.sigstore, decodeURIComponent(req.url!).replace(/^\/sigs\//, ''))));
    } catch {
      res.writeHead(404).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const port = (server.address() as { port: number }).port;
    const rd = join(a.dir, 'registries.d-http');
    mkdirSync(rd, { recursive: true });
    writeFileSync(join(rd, 'a.yaml'), `docker:\n  ${reg.host}:\n    lookaside: http://127.0.0.1:${port}/sigs\n`);
    const e = pullEnv();
    const r = await e.runAsync(['pull', `${reg.host}/signed/bb:1`], { env: { SKIFF_SIGNATURE_POLICY: policy, SKIFF_REGISTRIES_D: rd } });
    assert.equal(r.code, 0, r.stderr);
    const dir = `/sigs/signed/bb@${digestOf('signed/bb:1').replace(':', '=')}`;
    assert.deepEqual(asked, [`${dir}/signature-1`, `${dir}/signature-2`]);
    const u = pullEnv();
    const refusedHttp = await u.runAsync(['pull', `${reg.host}/unsigned/bb:1`], { env: { SKIFF_SIGNATURE_POLICY: policy, SKIFF_REGISTRIES_D: rd } });
    assert.equal(refusedHttp.code, 125);
    assert.match(refusedHttp.stderr, new RegExp(`no signature exists \\(looked in http://127\\.0\\.0\\.1:${port}/sigs/unsigned/bb\\)`));
    assertEmptyStore(u);
  } finally {
    server.close();
  }
});

test('image copy from docker:// meets the same policy: unsigned refused with nothing written, signed copied', { skip }, () => {
  const e = pullEnv();
  const refusedDir = join(e.dir, 'refused-layout');
  const r = e.run(['image', 'copy', `docker://${reg.host}/unsigned/bb:1`, `oci:${refusedDir}:x`], { env: withPolicy.env });
  assert.equal(r.code, 125);
  assert.match(r.stderr, /refused by signature policy .*no signature exists/);
  assert.throws(() => readdirSync(refusedDir), /ENOENT/, 'no layout was written');
  const ok2 = e.run(['image', 'copy', '--signature-policy', policy, `docker://${reg.host}/signed/bb:1`, `oci:${join(e.dir, 'layout')}:x`], {
    env: { SKIFF_REGISTRIES_D: store.registriesD },
  });
  assert.equal(ok2.code, 0, ok2.stderr);
  assertEmptyStore(e);
});
