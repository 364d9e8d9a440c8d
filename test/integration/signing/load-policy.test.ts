// The signature policy on `load` and on `image copy` from archives and layouts, where
// containers/image applies it: a docker-archive has only its transport's "" scope, an oci-archive
// or oci layout its path scopes; archives carry no signatures, so only insecureAcceptAnything
// lets one through. A refused load stores nothing. podman load under the same policy is the peer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeEnv, type TestEnv } from '../../helpers/env.js';
import { podmanPeer } from '../../helpers/podman.js';
import { tool, unmet } from '../../helpers/requires.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';
import { ok } from '../registry/fixtures.js';
import { assertEmptyStore, writePolicy } from './fixtures.js';

let a: TestEnv;
let dockerArchive = '';
let ociArchive = '';
let rejectDockerArchive = '';
let rejectAll = '';
const envs: TestEnv[] = [];

function fresh(): TestEnv {
  const e = makeEnv('skiff-load-policy-');
  envs.push(e);
  return e;
}

before(() => {
  a = makeEnv('skiff-load-policy-a-');
  const tar = makeBusyboxTar(a.dir, join(a.dir, 'busybox.tar'));
  ok(a, ['import', '-c', 'CMD ["/bin/sh"]', tar, 'bb:latest']);
  dockerArchive = join(a.dir, 'bb-docker.tar');
  ociArchive = join(a.dir, 'bb-oci.tar');
  ok(a, ['save', '-o', dockerArchive, 'bb:latest']);
  ok(a, ['save', '--format', 'oci-archive', '-o', ociArchive, 'bb:latest']);
  rejectDockerArchive = writePolicy(a.dir, 'reject-docker-archive', {
    default: [{ type: 'insecureAcceptAnything' }],
    transports: { 'docker-archive': { '': [{ type: 'reject' }] } },
  });
  rejectAll = writePolicy(a.dir, 'reject-all', { default: [{ type: 'reject' }] });
});

after(() => {
  for (const e of envs) e.cleanup();
  a?.cleanup();
});

test('load of a docker-archive is refused under a docker-archive reject scope, naming it, and stores nothing', () => {
  const e = fresh();
  const r = e.run(['load', '-i', dockerArchive], { env: { SKIFF_SIGNATURE_POLICY: rejectDockerArchive } });
  assert.equal(r.code, 125, r.stdout);
  assert.match(r.stderr, /^Error: docker-archive:.*bb-docker\.tar refused by signature policy .*reject-docker-archive\.json transports\.docker-archive\[""\]: requirement reject: the policy rejects every image here/);
  assertEmptyStore(e);
});

test('load of an oci-archive is accepted under the same policy (its transport is not rejected)', () => {
  const e = fresh();
  const r = e.run(['load', '-i', ociArchive], { env: { SKIFF_SIGNATURE_POLICY: rejectDockerArchive } });
  assert.equal(r.code, 0, r.stderr);
});

test('load from standard input under a reject default is refused before the archive is read, and stores nothing', () => {
  const e = fresh();
  const r = e.run(['load', '--signature-policy', rejectAll], { input: Buffer.from('not an archive at all') });
  assert.equal(r.code, 125, r.stdout);
  assert.match(r.stderr, /^Error: docker-archive:the archive on standard input refused by signature policy .* default: requirement reject/);
  assertEmptyStore(e);
});

test('load under a signedBy default is refused: an archive carries no signature', () => {
  const e = fresh();
  const p = writePolicy(a.dir, 'signed-default', { default: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: '/nonexistent.gpg' }] });
  const r = e.run(['load', '-i', dockerArchive, '--signature-policy', p]);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /a signature was required, but no signature exists \(a docker-archive source carries none\)/);
  assertEmptyStore(e);
});

test('image copy from a docker-archive and from an oci-archive in a rejected directory is refused; elsewhere accepted', () => {
  const e = fresh();
  const r = e.run(['image', 'copy', '--signature-policy', rejectDockerArchive, `docker-archive:${dockerArchive}`, 'containers-storage:bb:copied']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /refused by signature policy .*transports\.docker-archive\[""\]/);
  const byDir = writePolicy(a.dir, 'reject-dir', {
    default: [{ type: 'insecureAcceptAnything' }],
    transports: { 'oci-archive': { [a.dir]: [{ type: 'reject' }] } },
  });
  const o = e.run(['image', 'copy', '--signature-policy', byDir, `oci-archive:${ociArchive}`, 'containers-storage:bb:copied']);
  assert.equal(o.code, 125);
  assert.match(o.stderr, new RegExp(`transports\\.oci-archive\\["${a.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\]: requirement reject`));
  assertEmptyStore(e);
  const d = e.run(['image', 'copy', '--signature-policy', byDir, `docker-archive:${dockerArchive}`, 'containers-storage:bb:copied']);
  assert.equal(d.code, 0, d.stderr);
});

test('podman load refuses and accepts the same two archives under the same docker-archive reject policy', { skip: unmet(tool('podman')) }, () => {
  const p = podmanPeer(join(a.dir, 'podman'));
  const load = (file: string) => spawnSync('podman', [...p.args, 'load', '--signature-policy', rejectDockerArchive, '-i', file], { encoding: 'utf8', env: p.env });
  const refusedByPodman = load(dockerArchive);
  assert.notEqual(refusedByPodman.status, 0, 'podman refuses the docker-archive');
  assert.match(refusedByPodman.stderr, /rejected/i);
  const acceptedByPodman = load(ociArchive);
  assert.equal(acceptedByPodman.status, 0, acceptedByPodman.stderr);
});
