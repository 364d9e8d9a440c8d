import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { dockerScopes, parsePolicy, requirementsFor } from './policy.js';
import { identityMatches, parseNamed } from './identity.js';
import { lookasideBase, parseRegistriesD, signatureUrl } from './registries-d.js';
import { parsePayload, manifestMatches, makePayload } from './simple-signing.js';

const req = (type: string) => [{ type }];

test('scopes: full reference, repository, each namespace up to the host, then host wildcards', () => {
  assert.deepEqual(dockerScopes(parseNamed('reg.example.com:5000/team/app/web:1')), [
    'reg.example.com:5000/team/app/web:1',
    'reg.example.com:5000/team/app/web',
    'reg.example.com:5000/team/app',
    'reg.example.com:5000/team',
    'reg.example.com:5000',
    '*.example.com',
    '*.com',
  ]);
  assert.equal(dockerScopes(parseNamed('busybox@sha256:' + 'a'.repeat(64)))[0], `docker.io/library/busybox@sha256:${'a'.repeat(64)}`);
});

test('the most specific scope wins; the transport\'s "" scope before default', () => {
  const p = parsePolicy(
    JSON.stringify({
      default: req('reject'),
      transports: { docker: { '': req('insecureAcceptAnything'), 'reg.io': req('reject'), 'reg.io/team/app:1': req('insecureAcceptAnything'), '*.io': req('reject') } },
    }),
  );
  const at = (s: string) => requirementsFor(p, parseNamed(s));
  assert.equal(at('reg.io/team/app:1').scope, 'transports.docker["reg.io/team/app:1"]');
  assert.equal(at('reg.io/team/app:2').scope, 'transports.docker["reg.io"]');
  assert.equal(at('other.io/x:1').scope, 'transports.docker["*.io"]');
  assert.equal(at('example.com/x:1').scope, 'transports.docker[""]');
});

test('policy errors name the field: missing keys, two key sources, unknown types, empty lists', () => {
  const bad = (doc: unknown, re: RegExp) => assert.throws(() => parsePolicy(JSON.stringify(doc), 'p.json'), re);
  bad({ default: [] }, /default: must be a non-empty list/);
  bad({ default: [{ type: 'signedBy', keyType: 'GPGKeys' }] }, /exactly one of keyPath, keyPaths and keyData/);
  bad({ default: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: '/k', keyData: 'x' }] }, /exactly one of/);
  bad({ default: [{ type: 'signedBy', keyType: 'X509Certificates', keyPath: '/k' }] }, /keyType "X509Certificates" is not supported/);
  bad({ default: [{ type: 'trustMe' }] }, /unknown requirement type "trustMe"/);
  bad({ default: req('reject'), transports: { docker: { x: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: '/k', signedIdentity: { type: 'exactReference' } }] } } }, /exactReference needs "dockerReference"/);
});

test('signedIdentity: containers/image\'s matching rules', () => {
  const m = (id: object, intended: string, signed: string) => identityMatches(id as never, parseNamed(intended), signed);
  const d = `sha256:${'b'.repeat(64)}`;
  const rde = { type: 'matchRepoDigestOrExact' };
  assert.equal(m(rde, 'reg.io/a:1', 'reg.io/a:1'), true);
  assert.equal(m(rde, 'reg.io/a:1', 'reg.io/a:2'), false);
  assert.equal(m(rde, `reg.io/a@${d}`, 'reg.io/a:2'), true);
  assert.equal(m(rde, `reg.io/a@${d}`, 'reg.io/b:2'), false);
  assert.equal(m(rde, 'busybox:latest', 'docker.io/library/busybox:latest'), true);
  assert.equal(m({ type: 'matchExact' }, `reg.io/a@${d}`, 'reg.io/a:1'), false);
  assert.equal(m({ type: 'matchExact' }, 'reg.io/a:1', 'reg.io/a'), false);
  assert.equal(m({ type: 'matchRepository' }, 'reg.io/a:1', 'reg.io/a:9'), true);
  assert.equal(m({ type: 'exactReference', dockerReference: 'reg.io/x:1' }, 'reg.io/a:1', 'reg.io/x:1'), true);
  assert.equal(m({ type: 'exactRepository', dockerRepository: 'reg.io/x' }, 'reg.io/a:1', 'reg.io/x:7'), true);
  const remap = { type: 'remapIdentity', prefix: 'mirror.io/ns', signedPrefix: 'reg.io/team' };
  assert.equal(m(remap, 'mirror.io/ns/a:1', 'reg.io/team/a:1'), true);
  assert.equal(m(remap, 'mirror.io/nsx/a:1', 'reg.io/team/a:1'), false, 'whole path components only');
  assert.equal(m(remap, 'other.io/a:1', 'other.io/a:1'), true, 'outside the prefix: matchRepoDigestOrExact');
  assert.equal(m(rde, 'reg.io/a:1', 'not a reference'), false);
});

test('registries.d: the most specific docker scope with a lookaside, staging for writes, legacy sigstore keys', () => {
  const conf = parseRegistriesD(
    'default-docker:\n  lookaside: https://sigs.example/\ndocker:\n  reg.io/team:\n    sigstore: file:///srv/team\n    sigstore-staging: file:///stage/team\n  reg.io:\n    use-sigstore-attachments: true\n',
    'x.yaml',
  );
  assert.equal(lookasideBase(conf, parseNamed('reg.io/team/app:1'), false), 'file:///srv/team/team/app');
  assert.equal(lookasideBase(conf, parseNamed('reg.io/team/app:1'), true), 'file:///stage/team/team/app');
  assert.equal(lookasideBase(conf, parseNamed('reg.io/other:1'), false), 'https://sigs.example/other');
  assert.equal(signatureUrl('file:///s/a', `sha256:${'c'.repeat(64)}`, 2), `file:///s/a@sha256=${'c'.repeat(64)}/signature-2`);
  assert.throws(() => parseRegistriesD('docker:\n  x:\n    lookaside: ftp://a\n', 'y.yaml'), /only file:\/\/, http:\/\/ and https:\/\//);
});

test('payload: what skiff writes it reads back; unknown critical fields and other types are refused', () => {
  const manifest = Buffer.from('{"schemaVersion":2}');
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  const p = parsePayload(makePayload(digest, 'reg.io/a:1', 'skiff'));
  assert.equal(p.manifestDigest, digest);
  assert.equal(p.dockerReference, 'reg.io/a:1');
  assert.equal(manifestMatches(manifest, digest), true);
  assert.equal(manifestMatches(Buffer.from('{}'), digest), false);
  const doc = (critical: object) => Buffer.from(JSON.stringify({ critical, optional: {} }));
  const ok = { type: 'atomic container signature', image: { 'docker-manifest-digest': digest }, identity: { 'docker-reference': 'r/a:1' } };
  assert.throws(() => parsePayload(doc({ ...ok, extra: 1 })), /critical has fields/);
  assert.throws(() => parsePayload(doc({ ...ok, type: 'something else' })), /critical.type is "something else"/);
});
