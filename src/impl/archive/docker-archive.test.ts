import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { isEngineError } from '../../core/errdefs.js';
import { MediaType } from '../../core/images/oci.js';
import { readImageArchive, writeDockerArchive, type ArchiveImage, type DockerArchiveOptions } from './index.js';
import { addImage, bufferSink, gunzipOpener, layerTar, listTar, makeTar, sha256 } from './testing/fixtures.js';
import { TempContentStore } from './testing/temp-store.js';

async function save(store: TempContentStore, images: ArchiveImage[], opts: DockerArchiveOptions = {}): Promise<Buffer> {
  const { sink, data } = bufferSink();
  await writeDockerArchive(sink, images, store, gunzipOpener(store), opts);
  return data();
}

describe('docker-archive', () => {
  let src: TempContentStore;
  let base: Buffer;
  let imgA: ArchiveImage;
  let imgB: ArchiveImage;
  let archive: Buffer;

  before(async () => {
    src = new TempContentStore();
    base = await layerTar({ 'etc/os-release': 'ID=test\n' });
    // A is stored gzip'd (as pulled), B plain (as committed): both must come out as plain tars.
    imgA = await addImage(src, {
      names: ['docker.io/library/busybox:latest', 'quay.io/me/busy:v1'],
      layers: [base, await layerTar({ 'bin/a': 'a' })],
      gzip: true,
    });
    imgB = await addImage(src, {
      names: ['localhost:5000/b:2'],
      layers: [base, await layerTar({ 'bin/b': 'b' })],
      cmd: ['/bin/b'],
    });
    archive = await save(src, [imgA, imgB]);
  });
  after(() => src.cleanup());

  test('lays the archive out as podman does, with qualified RepoTags and shared layers once', async () => {
    const files = await listTar(archive);
    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as { Config: string; RepoTags: string[]; Layers: string[] }[];
    assert.equal(manifest.length, 2);
    assert.deepEqual(manifest[0]!.RepoTags, ['docker.io/library/busybox:latest', 'quay.io/me/busy:v1']);
    assert.deepEqual(manifest[1]!.RepoTags, ['localhost:5000/b:2']);
    const baseHex = sha256(base).slice(7);
    assert.equal(manifest[0]!.Layers[0], `${baseHex}.tar`);
    assert.equal(manifest[1]!.Layers[0], `${baseHex}.tar`);
    assert.equal([...files.keys()].filter((n) => n === `${baseHex}.tar`).length, 1);
    for (const item of manifest) {
      for (const l of item.Layers) assert.equal(sha256(files.get(l)!), `sha256:${l.slice(0, -4)}`, 'layer is an uncompressed tar named by its diff ID');
      assert.ok(files.has(item.Config));
    }
    assert.equal(manifest[0]!.Config, `${imgA.configDigest.slice(7)}.json`);
    const repos = JSON.parse(files.get('repositories')!.toString()) as Record<string, Record<string, string>>;
    assert.deepEqual(Object.keys(repos).sort(), ['docker.io/library/busybox', 'localhost:5000/b', 'quay.io/me/busy']);
    const top = repos['docker.io/library/busybox']!.latest!;
    assert.equal(files.get(`${top}/layer.tar`)!.toString(), `-> ../${manifest[0]!.Layers[1]}`);
    assert.equal(files.get(`${top}/VERSION`)!.toString(), '1.0');
    const legacy = JSON.parse(files.get(`${top}/json`)!.toString()) as Record<string, unknown>;
    assert.equal(legacy.id, top);
    assert.equal(typeof legacy.parent, 'string');
  });

  test('reads back both images with normalised names and uncompressed layer blobs', async () => {
    const dst = new TempContentStore();
    try {
      const loaded = await readImageArchive(Readable.from([archive]), dst);
      assert.equal(loaded.length, 2);
      const [a, b] = loaded;
      assert.deepEqual(a!.names, ['docker.io/library/busybox:latest', 'quay.io/me/busy:v1']);
      assert.deepEqual(b!.names, ['localhost:5000/b:2']);
      assert.equal(a!.configDigest, imgA.configDigest);
      assert.equal(b!.configDigest, imgB.configDigest);
      assert.equal(a!.manifest.mediaType, MediaType.DockerManifest);
      assert.deepEqual(
        a!.manifest.layers.map((l) => [l.mediaType, l.digest]),
        imgA.layers.map((l) => [MediaType.DockerLayer, l.diffId]),
      );
      assert.equal(a!.manifest.layers[0]!.digest, b!.manifest.layers[0]!.digest);
      for (const img of loaded) {
        assert.ok(dst.has(img.manifestDigest));
        assert.equal(sha256(await dst.readBytes(img.manifestDigest)), img.manifestDigest);
        for (const l of img.manifest.layers) assert.equal(sha256(await dst.readBytes(l.digest)), l.digest);
        assert.deepEqual(await dst.readBytes(img.configDigest), await src.readBytes(img.configDigest));
      }
      assert.deepEqual(b!.config.config?.Cmd, ['/bin/b']);
      assert.equal(dst.openIngests.size, 0);
    } finally {
      dst.cleanup();
    }
  });

  test('accepts a gzip-compressed archive (docker save | gzip)', async () => {
    const dst = new TempContentStore();
    try {
      const loaded = await readImageArchive(Readable.from([gzipSync(archive)]), dst);
      assert.deepEqual(
        loaded.map((i) => i.configDigest),
        [imgA.configDigest, imgB.configDigest],
      );
    } finally {
      dst.cleanup();
    }
  });

  test('familiar names as docker save writes them, and they read back qualified', async () => {
    const familiar = await save(src, [imgA], { names: 'familiar' });
    const files = await listTar(familiar);
    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as { RepoTags: string[] }[];
    assert.deepEqual(manifest[0]!.RepoTags, ['busybox:latest', 'quay.io/me/busy:v1']);
    const repos = JSON.parse(files.get('repositories')!.toString()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(repos).sort(), ['busybox', 'quay.io/me/busy']);
    const dst = new TempContentStore();
    try {
      const [img] = await readImageArchive(Readable.from([familiar]), dst);
      assert.deepEqual(img!.names, ['docker.io/library/busybox:latest', 'quay.io/me/busy:v1']);
    } finally {
      dst.cleanup();
    }
  });

  test('merges names of images that share a config and skips digest-only names', async () => {
    const dup: ArchiveImage = { ...imgB, names: ['b:other', `localhost:5000/b@${imgB.configDigest}`] };
    const files = await listTar(await save(src, [imgB, dup]));
    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as { RepoTags: string[] }[];
    assert.deepEqual(manifest.map((m) => m.RepoTags), [['localhost:5000/b:2', 'docker.io/library/b:other']]);
  });

  test('a missing layer blob fails with NotFound before anything is written', async () => {
    const broken: ArchiveImage = {
      ...imgB,
      layers: [imgB.layers[0]!, { ...imgB.layers[1]!, blob: { ...imgB.layers[1]!.blob, digest: sha256('nope') } }],
    };
    const { sink, data } = bufferSink();
    await assert.rejects(writeDockerArchive(sink, [broken], src, gunzipOpener(src)), (e) => isEngineError(e, 'NotFound'));
    assert.equal(data().length, 0);
  });

  test('a layer whose uncompressed size is wrong fails instead of writing a bad tar', async () => {
    const lying: ArchiveImage = { ...imgA, layers: imgA.layers.map((l) => ({ ...l, uncompressedSize: l.uncompressedSize + 1 })) };
    await assert.rejects(save(src, [lying]));
  });

  test('streams a large layer through write and read (gzip layer.tar included)', async () => {
    const big = await makeTar([{ name: 'blob.bin', data: randomBytes(12 << 20) }]);
    const store = new TempContentStore();
    const dst = new TempContentStore();
    try {
      const img = await addImage(store, { names: ['big:1'], layers: [big], gzip: true });
      const archive = await save(store, [img]);
      const [loaded] = await readImageArchive(Readable.from([gzipSync(archive)]), dst);
      assert.equal(loaded!.manifest.layers[0]!.digest, sha256(big));
      assert.equal(dst.info(sha256(big))!.size, big.length);
      // The same layer kept gzip'd inside the archive still has its diff ID checked.
      const config = await store.readBytes(img.configDigest);
      const layerGz = await store.readBytes(img.layers[0]!.blob.digest);
      const tarball = await makeTar([
        { name: 'x/layer.tar', data: layerGz },
        { name: 'c.json', data: config },
        { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: [], Layers: ['x/layer.tar'] }]) },
      ]);
      const [again] = await readImageArchive(Readable.from([tarball]), dst);
      assert.equal(again!.manifest.layers[0]!.digest, img.layers[0]!.blob.digest);
    } finally {
      store.cleanup();
      dst.cleanup();
    }
  });

  test('reads a Docker 25+ archive (blobs/sha256 paths, OCI index beside manifest.json)', async () => {
    const layer = await layerTar({ hello: 'world' });
    const config = Buffer.from(
      JSON.stringify({ architecture: 'arm64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layer)] } }),
    );
    const blob = (b: Buffer) => `blobs/sha256/${sha256(b).slice(7)}`;
    const tarball = await makeTar([
      { name: 'blobs/', type: 'directory' },
      { name: 'blobs/sha256/', type: 'directory' },
      { name: blob(layer), data: layer },
      { name: blob(config), data: config },
      { name: 'index.json', data: JSON.stringify({ schemaVersion: 2, manifests: [] }) },
      { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
      { name: 'manifest.json', data: JSON.stringify([{ Config: blob(config), RepoTags: ['hello:1'], Layers: [blob(layer)] }]) },
    ]);
    const dst = new TempContentStore();
    try {
      const [img] = await readImageArchive(Readable.from([tarball]), dst);
      assert.deepEqual(img!.names, ['docker.io/library/hello:1']);
      assert.equal(img!.manifest.layers[0]!.digest, sha256(layer));
      assert.equal(img!.config.architecture, 'arm64');
    } finally {
      dst.cleanup();
    }
  });

  test('reads an older docker save: <id>/layer.tar files, symlinked duplicates, null RepoTags, gzip layer', async () => {
    const l1 = await layerTar({ one: '1' });
    const l2 = await layerTar({ two: '2' });
    const config = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(l1), sha256(l2), sha256(l1)] } }),
    );
    const id = (n: number) => String(n).repeat(64);
    const tarball = await makeTar([
      { name: `${id(1)}/`, type: 'directory' },
      { name: `${id(1)}/VERSION`, data: '1.0' },
      { name: `${id(1)}/json`, data: '{}' },
      { name: `${id(1)}/layer.tar`, data: l1 },
      { name: `${id(2)}/layer.tar`, data: gzipSync(l2) },
      { name: `${id(3)}/layer.tar`, type: 'symlink', linkname: `../${id(1)}/layer.tar` },
      { name: `${sha256(config).slice(7)}.json`, data: config },
      {
        name: 'manifest.json',
        data: JSON.stringify([
          { Config: `${sha256(config).slice(7)}.json`, RepoTags: null, Layers: [1, 2, 3].map((n) => `${id(n)}/layer.tar`) },
        ]),
      },
    ]);
    const dst = new TempContentStore();
    try {
      const [img] = await readImageArchive(Readable.from([tarball]), dst);
      assert.deepEqual(img!.names, []);
      assert.deepEqual(
        img!.manifest.layers.map((l) => l.mediaType),
        [MediaType.DockerLayer, MediaType.DockerLayerGzip, MediaType.DockerLayer],
      );
      assert.equal(img!.manifest.layers[1]!.digest, sha256(gzipSync(l2)));
      assert.equal(img!.manifest.layers[2]!.digest, sha256(l1));
    } finally {
      dst.cleanup();
    }
  });
});
