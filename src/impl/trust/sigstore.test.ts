import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePolicy } from './policy.js';
import { makeSigstorePayload, parseSigstorePayload, signPayload, verifySigstoreSignature } from './sigstore.js';
import { attachmentTag, useSigstoreAttachments } from './sigstore-attachments.js';
import { decryptKey, encryptKey, generateSigstoreKeyPair, parseSigstorePublicKey, readSigstorePrivateKey } from './sigstore-key.js';
import { parseNamed } from './identity.js';
import { parseRegistriesD } from './registries-d.js';

const D = `sha256:${'a'.repeat(64)}`;

test('encrypted key: decrypts with its passphrase only', async () => {
  const doc = await encryptKey(Buffer.from('secret bytes'), Buffer.from('pw'));
  assert.equal((await decryptKey(doc, Buffer.from('pw'), 'k')).toString(), 'secret bytes');
  await assert.rejects(decryptKey(doc, Buffer.from('other'), 'k'), /wrong passphrase/);
});

test('a generated pair signs and verifies; another key, an altered payload or a missing annotation do not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-sigstore-unit-'));
  try {
    const pair = await generateSigstoreKeyPair(Buffer.from('pw'));
    const otherPair = await generateSigstoreKeyPair(Buffer.from('pw'));
    writeFileSync(join(dir, 'k.private'), pair.privateKey);
    const key = await readSigstorePrivateKey(join(dir, 'k.private'), Buffer.from('pw'));
    const pub = parseSigstorePublicKey(pair.publicKey, 'k.pub');
    assert.equal(createPublicKey(key).export({ type: 'spki', format: 'pem' }), pair.publicKey);
    const sig = await signPayload(makeSigstorePayload(D, 'reg.io/a/b:1', 'skiff'), key);
    assert.equal((await verifySigstoreSignature(sig, [pub])).dockerReference, 'reg.io/a/b:1');
    await assert.rejects(verifySigstoreSignature(sig, [parseSigstorePublicKey(otherPair.publicKey, 'o.pub')]), /verification failed/);
    await assert.rejects(verifySigstoreSignature({ ...sig, payload: Buffer.from(sig.payload.toString().replace('a/b', 'a/c')) }, [pub]), /verification failed/);
    await assert.rejects(verifySigstoreSignature({ ...sig, annotations: {} }, [pub]), /missing dev.cosignproject.cosign\/signature annotation/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sigstore payload: strict critical, optional may be null (cosign) or carry anything', () => {
  const crit = { identity: { 'docker-reference': 'r/x:1' }, image: { 'docker-manifest-digest': D }, type: 'cosign container image signature' };
  assert.equal(parseSigstorePayload(Buffer.from(JSON.stringify({ critical: crit, optional: null }))).manifestDigest, D);
  assert.equal(parseSigstorePayload(Buffer.from(JSON.stringify({ critical: crit, optional: { foo: 1, creator: 'c' } }))).creator, 'c');
  assert.throws(() => parseSigstorePayload(Buffer.from(JSON.stringify({ critical: crit }))), /expected critical, optional/);
  assert.throws(() => parseSigstorePayload(Buffer.from(JSON.stringify({ critical: { ...crit, extra: 1 }, optional: null }))), /critical has fields/);
  assert.throws(() => parseSigstorePayload(Buffer.from(JSON.stringify({ critical: { ...crit, type: 'atomic container signature' }, optional: null }))), /not "cosign container image signature"/);
  assert.throws(() => parseSigstorePayload(Buffer.from(JSON.stringify({ critical: crit, optional: { timestamp: 1.5 } }))), /timestamp is not an integer/);
});

test('policy: sigstoreSigned takes one of keyPath/keyData, refuses Fulcio and Rekor', () => {
  const p = parsePolicy(JSON.stringify({ default: [{ type: 'sigstoreSigned', keyPath: '/k.pub', signedIdentity: { type: 'matchRepository' } }] }));
  assert.deepEqual(p.default[0], { type: 'sigstoreSigned', keyPath: '/k.pub', signedIdentity: { type: 'matchRepository' } });
  assert.throws(() => parsePolicy(JSON.stringify({ default: [{ type: 'sigstoreSigned' }] })), /exactly one of keyPath and keyData/);
  assert.throws(() => parsePolicy(JSON.stringify({ default: [{ type: 'sigstoreSigned', keyPath: '/a', keyData: 'x' }] })), /exactly one of keyPath and keyData/);
  assert.throws(() => parsePolicy(JSON.stringify({ default: [{ type: 'sigstoreSigned', keyPath: '/a', rekorPublicKeyPath: '/r' }] })), /rekorPublicKeyPath is not supported/);
});

test('attachments: sha256-<hex>.sig, use-sigstore-attachments from the most specific scope, else default-docker', () => {
  assert.equal(attachmentTag(D), `sha256-${'a'.repeat(64)}.sig`);
  const conf = parseRegistriesD('default-docker:\n  use-sigstore-attachments: true\ndocker:\n  reg.io/team:\n    use-sigstore-attachments: false\n', 'x.yaml');
  assert.equal(useSigstoreAttachments(conf, parseNamed('reg.io/team/app:1')), false);
  assert.equal(useSigstoreAttachments(conf, parseNamed('reg.io/other/app:1')), true);
  assert.equal(useSigstoreAttachments(parseRegistriesD('', 'e.yaml'), parseNamed('reg.io/other/app:1')), false);
});
