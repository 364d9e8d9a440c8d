// `image copy` between docker://, oci:, oci-archive:, docker-archive: and the local store, against
// a real docker-registry on loopback, with skopeo (and podman) as peers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { makeEnv, type TestEnv } from '../../helpers/env.js';
import { writeLayerTar, writeOciArchive } from '../../helpers/oci-archive.js';
import { ok, registryRoots, skopeo, startRegistry, type Registry, type RegistryRoots } from './fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

const noSkopeo = unmet(tool('skopeo'));

let a: TestEnv;
/** A root that only copies between outside places: it must stay empty. */
let c: TestEnv;
let reg: Registry;
let roots: RegistryRoots;
let pushed = '';

function fails(env: TestEnv, args: string[]): string {
  const r = env.run(args);
  assert.equal(r.code, 125, `skiff ${args.join(' ')} should fail: ${r.stdout}`);
  assert.match(r.stderr, /^Error: /);
  return r.stderr;
}

const digestOut = (out: string) => /Digest: (sha256:[a-f0-9]{64})\n$/.exec(out)?.[1];
const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');
const blobs = (env: TestEnv) => {
  const dir = join(env.root, 'content/blobs/sha256');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
};
const siblings = (dir: string, name: string) => readdirSync(dir).filter((f) => f.startsWith(name) || f.startsWith(`.${name}`));

/** base (busybox) + a small app layer, as an oci-archive; also pushed as test/app:1 */
let appArchive = '';

before(async () => {
  roots = await registryRoots('skiff-copy-', 'c', ['-c', 'CMD ["/bin/sh"]']);
  ({ a, b: c, reg } = roots);
  const tar = roots.busybox;
  ok(a, ['push', '--digestfile', join(a.dir, 'pushed'), 'bb:latest', `${reg.host}/test/bb:1`]);
  pushed = readFileSync(join(a.dir, 'pushed'), 'utf8');
  const app = await writeLayerTar(join(a.dir, 'app.tar'), { 'app/hello.txt': 'hello\n' });
  appArchive = join(a.dir, 'app-oci.tar');
  await writeOciArchive(appArchive, [{ name: 'app:1', layers: [tar, app], cmd: ['/bin/cat', '/app/hello.txt'] }]);
  ok(a, ['load', '-i', appArchive]);
  ok(a, ['push', 'app:1', `${reg.host}/test/app:1`]);
});
after(() => roots.stop());

test('registry → oci dir → registry keeps the manifest digest, and nothing is unpacked', { skip: noSkopeo }, () => {
  const dir = join(c.dir, 'layout');
  const out = ok(c, ['image', 'copy', `docker://${reg.host}/test/bb:1`, `oci:${dir}:v1`, '--digestfile', join(c.dir, 'd1')]);
  assert.equal(digestOut(out), pushed);
  assert.equal(readFileSync(join(c.dir, 'd1'), 'utf8'), pushed);
  assert.match(out, /: Copied\n/);
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  assert.deepEqual(
    index.manifests.map((m: { digest: string; annotations: Record<string, string> }) => [m.digest, m.annotations['org.opencontainers.image.ref.name']]),
    [[pushed, 'v1']],
  );
  // Blobs went across as the registry holds them: the gzip'd layer, not an unpacked tar.
  const manifest = JSON.parse(readFileSync(join(dir, 'blobs/sha256', pushed.slice(7)), 'utf8'));
  assert.match(manifest.layers[0].mediaType, /gzip$/);
  for (const d of [manifest.config.digest, ...manifest.layers.map((l: { digest: string }) => l.digest)]) {
    assert.equal(sha(readFileSync(join(dir, 'blobs/sha256', d.slice(7)))), d);
  }
  assert.equal(JSON.parse(skopeo(['inspect', `oci:${dir}:v1`])).Digest, pushed);

  const back = ok(c, ['image', 'copy', `oci:${dir}:v1`, `docker://${reg.host}/copied/bb:2`]);
  assert.equal(digestOut(back), pushed);
  assert.equal(JSON.parse(skopeo(['inspect', '--tls-verify=false', `docker://${reg.host}/copied/bb:2`])).Digest, pushed);
  // A second copy finds every blob there already.
  assert.match(ok(c, ['image', 'copy', `oci:${dir}:v1`, `docker://${reg.host}/copied/bb:2`]), /Already exists/);
  assert.equal(ok(c, ['images', '-q']), '');
  assert.deepEqual(blobs(c), []);
});

test('registry → registry mounts the blobs across repositories', () => {
  const out = ok(c, ['image', 'copy', `docker://${reg.host}/test/bb:1`, `docker://${reg.host}/mounted/bb:1`]);
  assert.match(out, /Mounted from another repository/);
  assert.equal(digestOut(out), pushed);
});

test('oci-archive both ways', { skip: noSkopeo }, () => {
  const file = join(c.dir, 'bb-oci.tar');
  assert.equal(digestOut(ok(c, ['image', 'copy', `docker://${reg.host}/test/bb:1`, `oci-archive:${file}:v1`])), pushed);
  assert.equal(JSON.parse(skopeo(['inspect', `oci-archive:${file}:v1`])).Digest, pushed);
  assert.deepEqual(siblings(c.dir, 'bb-oci.tar'), ['bb-oci.tar']);
  assert.equal(digestOut(ok(c, ['image', 'copy', `oci-archive:${file}:v1`, `docker://${reg.host}/from-oci-archive/bb:1`])), pushed);
  assert.equal(JSON.parse(skopeo(['inspect', '--tls-verify=false', `docker://${reg.host}/from-oci-archive/bb:1`])).Digest, pushed);
});

test('docker-archive both ways; the pushed copy pulls and runs', { skip: noSkopeo }, () => {
  const file = join(c.dir, 'bb-docker.tar');
  ok(c, ['image', 'copy', `docker://${reg.host}/test/bb:1`, `docker-archive:${file}:example/bb:1`]);
  const inspected = JSON.parse(skopeo(['inspect', `docker-archive:${file}`]));
  assert.equal(inspected.Layers.length, 1);
  // docker-archive holds plain tars: the layer is the diff ID itself.
  const manifest = JSON.parse(spawnSync('tar', ['-xOf', file, 'manifest.json'], { encoding: 'utf8' }).stdout);
  assert.deepEqual(manifest[0].RepoTags, ['docker.io/example/bb:1']);

  // Into an OCI layout: the Docker types become OCI ones, and the layer stays a plain tar.
  const layout = join(c.dir, 'from-docker-layout');
  ok(c, ['image', 'copy', `docker-archive:${file}`, `oci:${layout}`]);
  const entry = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')).manifests[0];
  const ociManifest = JSON.parse(readFileSync(join(layout, 'blobs/sha256', entry.digest.slice(7)), 'utf8'));
  assert.equal(ociManifest.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(ociManifest.config.mediaType, 'application/vnd.oci.image.config.v1+json');
  assert.equal(ociManifest.layers[0].mediaType, 'application/vnd.oci.image.layer.v1.tar');
  assert.equal(JSON.parse(skopeo(['inspect', `oci:${layout}`])).Digest, entry.digest);

  const out = ok(c, ['image', 'copy', `docker-archive:${file}`, `docker://${reg.host}/from-docker-archive/bb:1`]);
  const d = digestOut(out)!;
  assert.equal(JSON.parse(skopeo(['inspect', '--tls-verify=false', `docker://${reg.host}/from-docker-archive/bb:1`])).Digest, d);
  // Compressed again for the registry, in a Docker schema2 manifest as the archive implies.
  const m = JSON.parse(ok(c, ['manifest', 'inspect', `${reg.host}/from-docker-archive/bb:1`]));
  assert.equal(m.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
  assert.equal(m.layers[0].mediaType, 'application/vnd.docker.image.rootfs.diff.tar.gzip');
  const b = makeEnv('skiff-copy-b-');
  try {
    ok(b, ['pull', '-q', `${reg.host}/from-docker-archive/bb:1`]);
    assert.equal(ok(b, ['run', '--rm', `${reg.host}/from-docker-archive/bb:1`, 'echo', 'ok']).trim(), 'ok');
  } finally {
    b.cleanup();
  }
});

test('local store → registry gives the digest push gives; registry → local store records the RepoDigest', () => {
  assert.equal(digestOut(ok(a, ['image', 'copy', 'bb:latest', `docker://${reg.host}/from-local/bb:1`])), pushed);
  const b = makeEnv('skiff-copy-b2-');
  try {
    const out = ok(b, ['image', 'copy', `docker://${reg.host}/test/bb:1`, 'containers-storage:mine/bb:1']);
    assert.equal(digestOut(out), pushed);
    const img = JSON.parse(ok(b, ['image', 'inspect', 'mine/bb:1']))[0];
    assert.deepEqual(img.RepoTags, ['mine/bb:1']);
    assert.deepEqual(img.RepoDigests, [`${reg.host}/test/bb@${pushed}`]);
    assert.equal(img.Id, JSON.parse(ok(a, ['image', 'inspect', 'bb']))[0].Id);
  } finally {
    b.cleanup();
  }
});

test('an oci dir made by skopeo is copied into the local store and runs', { skip: noSkopeo }, () => {
  const dir = join(c.dir, 'skopeo-layout');
  skopeo(['copy', '--dest-compress', `oci-archive:${appArchive}:app:1`, `oci:${dir}:app`]);
  const b = makeEnv('skiff-copy-b3-');
  try {
    ok(b, ['image', 'copy', `oci:${dir}:app`, 'containers-storage:skopeo/app:1']);
    assert.equal(ok(b, ['run', '--rm', 'skopeo/app:1']), 'hello\n');
    const tree = ok(b, ['image', 'tree', 'skopeo/app:1']);
    assert.equal(tree.split('\n').filter((l) => /^[├└]── ID: /.test(l)).length, 2);
  } finally {
    b.cleanup();
  }
});

test('a corrupted blob in an oci dir is refused, and nothing is left at any destination', async () => {
  const otherTar = await writeLayerTar(join(c.dir, 'other.tar'), { 'other.txt': 'other\n' });
  const good = join(c.dir, 'good-layout');
  ok(c, ['image', 'copy', `docker://${reg.host}/test/app:1`, `oci:${good}:v1`]);
  const bad = join(c.dir, 'bad-layout');
  cpSync(good, bad, { recursive: true });
  const index = JSON.parse(readFileSync(join(bad, 'index.json'), 'utf8'));
  const manifest = JSON.parse(readFileSync(join(bad, 'blobs/sha256', index.manifests[0].digest.slice(7)), 'utf8'));
  // The small app layer on top goes bad; the busybox layer below it is sound and gets written first.
  const layer = join(bad, 'blobs/sha256', manifest.layers[1].digest.slice(7));
  const bytes = readFileSync(layer);
  bytes[bytes.length >> 1]! ^= 0xff;
  writeFileSync(layer, bytes);

  assert.match(fails(c, ['image', 'copy', `oci:${bad}:v1`, `oci:${join(c.dir, 'out')}`]), /refused: its content hashes to/);
  assert.deepEqual(siblings(c.dir, 'out'), []);
  fails(c, ['image', 'copy', `oci:${bad}:v1`, `oci-archive:${join(c.dir, 'out.tar')}`]);
  assert.deepEqual(siblings(c.dir, 'out.tar'), []);
  fails(c, ['image', 'copy', `oci:${bad}:v1`, `docker-archive:${join(c.dir, 'out-docker.tar')}`]);
  assert.deepEqual(siblings(c.dir, 'out-docker.tar'), []);
  fails(c, ['image', 'copy', `oci:${bad}:v1`, `docker://${reg.host}/bad/app:1`]);
  assert.match(fails(c, ['manifest', 'inspect', `${reg.host}/bad/app:1`]), /not found/);

  // Into an existing layout holding another image: its index and blob set stay as they were,
  // though the sound busybox layer was written before the bad one failed.
  const target = join(c.dir, 'existing');
  ok(a, ['import', otherTar, 'other:1']);
  ok(a, ['image', 'copy', 'other:1', `oci:${target}:old`]);
  const indexBefore = readFileSync(join(target, 'index.json'), 'utf8');
  const blobsBefore = readdirSync(join(target, 'blobs/sha256')).sort();
  fails(c, ['image', 'copy', `oci:${bad}:v1`, `oci:${target}:new`]);
  assert.equal(readFileSync(join(target, 'index.json'), 'utf8'), indexBefore);
  assert.deepEqual(readdirSync(join(target, 'blobs/sha256')).sort(), blobsBefore);

  // Into the local store: no image, no blob, no layer.
  fails(c, ['image', 'copy', `oci:${bad}:v1`, 'containers-storage:bad:1']);
  assert.equal(ok(c, ['images', '-q']), '');
  assert.deepEqual(blobs(c), []);
  assert.equal(readdirSync(join(c.root, 'tmp')).length, 0);
});

test('--src-creds and --dest-creds reach a registry behind Basic auth; wrong ones exit 125', { skip: unmet(tool('htpasswd')) }, async () => {
  const priv = await startRegistry(join(c.dir, 'private-registry'), { htpasswd: { user: 'alice', password: 's3cret' } });
  // No credentials file of the machine's may help.
  const env = { REGISTRY_AUTH_FILE: join(c.dir, 'no-auth.json'), DOCKER_CONFIG: join(c.dir, 'no-docker') };
  const run = (args: string[]) => c.run(['image', 'copy', ...args], { env });
  try {
    const up = run(['--dest-creds', 'alice:s3cret', `docker://${reg.host}/test/bb:1`, `docker://${priv.host}/p/bb:1`]);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(digestOut(up.stdout), pushed);
    assert.doesNotMatch(up.stdout + up.stderr, /s3cret/);
    const wrong = run(['--dest-creds', 'alice:nope', `docker://${reg.host}/test/bb:1`, `docker://${priv.host}/p/bb:2`]);
    assert.equal(wrong.code, 125);
    assert.match(wrong.stderr, new RegExp(`${priv.host}/p/bb.*unauthorized`));
    const down = run(['--src-creds', 'alice:s3cret', `docker://${priv.host}/p/bb:1`, `oci:${join(c.dir, 'from-private')}`]);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(digestOut(down.stdout), pushed);
    const anonymous = run([`docker://${priv.host}/p/bb:1`, `oci:${join(c.dir, 'from-private-2')}`]);
    assert.equal(anonymous.code, 125);
    assert.equal(existsSync(join(c.dir, 'from-private-2')), false);
    assert.match(run(['--src-creds', 'alice', `docker://${priv.host}/p/bb:1`, 'oci:/tmp/x']).stderr, /USERNAME:PASSWORD/);
  } finally {
    priv.stop();
  }
});

test('bad locations and missing images give clear errors', () => {
  assert.match(fails(c, ['image', 'copy', 'docker:busybox', 'oci:/tmp/x']), /docker:\/\/HOST/);
  assert.match(fails(c, ['image', 'copy', `oci:${join(c.dir, 'nowhere')}`, 'oci:/tmp/x']), /not an OCI image layout/);
  assert.match(fails(c, ['image', 'copy', `docker://${reg.host}/test/none:1`, `oci:${join(c.dir, 'none')}`]), /test\/none:1: not found/);
  assert.equal(existsSync(join(c.dir, 'none')), false);
  assert.match(fails(c, ['image', 'copy', 'nosuchimage', `oci:${join(c.dir, 'none')}`]), /No such image/);
});
