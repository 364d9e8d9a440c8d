// Sigstore signatures: `skiff key generate`, `push --sign-by-sigstore-private-key` (a registry
// attachment) and `pull` under a sigstoreSigned policy. Debian's skopeo 1.9.3 and podman 4.3.1 are
// built with sigstore signing and verification disabled ("Debian-local change: sigstore
// disabled"), so they cannot be the verifying peer here: openssl checks the signature, and skopeo
// (containers/image) copies the attachment, which proves it reads and rewrites skiff's layout.
// Unsigned, wrong-key, wrong-identity and tampered images are refused and nothing is stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeEnv, type TestEnv } from '../../helpers/env.js';
import { need, tool, unmet } from '../../helpers/requires.js';
import { ok, startRegistry, type Registry } from '../registry/fixtures.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';
import {
  assertEmptyStore,
  attachmentsConf,
  makeSigstoreKey,
  putRegistryManifest,
  registryManifest,
  sigstoreSigned,
  skopeoAs,
  writePolicy,
} from './fixtures.js';

const skip = unmet(tool('skopeo'), tool('docker-registry'));
const PEER = fileURLToPath(new URL('sigstore-key-peer.py', import.meta.url));
const hasNacl = () => spawnSync('/usr/bin/python3', ['-c', 'import nacl.secret'], { stdio: 'ignore' }).status === 0;
/** libsodium (PyNaCl) and OpenSSL as an independent implementation of the key file and the signature */
const skipPeer = skip || unmet(tool('openssl'), need(hasNacl(), 'PyNaCl for /usr/bin/python3', 'apt-get install python3-nacl'));

let a: TestEnv;
let reg: Registry;
let key: ReturnType<typeof makeSigstoreKey>;
let other: ReturnType<typeof makeSigstoreKey>;
let regD = '';
let policy = '';
let accept = '';
const envs: TestEnv[] = [];

const sigTag = (digest: string) => digest.replace(':', '-') + '.sig';
const digestOf = (repo: string) => JSON.parse(skopeoAs(undefined, ['inspect', '--tls-verify=false', `docker://${reg.host}/${repo}`])).Digest as string;

function push(image: string, to: string, k = key): { stdout: string; digest: string } {
  const r = a.run(['push', '--sign-by-sigstore-private-key', k.privateKey, '--sign-passphrase-file', k.passphraseFile, image, `${reg.host}/${to}`], {
    env: { SKIFF_REGISTRIES_D: regD },
  });
  assert.equal(r.code, 0, r.stderr);
  return { stdout: r.stdout, digest: /digest: (sha256:[0-9a-f]{64})/.exec(r.stdout)![1]! };
}

/** skopeo copies `from` to `to` in the registry, signing with a sigstore key when given (accept-anything policy for the source). */
function skopeoCopy(from: string, to: string, k?: typeof key): void {
  skopeoAs(undefined, [
    '--policy', accept, '--registries.d', regD,
    'copy', '--src-tls-verify=false', '--dest-tls-verify=false',
    ...(k ? ['--sign-by-sigstore-private-key', k.privateKey, '--sign-passphrase-file', k.passphraseFile] : []),
    `docker://${reg.host}/${from}`, `docker://${reg.host}/${to}`,
  ]);
}

function pullEnv(): TestEnv {
  const e = makeEnv('skiff-sigstore-pull-');
  envs.push(e);
  return e;
}

function pull(name: string, pol = policy, d = regD): { code: number; stdout: string; stderr: string; env: TestEnv } {
  const e = pullEnv();
  const r = e.run(['pull', `${reg.host}/${name}`], { env: { SKIFF_SIGNATURE_POLICY: pol, SKIFF_REGISTRIES_D: d } });
  return { ...r, env: e };
}

function refused(name: string, why: RegExp, pol = policy, d = regD): string {
  const r = pull(name, pol, d);
  assert.equal(r.code, 125, `pull ${name} should be refused: ${r.stdout}`);
  assert.match(r.stderr, /^Error: .*refused by signature policy .*requirement sigstoreSigned/);
  assert.match(r.stderr, why);
  assertEmptyStore(r.env);
  return r.stderr;
}

before(async () => {
  if (skip) return;
  a = makeEnv('skiff-sigstore-a-');
  reg = await startRegistry(join(a.dir, 'registry'));
  const tar = makeBusyboxTar(a.dir, join(a.dir, 'busybox.tar'));
  ok(a, ['import', '-c', 'CMD ["/bin/sh"]', tar, 'bb:latest']);
  ok(a, ['import', '-c', 'CMD ["/bin/true"]', tar, 'bb:other']);
  ok(a, ['push', 'bb:latest', `${reg.host}/unsigned/bb:1`]);
  key = makeSigstoreKey(a, 'trusted');
  other = makeSigstoreKey(a, 'other');
  regD = attachmentsConf(a.dir);
  accept = writePolicy(a.dir, 'accept', { default: [{ type: 'insecureAcceptAnything' }] });
  policy = writePolicy(a.dir, 'policy', { default: [{ type: 'reject' }], transports: { docker: { [reg.host]: [sigstoreSigned(key.publicKey)] } } });
});

after(() => {
  if (skip) return;
  reg?.stop();
  for (const e of envs) e.cleanup();
  a?.cleanup();
});

test('key generate writes an encrypted sigstore private key (scrypt, nacl/secretbox) and a PKIX public key, and never overwrites them', { skip }, () => {
  const priv = readFileSync(key.privateKey, 'utf8');
  const m = /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n([\s\S]+)\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n$/.exec(priv);
  assert.ok(m, priv);
  const doc = JSON.parse(Buffer.from(m[1]!.replace(/\n/g, ''), 'base64').toString('utf8'));
  assert.deepEqual(doc.kdf.params, { N: 32768, r: 8, p: 1 });
  assert.equal(doc.kdf.name, 'scrypt');
  assert.equal(doc.cipher.name, 'nacl/secretbox');
  assert.equal(Buffer.from(doc.cipher.nonce, 'base64').length, 24);
  assert.match(readFileSync(key.publicKey, 'utf8'), /^-----BEGIN PUBLIC KEY-----\n/);
  const again = a.run(['key', 'generate', '--output-prefix', key.privateKey.replace(/\.private$/, ''), '--passphrase-file', key.passphraseFile]);
  assert.equal(again.code, 125);
  assert.match(again.stderr, /already exists; not overwriting a key/);
  assert.equal(readFileSync(key.privateKey, 'utf8'), priv);
});

test('libsodium and hashlib (the Python peer) decrypt key generate\'s private key to a PKCS#8 P-256 key whose public half, per openssl, is the .pub file', { skip: skipPeer }, () => {
  const der = join(a.dir, 'decrypted.der');
  const r = spawnSync('/usr/bin/python3', [PEER, 'decrypt', key.privateKey, key.passphraseFile], { encoding: 'buffer' });
  assert.equal(r.status, 0, r.stderr.toString());
  writeFileSync(der, r.stdout);
  const pub = spawnSync('openssl', ['pkey', '-inform', 'DER', '-in', der, '-pubout'], { encoding: 'utf8' });
  assert.equal(pub.status, 0, pub.stderr);
  assert.equal(pub.stdout, readFileSync(key.publicKey, 'utf8'));
  assert.match(spawnSync('openssl', ['pkey', '-inform', 'DER', '-in', der, '-noout', '-text'], { encoding: 'utf8' }).stdout, /NIST CURVE: P-256|prime256v1/);
});

test('an openssl P-256 key encrypted by the Python peer signs skiff push; openssl verifies the attachment and skiff pull accepts under that public key', { skip: skipPeer }, async () => {
  const pem = join(a.dir, 'ossl.pem');
  const der = join(a.dir, 'ossl.der');
  const pub = join(a.dir, 'ossl.pub');
  const priv = join(a.dir, 'ossl.private');
  assert.equal(spawnSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', pem]).status, 0);
  assert.equal(spawnSync('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', pem, '-outform', 'DER', '-out', der]).status, 0);
  assert.equal(spawnSync('openssl', ['pkey', '-in', pem, '-pubout', '-out', pub]).status, 0);
  const enc = spawnSync('/usr/bin/python3', [PEER, 'encrypt', der, key.passphraseFile], { encoding: 'utf8' });
  assert.equal(enc.status, 0, enc.stderr);
  writeFileSync(priv, enc.stdout);
  const { digest } = push('bb:latest', 'ossl/bb:1', { ...key, privateKey: priv, publicKey: pub });
  const m = JSON.parse((await registryManifest(reg.host, 'ossl/bb', sigTag(digest)))!.toString('utf8'));
  const payload = join(a.dir, 'ossl-payload.json');
  const sig = join(a.dir, 'ossl-payload.sig');
  writeFileSync(payload, Buffer.from(await (await fetch(`http://${reg.host}/v2/ossl/bb/blobs/${m.layers[0].digest}`)).arrayBuffer()));
  writeFileSync(sig, Buffer.from(m.layers[0].annotations['dev.cosignproject.cosign/signature'], 'base64'));
  const v = spawnSync('openssl', ['dgst', '-sha256', '-verify', pub, '-signature', sig, payload], { encoding: 'utf8' });
  assert.equal(v.status, 0, v.stderr);
  const r = pull('ossl/bb:1', writePolicy(a.dir, 'ossl', { default: [{ type: 'reject' }], transports: { docker: { [reg.host]: [sigstoreSigned(pub)] } } }));
  assert.equal(r.code, 0, r.stderr);
});

test('push --sign-by-sigstore-private-key attaches sha256-<digest>.sig: an OCI manifest whose layer is the payload, signature in its annotation', { skip }, async () => {
  const { stdout, digest } = push('bb:latest', 'attached/bb:1');
  assert.match(stdout, new RegExp(`Signature stored at ${reg.host}/attached/bb:${sigTag(digest)}`));
  const m = JSON.parse((await registryManifest(reg.host, 'attached/bb', sigTag(digest)))!.toString('utf8'));
  assert.equal(m.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(m.layers.length, 1);
  assert.equal(m.layers[0].mediaType, 'application/vnd.dev.cosign.simplesigning.v1+json');
  assert.match(m.layers[0].annotations['dev.cosignproject.cosign/signature'], /^[A-Za-z0-9+/]+=*$/);
  const blob = await fetch(`http://${reg.host}/v2/attached/bb/blobs/${m.layers[0].digest}`);
  const payload = JSON.parse(await blob.text());
  assert.deepEqual(payload.critical, {
    identity: { 'docker-reference': `${reg.host}/attached/bb:1` },
    image: { 'docker-manifest-digest': digest },
    type: 'cosign container image signature',
  });
});

test('openssl verifies the attached signature over the payload blob with key generate\'s public key', { skip }, async () => {
  const { digest } = push('bb:latest', 'openssl/bb:1');
  const m = JSON.parse((await registryManifest(reg.host, 'openssl/bb', sigTag(digest)))!.toString('utf8'));
  const payload = join(a.dir, 'payload.json');
  const sig = join(a.dir, 'payload.sig');
  writeFileSync(payload, Buffer.from(await (await fetch(`http://${reg.host}/v2/openssl/bb/blobs/${m.layers[0].digest}`)).arrayBuffer()));
  writeFileSync(sig, Buffer.from(m.layers[0].annotations['dev.cosignproject.cosign/signature'], 'base64'));
  const r = spawnSync('openssl', ['dgst', '-sha256', '-verify', key.publicKey, '-signature', sig, payload], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Verified OK/);
});

test('skopeo copies the image skiff signed with its attachment (containers/image reads and rewrites it); skiff pull verifies the copy', { skip }, () => {
  push('bb:latest', 'orig/bb:1');
  skopeoCopy('orig/bb:1', 'viaskopeo/bb:1');
  const p = writePolicy(a.dir, 'viaskopeo', {
    default: [{ type: 'reject' }],
    transports: { docker: { [`${reg.host}/viaskopeo`]: [sigstoreSigned(key.publicKey, { type: 'exactRepository', dockerRepository: `${reg.host}/orig/bb` })] } },
  });
  const r = pull('viaskopeo/bb:1', p);
  assert.equal(r.code, 0, r.stderr);
});

test('push with a sigstore key but no use-sigstore-attachments in registries.d fails before the manifest is pushed', { skip }, () => {
  const r = a.run(['push', '--sign-by-sigstore-private-key', key.privateKey, '--sign-passphrase-file', key.passphraseFile, 'bb:latest', `${reg.host}/noattach/bb:1`], {
    env: { SKIFF_REGISTRIES_D: join(a.dir, 'empty-registries.d') },
  });
  assert.equal(r.code, 125);
  assert.match(r.stderr, /does not set use-sigstore-attachments: true/);
  const s = spawnSync('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/noattach/bb:1`], { encoding: 'utf8' });
  assert.notEqual(s.status, 0, 'no manifest was pushed');
});

test('push with a wrong passphrase for the sigstore key fails before the manifest is pushed', { skip }, () => {
  const r = a.run(['push', '--sign-by-sigstore-private-key', key.privateKey, '--sign-passphrase-file', other.passphraseFile, 'bb:latest', `${reg.host}/badpass/bb:1`], {
    env: { SKIFF_REGISTRIES_D: regD },
  });
  assert.equal(r.code, 125);
  assert.match(r.stderr, /decrypting the private key failed \(wrong passphrase\?\)/);
  const s = spawnSync('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/badpass/bb:1`], { encoding: 'utf8' });
  assert.notEqual(s.status, 0, 'no manifest was pushed');
});

test('skiff pull accepts an image skiff pushed signed with a key key generate made', { skip }, () => {
  push('bb:latest', 'signed/bb:1');
  const r = pull('signed/bb:1');
  assert.equal(r.code, 0, r.stderr);
  assert.match(ok(r.env, ['images']), new RegExp(`${reg.host}/signed/bb +1 `));
});

test('skiff pull accepts by digest what was signed for the tag (matchRepoDigestOrExact)', { skip }, () => {
  const { digest } = push('bb:latest', 'bydigest/bb:1');
  const r = pull(`bydigest/bb@${digest}`);
  assert.equal(r.code, 0, r.stderr);
});

test('skiff pull refuses an unsigned image under sigstoreSigned and stores nothing', { skip }, () => {
  refused('unsigned/bb:1', /a signature was required, but no signature exists \(no sha256-[0-9a-f]{64}\.sig attachment\)/);
});

test('skiff pull refuses an image signed with another key and stores nothing', { skip }, () => {
  push('bb:latest', 'wrongkey/bb:1', other);
  refused('wrongkey/bb:1', /no signature is accepted: signature 1: cryptographic signature verification failed/);
});

test('skiff pull refuses a signature for another identity (copied with its attachment to a new name) and stores nothing', { skip }, () => {
  push('bb:latest', 'ident/bb:1');
  skopeoCopy('ident/bb:1', 'moved/bb:1');
  refused('moved/bb:1', new RegExp(`it is for identity "${reg.host}/ident/bb:1", which matchRepoDigestOrExact does not accept for ${reg.host}/moved/bb:1`));
});

test('skiff pull refuses a manifest replaced under a signed tag, carrying the old signature, and stores nothing', { skip }, async () => {
  const { digest: old } = push('bb:latest', 'swapped/bb:1');
  const r0 = a.run(['push', 'bb:other', `${reg.host}/swapped/bb:1`]);
  assert.equal(r0.code, 0, r0.stderr);
  const now = digestOf('swapped/bb:1');
  await putRegistryManifest(reg.host, 'swapped/bb', sigTag(now), (await registryManifest(reg.host, 'swapped/bb', sigTag(old)))!);
  refused('swapped/bb:1', new RegExp(`it signs manifest ${old}, not the one pulled \\(${now}\\)`));
});

test('skiff pull refuses a tampered signature annotation and stores nothing', { skip }, async () => {
  const { digest } = push('bb:latest', 'badsig/bb:1');
  const m = JSON.parse((await registryManifest(reg.host, 'badsig/bb', sigTag(digest)))!.toString('utf8'));
  const sig = Buffer.from(m.layers[0].annotations['dev.cosignproject.cosign/signature'], 'base64');
  sig[sig.length - 3]! ^= 0xff;
  m.layers[0].annotations['dev.cosignproject.cosign/signature'] = sig.toString('base64');
  await putRegistryManifest(reg.host, 'badsig/bb', sigTag(digest), Buffer.from(JSON.stringify(m)));
  refused('badsig/bb:1', /cryptographic signature verification failed/);
});

test('skiff pull refuses a signed image when registries.d does not enable sigstore attachments, saying so', { skip }, () => {
  push('bb:latest', 'noconf/bb:1');
  refused('noconf/bb:1', /use-sigstore-attachments/, policy, join(a.dir, 'empty-registries.d'));
});

test('skiff pull accepts with the key given as keyData and an exactRepository identity', { skip }, () => {
  push('bb:latest', 'keydata/bb:1');
  const p = writePolicy(a.dir, 'keydata', {
    default: [{ type: 'reject' }],
    transports: {
      docker: {
        [`${reg.host}/keydata`]: [{ type: 'sigstoreSigned', keyData: readFileSync(key.publicKey).toString('base64'), signedIdentity: { type: 'exactRepository', dockerRepository: `${reg.host}/keydata/bb` } }],
      },
    },
  });
  const r = pull('keydata/bb:1', p);
  assert.equal(r.code, 0, r.stderr);
});

test('a second push signing the same manifest keeps one attachment with both signatures', { skip }, async () => {
  const { digest } = push('bb:latest', 'twice/bb:1');
  push('bb:latest', 'twice/bb:1', other);
  const m = JSON.parse((await registryManifest(reg.host, 'twice/bb', sigTag(digest)))!.toString('utf8'));
  assert.equal(m.layers.length, 2);
  const r = pull('twice/bb:1', writePolicy(a.dir, 'other-only', { default: [{ type: 'reject' }], transports: { docker: { [reg.host]: [sigstoreSigned(other.publicKey)] } } }));
  assert.equal(r.code, 0, r.stderr);
});

test('image copy --sign-by-sigstore-private-key attaches a signature to a docker:// destination that pull accepts; a non-registry destination is refused', { skip }, () => {
  const r = a.run(['image', 'copy', '--sign-by-sigstore-private-key', key.privateKey, '--sign-passphrase-file', key.passphraseFile, 'bb:latest', `docker://${reg.host}/copied/bb:1`], {
    env: { SKIFF_REGISTRIES_D: regD },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Signature stored at ${reg.host}/copied/bb:sha256-[0-9a-f]{64}\\.sig`));
  const p = pull('copied/bb:1');
  assert.equal(p.code, 0, p.stderr);
  const bad = a.run(['image', 'copy', '--sign-by-sigstore-private-key', key.privateKey, '--sign-passphrase-file', key.passphraseFile, 'bb:latest', `oci:${join(a.dir, 'never')}:x`]);
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /--sign-by-sigstore-private-key: .* is not a registry; only a docker:\/\/ destination can be signed/);
});

test('key generate and push take the passphrase from $SKIFF_SIGSTORE_PASSPHRASE when no file is given; without either they refuse', { skip }, () => {
  const prefix = join(a.dir, 'envkey');
  const g = a.run(['key', 'generate', '--output-prefix', prefix], { env: { SKIFF_SIGSTORE_PASSPHRASE: 'from env' } });
  assert.equal(g.code, 0, g.stderr);
  const r = a.run(['push', '--sign-by-sigstore-private-key', `${prefix}.private`, 'bb:latest', `${reg.host}/envpass/bb:1`], { env: { SKIFF_REGISTRIES_D: regD, SKIFF_SIGSTORE_PASSPHRASE: 'from env' } });
  assert.equal(r.code, 0, r.stderr);
  const p = pull('envpass/bb:1', writePolicy(a.dir, 'envkey', { default: [{ type: 'reject' }], transports: { docker: { [reg.host]: [sigstoreSigned(`${prefix}.pub`)] } } }));
  assert.equal(p.code, 0, p.stderr);
  const none = a.run(['key', 'generate', '--output-prefix', join(a.dir, 'nokey')]);
  assert.equal(none.code, 125);
  assert.match(none.stderr, /give --passphrase-file or set SKIFF_SIGSTORE_PASSPHRASE/);
  const nopush = a.run(['push', '--sign-by-sigstore-private-key', `${prefix}.private`, 'bb:latest', `${reg.host}/nopass/bb:1`], { env: { SKIFF_REGISTRIES_D: regD } });
  assert.equal(nopush.code, 125);
  assert.match(nopush.stderr, /needs --sign-passphrase-file or \$SKIFF_SIGSTORE_PASSPHRASE/);
});
