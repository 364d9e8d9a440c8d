// Push to and pull from a real docker-registry on loopback; interop with skopeo and podman.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { makeEnv, type TestEnv } from '../../helpers/env.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';
import { writeLayerTar, writeOciArchive } from '../../helpers/oci-archive.js';
import { ok, registryRoots, type Registry, type RegistryRoots } from './fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

let a: TestEnv;
let b: TestEnv;
let reg: Registry;
let roots: RegistryRoots;

before(async () => {
  roots = await registryRoots('skiff-reg-', 'b', ['-c', 'CMD ["/bin/sh"]']);
  ({ a, b, reg } = roots);
});
after(() => roots.stop());

let pushed = '';

test('a locally imported image is pushed, pulled back by digest into a fresh root, and runs', () => {
  const digestFile = join(a.dir, 'digest');
  const out = ok(a, ['push', 'bb:latest', `docker://${reg.host}/test/busybox:1`, '--digestfile', digestFile]);
  pushed = readFileSync(digestFile, 'utf8');
  assert.match(pushed, /^sha256:[a-f0-9]{64}$/);
  assert.match(out, new RegExp(`digest: ${pushed}`));
  // The uncompressed layer went out gzip'd, and the compressed blob is remembered.
  assert.equal(readdirSync(join(a.root, 'push-cache')).length, 1);

  const pulled = ok(b, ['pull', '-q', `${reg.host}/test/busybox@${pushed}`]);
  assert.equal(pulled.trim(), `${reg.host}/test/busybox@${pushed}`);
  const inspect = JSON.parse(ok(b, ['image', 'inspect', `${reg.host}/test/busybox@${pushed}`]))[0];
  assert.deepEqual(inspect.RepoDigests, [`${reg.host}/test/busybox@${pushed}`]);
  assert.equal(inspect.Id, JSON.parse(ok(a, ['image', 'inspect', 'bb']))[0].Id);
  assert.equal(ok(b, ['run', '--rm', `${reg.host}/test/busybox@${pushed}`, 'echo', 'ok']).trim(), 'ok');
});

test('a second push skips every blob and does not recompress', () => {
  const cache = join(a.root, 'push-cache');
  const entry = readdirSync(cache)[0]!;
  const before = readFileSync(join(cache, entry), 'utf8');
  const out = ok(a, ['push', '--digestfile', join(a.dir, 'd2'), 'bb:latest', `${reg.host}/test/busybox:1`]);
  assert.equal(readFileSync(join(a.dir, 'd2'), 'utf8'), pushed);
  assert.match(out, /Already exists/);
  assert.doesNotMatch(out, /Pushing|Pushed/);
  assert.equal(readFileSync(join(cache, entry), 'utf8'), before);
});

test('docker one-argument push form: the image is tagged with the registry name', () => {
  ok(a, ['tag', 'bb', `${reg.host}/other/bb:x`]);
  ok(a, ['push', `${reg.host}/other/bb:x`]);
  const r = ok(b, ['pull', `${reg.host}/other/bb:x`]);
  assert.match(r, /Status: Image is up to date/);
});

test('pull by tag records the name; plain progress lines when not a terminal', () => {
  const r = ok(b, ['pull', `${reg.host}/test/busybox:1`]);
  assert.match(r, /Digest: sha256:/);
  assert.match(r, new RegExp(`${reg.host}/test/busybox:1\\n$`));
  assert.ok(ok(b, ['images', '--format', '{{.Repository}}:{{.Tag}}']).includes(`${reg.host}/test/busybox:1`));
});

test('errors name the registry and repository and exit 125', () => {
  const r = b.run(['pull', `${reg.host}/test/nothing:here`]);
  assert.equal(r.code, 125);
  assert.match(r.stderr, new RegExp(`${reg.host}/test/nothing:here: not found`));
  const c = b.run(['pull', '127.0.0.1:1/x/y:z']);
  assert.equal(c.code, 125);
  assert.match(c.stderr, /registry 127\.0\.0\.1:1/);
});

test('what skiff pushes, skopeo inspect and podman pull accept', { skip: unmet(tool('skopeo'), tool('podman')) }, () => {
  const s = spawnSync('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/test/busybox:1`], { encoding: 'utf8' });
  assert.equal(s.status, 0, s.stderr);
  assert.equal(JSON.parse(s.stdout).Digest, pushed);
  const p = spawnSync(
    'podman',
    ['--root', join(a.dir, 'podman'), '--runroot', join(a.dir, 'podman-run'), '--storage-driver', 'vfs', 'pull', '--tls-verify=false', `${reg.host}/test/busybox:1`],
    { encoding: 'utf8' },
  );
  assert.equal(p.status, 0, p.stderr);
});

test('what skopeo copies and podman pushes, skiff pulls', { skip: unmet(tool('skopeo'), tool('podman')) }, async () => {
  const base = makeBusyboxTar(b.dir, join(b.dir, 'base.tar'));
  const app = await writeLayerTar(join(b.dir, 'app.tar'), { 'app/hello.txt': 'hello\n' });
  const archive = join(b.dir, 'app-oci.tar');
  await writeOciArchive(archive, [{ name: 'app:1', layers: [base, app], cmd: ['/bin/cat', '/app/hello.txt'] }]);
  const c = spawnSync('skopeo', ['copy', '--dest-tls-verify=false', `oci-archive:${archive}`, `docker://${reg.host}/skopeo/app:1`], {
    encoding: 'utf8',
  });
  assert.equal(c.status, 0, c.stderr);
  ok(b, ['pull', `${reg.host}/skopeo/app:1`]);
  assert.equal(ok(b, ['run', '--rm', `${reg.host}/skopeo/app:1`]), 'hello\n');
  const pod = ['--root', join(b.dir, 'podman'), '--runroot', join(b.dir, 'podman-run'), '--storage-driver', 'vfs'];
  const l = spawnSync('podman', [...pod, 'load', '-i', archive], { encoding: 'utf8' });
  assert.equal(l.status, 0, l.stderr);
  const name = /Loaded image:\s*(\S+)/.exec(l.stdout)?.[1] ?? 'localhost/app:1';
  const p = spawnSync('podman', [...pod, 'push', '--tls-verify=false', name, `docker://${reg.host}/podman/app:1`], { encoding: 'utf8' });
  assert.equal(p.status, 0, p.stderr);
  const fresh = makeEnv('skiff-reg-c-');
  try {
    ok(fresh, ['pull', `${reg.host}/podman/app:1`]);
    assert.ok(existsSync(join(fresh.root, 'content')));
    assert.equal(ok(fresh, ['run', '--rm', `${reg.host}/podman/app:1`]), 'hello\n');
  } finally {
    fresh.cleanup();
  }
});
