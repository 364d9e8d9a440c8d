// `manifest inspect` and `image inspect --remote` read a registry image without pulling it;
// a multi-platform index (pushed by skopeo) is inspected and copied per platform.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type TestEnv } from '../../helpers/env.js';
import { ok, registryRoots, skopeo, type Registry, type RegistryRoots } from './fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

const noSkopeo = unmet(tool('skopeo'));
const HOST_ARCH = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;
const OTHER_ARCH = HOST_ARCH === 'arm64' ? 'amd64' : 'arm64';

let a: TestEnv;
let c: TestEnv;
let reg: Registry;
let roots: RegistryRoots;
let pushed = '';

const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

before(async () => {
  roots = await registryRoots('skiff-rinspect-', 'c', ['-c', 'ENV GREETING=hi', '-c', 'LABEL team=skiff']);
  ({ a, b: c, reg } = roots);
  ok(a, ['push', '--digestfile', join(a.dir, 'pushed'), 'bb:latest', `${reg.host}/test/bb:1`]);
  ok(a, ['push', 'bb:latest', `${reg.host}/test/bb:2`]);
  pushed = readFileSync(join(a.dir, 'pushed'), 'utf8');
});
after(() => roots.stop());

test('manifest inspect prints the manifest the registry holds, without pulling', () => {
  const raw = ok(c, ['manifest', 'inspect', '--raw', `${reg.host}/test/bb:1`]);
  assert.equal(sha(Buffer.from(raw)), pushed);
  const pretty = ok(c, ['manifest', 'inspect', `docker://${reg.host}/test/bb:1`]);
  assert.deepEqual(JSON.parse(pretty), JSON.parse(raw));
  assert.match(pretty, /^\{\n {4}"schemaVersion": 2,/);
  assert.equal(ok(c, ['images', '-q']), '');
  assert.equal(existsSync(join(c.root, 'content/blobs/sha256')) ? readdirSync(join(c.root, 'content/blobs/sha256')).length : 0, 0);
});

test('image inspect --remote tells what skopeo inspect tells', { skip: noSkopeo }, () => {
  const mine = JSON.parse(ok(c, ['image', 'inspect', '--remote', `docker://${reg.host}/test/bb:1`]))[0];
  const theirs = JSON.parse(skopeo(['inspect', '--tls-verify=false', `docker://${reg.host}/test/bb:1`]));
  for (const k of ['Name', 'Digest', 'Created', 'Architecture', 'Os', 'Layers', 'Env', 'Labels']) {
    assert.deepEqual(mine[k], theirs[k], k);
  }
  assert.deepEqual([...mine.RepoTags].sort(), [...theirs.RepoTags].sort());
  assert.deepEqual([...mine.RepoTags].sort(), ['1', '2']);
  // Newer skopeo prints LayersData too (1.9.3 does not); where it does, the two must agree.
  type LayerData = { Digest: string; Size: number; MIMEType: string };
  const rows = (l: LayerData[]) => l.map((x) => [x.Digest, x.Size, x.MIMEType]);
  assert.deepEqual(rows(mine.LayersData), mine.Layers.map((d: string, i: number) => [d, mine.LayersData[i].Size, mine.LayersData[i].MIMEType]));
  if (theirs.LayersData) assert.deepEqual(rows(mine.LayersData), rows(theirs.LayersData));
  assert.deepEqual(mine.Labels, { team: 'skiff' });
  assert.equal(ok(c, ['image', 'inspect', '--remote', '--format', '{{.Digest}}', `${reg.host}/test/bb:1`]).trim(), pushed);
  assert.equal(ok(c, ['images', '-q']), '');
});

test('a multi-platform index: inspected whole, per platform, and copied for one platform', { skip: noSkopeo }, () => {
  // An OCI layout whose index holds the host's image and a second one that only claims another arch.
  const dir = join(c.dir, 'multi');
  ok(c, ['image', 'copy', `docker://${reg.host}/test/bb:1`, `oci:${dir}:single`]);
  const blob = (d: string) => join(dir, 'blobs/sha256', d.slice(7));
  const put = (b: Buffer) => {
    writeFileSync(blob(sha(b)), b);
    return { digest: sha(b), size: b.length };
  };
  const manifest = JSON.parse(readFileSync(blob(pushed), 'utf8'));
  const config = JSON.parse(readFileSync(blob(manifest.config.digest), 'utf8'));
  const other = put(Buffer.from(JSON.stringify({ ...config, architecture: OTHER_ARCH })));
  const otherManifest = put(Buffer.from(JSON.stringify({ ...manifest, config: { ...manifest.config, ...other } })));
  const mt = 'application/vnd.oci.image.manifest.v1+json';
  const index = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          { mediaType: mt, digest: pushed, size: readFileSync(blob(pushed)).length, platform: { os: 'linux', architecture: HOST_ARCH } },
          { mediaType: mt, ...otherManifest, platform: { os: 'linux', architecture: OTHER_ARCH } },
        ],
      }),
    ),
  );
  const top = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  top.manifests = [{ mediaType: 'application/vnd.oci.image.index.v1+json', ...index, annotations: { 'org.opencontainers.image.ref.name': 'multi' } }];
  writeFileSync(join(dir, 'index.json'), JSON.stringify(top));
  skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${dir}:multi`, `docker://${reg.host}/test/multi:1`]);

  const list = JSON.parse(ok(c, ['manifest', 'inspect', `${reg.host}/test/multi:1`]));
  assert.equal(list.manifests.length, 2);
  assert.equal(sha(Buffer.from(ok(c, ['manifest', 'inspect', '--raw', `${reg.host}/test/multi:1`]))), index.digest);

  const host = JSON.parse(ok(c, ['image', 'inspect', '--remote', `${reg.host}/test/multi:1`]))[0];
  assert.equal(host.Digest, index.digest);
  assert.equal(host.Architecture, HOST_ARCH);
  const foreign = JSON.parse(ok(c, ['image', 'inspect', '--remote', '--platform', `linux/${OTHER_ARCH}`, `${reg.host}/test/multi:1`]))[0];
  assert.equal(foreign.Architecture, OTHER_ARCH);
  const none = c.run(['image', 'inspect', '--remote', '--platform', 'linux/s390x', `${reg.host}/test/multi:1`]);
  assert.equal(none.code, 125);
  assert.match(none.stderr, /no image for platform linux\/s390x/);

  assert.equal(/Digest: (\S+)/.exec(ok(c, ['image', 'copy', `docker://${reg.host}/test/multi:1`, `oci:${join(c.dir, 'host')}`]))?.[1], pushed);
  const copied = /Digest: (\S+)/.exec(
    ok(c, ['image', 'copy', '--platform', `linux/${OTHER_ARCH}`, `docker://${reg.host}/test/multi:1`, `oci:${join(c.dir, 'foreign')}`]),
  )?.[1];
  assert.equal(copied, otherManifest.digest);
});

test('remote errors name the image and exit 125', () => {
  const r = c.run(['manifest', 'inspect', `${reg.host}/test/none:1`]);
  assert.equal(r.code, 125);
  assert.match(r.stderr, new RegExp(`${reg.host}/test/none:1: not found`));
  const i = c.run(['image', 'inspect', '--remote', `${reg.host}/nothing/here:1`]);
  assert.equal(i.code, 125);
  assert.match(i.stderr, /not found/);
});
