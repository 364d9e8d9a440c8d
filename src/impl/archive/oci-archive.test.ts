import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { isEngineError } from '../../core/errdefs.js';
import { MediaType, type Index, type Manifest } from '../../core/images/oci.js';
import { validateOci } from '../../../test/helpers/oci-schema.js';
import { readImageArchive, readOciLayoutDir, writeOciArchive, writeOciLayoutDir, type ArchiveImage } from './index.js';
import { addImage, bufferSink, layerTar, listTar, sha256 } from './testing/fixtures.js';
import { TempContentStore } from './testing/temp-store.js';

const REF = 'org.opencontainers.image.ref.name';

async function save(store: TempContentStore, images: ArchiveImage[]): Promise<Buffer> {
  const { sink, data } = bufferSink();
  await writeOciArchive(sink, images, store);
  return data();
}

const json = <T>(b: Buffer | undefined): T => JSON.parse(b!.toString()) as T;

describe('oci-archive', () => {
  let src: TempContentStore;
  let base: Buffer;
  let imgA: ArchiveImage;
  let imgB: ArchiveImage;
  let archive: Buffer;

  before(async () => {
    src = new TempContentStore();
    base = await layerTar({ 'etc/os-release': 'ID=test\n' });
    // A: Docker media types with a stored schema2 manifest, which must become OCI.
    imgA = await addImage(src, {
      names: ['docker.io/library/busybox:latest', 'quay.io/me/busy:v1'],
      layers: [base, await layerTar({ 'bin/a': 'a' })],
      gzip: true,
      withManifest: true,
    });
    // B: already OCI, stored manifest must be kept byte for byte.
    imgB = await addImage(src, {
      names: ['localhost:5000/b:2'],
      layers: [base, await layerTar({ 'bin/b': 'b' })],
      gzip: true,
      flavour: 'oci',
      withManifest: true,
    });
    archive = await save(src, [imgA, imgB]);
  });
  after(() => src.cleanup());

  test('writes a valid OCI layout: index per name, OCI manifests, shared blobs once', async () => {
    const files = await listTar(archive);
    const index = json<Index>(files.get('index.json'));
    validateOci('index', index);
    validateOci('layout', json(files.get('oci-layout')));
    assert.deepEqual(
      index.manifests.map((m) => m.annotations?.[REF]),
      ['docker.io/library/busybox:latest', 'quay.io/me/busy:v1', 'localhost:5000/b:2'],
    );
    assert.equal(index.manifests[0]!.digest, index.manifests[1]!.digest);
    assert.equal(index.manifests[2]!.digest, imgB.manifestDigest, 'an OCI manifest keeps its digest');
    for (const entry of index.manifests) {
      validateOci('descriptor', entry);
      const mBytes = files.get(`blobs/sha256/${entry.digest.slice(7)}`)!;
      assert.equal(sha256(mBytes), entry.digest);
      assert.equal(mBytes.length, entry.size);
      const m = json<Manifest>(mBytes);
      validateOci('manifest', m);
      assert.equal(m.mediaType, MediaType.OciManifest);
      assert.equal(m.config.mediaType, MediaType.OciConfig);
      validateOci('config', json(files.get(`blobs/sha256/${m.config.digest.slice(7)}`)));
      for (const l of m.layers) {
        assert.equal(l.mediaType, MediaType.OciLayerGzip);
        assert.equal(sha256(files.get(`blobs/sha256/${l.digest.slice(7)}`)!), l.digest);
      }
    }
    const baseBlob = `blobs/sha256/${imgA.layers[0]!.blob.digest.slice(7)}`;
    assert.equal([...files.keys()].filter((n) => n === baseBlob).length, 1);
    assert.deepEqual([...files.keys()].slice(-2), ['index.json', 'oci-layout']);
  });

  test('reads back both images with full names and the same blobs', async () => {
    const dst = new TempContentStore();
    try {
      const loaded = await readImageArchive(Readable.from([archive]), dst);
      assert.equal(loaded.length, 2);
      const [a, b] = loaded;
      assert.deepEqual(a!.names, ['docker.io/library/busybox:latest', 'quay.io/me/busy:v1']);
      assert.deepEqual(b!.names, ['localhost:5000/b:2']);
      assert.equal(b!.manifestDigest, imgB.manifestDigest);
      assert.equal(a!.configDigest, imgA.configDigest);
      assert.deepEqual(
        a!.manifest.layers.map((l) => l.digest),
        imgA.layers.map((l) => l.blob.digest),
      );
      for (const img of loaded) {
        assert.equal(sha256(await dst.readBytes(img.manifestDigest)), img.manifestDigest);
        for (const l of img.manifest.layers) assert.ok(dst.has(l.digest));
      }
      assert.equal(dst.openIngests.size, 0);
    } finally {
      dst.cleanup();
    }
  });

  test('accepts gzip-compressed input, however it is chunked', async () => {
    const dst = new TempContentStore();
    try {
      const gz = gzipSync(archive);
      const chunks = Array.from({ length: Math.ceil(gz.length / 3) }, (_, i) => gz.subarray(i * 3, i * 3 + 3));
      const loaded = await readImageArchive(Readable.from(chunks), dst);
      assert.equal(loaded.length, 2);
    } finally {
      dst.cleanup();
    }
  });

  test('an unnamed image gets one index entry without a name, and loads with no names', async () => {
    const unnamed = { ...imgB, names: [] };
    const files = await listTar(await save(src, [unnamed]));
    const index = json<Index>(files.get('index.json'));
    assert.equal(index.manifests.length, 1);
    assert.equal(index.manifests[0]!.annotations, undefined);
    const dst = new TempContentStore();
    try {
      const [img] = await readImageArchive(Readable.from([await save(src, [unnamed])]), dst);
      assert.deepEqual(img!.names, []);
      assert.deepEqual(img!.refTags, []);
    } finally {
      dst.cleanup();
    }
  });

  test('a blob missing from the store fails with NotFound', async () => {
    const broken = { ...imgA, manifestDigest: undefined, configDigest: sha256('no such config') };
    await assert.rejects(save(src, [broken]), (e) => isEngineError(e, 'NotFound'));
  });
});

describe('oci layout directory', () => {
  let src: TempContentStore;
  let dir: string;
  let imgA: ArchiveImage;
  let imgB: ArchiveImage;

  before(async () => {
    src = new TempContentStore();
    dir = mkdtempSync(join(tmpdir(), 'skiff-oci-dir-'));
    const base = await layerTar({ base: 'x' });
    imgA = await addImage(src, { names: ['v1'], layers: [base], gzip: true });
    imgB = await addImage(src, { names: ['v2'], layers: [base, await layerTar({ b: 'b' })] });
  });
  after(() => {
    src.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('adds to an existing layout, replacing an entry of the same name', async () => {
    await writeOciLayoutDir(dir, [imgA], src);
    await writeOciLayoutDir(dir, [imgB], src);
    await writeOciLayoutDir(dir, [{ ...imgB, names: ['v1'] }], src);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as Index;
    validateOci('index', index);
    validateOci('layout', JSON.parse(readFileSync(join(dir, 'oci-layout'), 'utf8')));
    assert.deepEqual(
      index.manifests.map((m) => m.annotations?.[REF]),
      ['v2', 'v1'],
    );
    assert.equal(index.manifests[0]!.digest, index.manifests[1]!.digest);
  });

  test('reads one tag, or all, reporting bare tags as refTags', async () => {
    const dst = new TempContentStore();
    try {
      const [one] = await readOciLayoutDir(dir, dst, { refName: 'v2' });
      assert.equal(one!.configDigest, imgB.configDigest);
      assert.deepEqual(one!.names, []);
      assert.deepEqual(one!.refTags, ['v2']);
      for (const l of one!.manifest.layers) assert.ok(dst.has(l.digest));
      const all = await readOciLayoutDir(dir, dst);
      assert.equal(all.length, 1);
      assert.deepEqual(all[0]!.refTags, ['v2', 'v1']);
      await assert.rejects(readOciLayoutDir(dir, dst, { refName: 'v9' }), (e) => isEngineError(e, 'NotFound'));
    } finally {
      dst.cleanup();
    }
  });

  test('a corrupted blob in the directory is refused', async () => {
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as Index;
    const m = JSON.parse(readFileSync(join(dir, 'blobs/sha256', index.manifests[0]!.digest.slice(7)), 'utf8')) as Manifest;
    const top = m.layers[m.layers.length - 1]!;
    const path = join(dir, 'blobs/sha256', top.digest.slice(7));
    const good = readFileSync(path);
    writeFileSync(path, Buffer.from(good.map((b, i) => (i === 0 ? b ^ 1 : b))));
    const dst = new TempContentStore();
    try {
      await assert.rejects(readOciLayoutDir(dir, dst, { refName: 'v2' }), (e) => isEngineError(e, 'InvalidArgument'));
      assert.equal(dst.openIngests.size, 0);
    } finally {
      writeFileSync(path, good);
      dst.cleanup();
    }
  });
});
