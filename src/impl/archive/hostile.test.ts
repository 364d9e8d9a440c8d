// Broken and hostile archives: each must fail with InvalidArgument and leave no ingest open.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { isEngineError } from '../../core/errdefs.js';
import { MediaType } from '../../core/images/oci.js';
import { readImageArchive } from './index.js';
import { layerTar, makeTar, sha256, type TarEntrySpec } from './testing/fixtures.js';
import { TempContentStore } from './testing/temp-store.js';

const blobName = (b: Buffer) => `blobs/sha256/${sha256(b).slice(7)}`;

async function ociParts(opts: { layerBytes?: Buffer; layerSize?: number; diffId?: string } = {}) {
  const layerPlain = await layerTar({ f: 'data' });
  const layer = opts.layerBytes ?? gzipSync(layerPlain);
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [opts.diffId ?? sha256(layerPlain)] } }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: sha256(config), size: config.length },
      layers: [{ mediaType: MediaType.OciLayerGzip, digest: sha256(layer), size: opts.layerSize ?? layer.length }],
    }),
  );
  const index = JSON.stringify({
    schemaVersion: 2,
    manifests: [
      { mediaType: MediaType.OciManifest, digest: sha256(manifest), size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'x:1' } },
    ],
  });
  return { layer, config, manifest, index };
}

async function ociArchive(parts: Awaited<ReturnType<typeof ociParts>>, extra: TarEntrySpec[] = [], omit?: Buffer): Promise<Buffer> {
  const blobs = [parts.layer, parts.config, parts.manifest].filter((b) => b !== omit);
  return makeTar([
    ...blobs.map((b) => ({ name: blobName(b), data: b })),
    ...extra,
    { name: 'index.json', data: parts.index },
    { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
  ]);
}

async function expectInvalid(archive: Buffer, pattern: RegExp): Promise<void> {
  const store = new TempContentStore();
  try {
    await assert.rejects(readImageArchive(Readable.from([archive]), store), (e: unknown) => {
      assert.ok(isEngineError(e, 'InvalidArgument'), `want InvalidArgument, got ${String(e)}`);
      assert.match((e as Error).message, pattern);
      return true;
    });
    assert.equal(store.openIngests.size, 0, 'no ingest left open');
  } finally {
    store.cleanup();
  }
}

describe('hostile or broken archives', () => {
  test('the well-formed baseline loads', async () => {
    const store = new TempContentStore();
    try {
      const [img] = await readImageArchive(Readable.from([await ociArchive(await ociParts())]), store);
      assert.deepEqual(img!.names, ['docker.io/library/x:1']);
    } finally {
      store.cleanup();
    }
  });

  test('oci-archive missing a layer blob', async () => {
    const parts = await ociParts();
    await expectInvalid(await ociArchive(parts, [], parts.layer), /missing layer 0/);
  });

  test('oci-archive missing the manifest blob', async () => {
    const parts = await ociParts();
    await expectInvalid(await ociArchive(parts, [], parts.manifest), /missing manifest/);
  });

  test('oci-archive blob whose content does not match its name', async () => {
    const parts = await ociParts();
    const tarball = await makeTar([
      { name: blobName(parts.layer), data: Buffer.concat([parts.layer, Buffer.from('x')]) },
      { name: blobName(parts.config), data: parts.config },
      { name: blobName(parts.manifest), data: parts.manifest },
      { name: 'index.json', data: parts.index },
    ]);
    await expectInvalid(tarball, /does not match its name/);
  });

  test('oci-archive descriptor with the wrong size', async () => {
    const parts = await ociParts({ layerSize: 3 });
    await expectInvalid(await ociArchive(parts), /descriptor says 3/);
  });

  test('uncompressed oci layer that is not its diff ID', async () => {
    const plain = await layerTar({ f: 'data' });
    const parts = await ociParts({ layerBytes: plain, diffId: sha256('other') });
    const m = JSON.parse(parts.manifest.toString()) as { layers: { mediaType: string }[] };
    m.layers[0]!.mediaType = MediaType.OciLayer;
    parts.manifest = Buffer.from(JSON.stringify(m));
    parts.index = parts.index.replace(/sha256:[a-f0-9]{64}/, sha256(parts.manifest)).replace(/"size":\d+/, `"size":${parts.manifest.length}`);
    await expectInvalid(await ociArchive(parts), /does not match diff ID/);
  });

  test('entry names that climb out of the archive', async () => {
    const parts = await ociParts();
    for (const name of ['../evil', 'blobs/../../evil', '/etc/passwd']) {
      await expectInvalid(await ociArchive(parts, [{ name, data: 'x' }]), /escapes the archive root|absolute path/);
    }
  });

  test('a symlink pointing out of the archive', async () => {
    const parts = await ociParts();
    await expectInvalid(
      await ociArchive(parts, [{ name: 'sneaky/layer.tar', type: 'symlink', linkname: '../../etc/shadow' }]),
      /escapes the archive root/,
    );
  });

  test('device nodes have no place in an image archive', async () => {
    const parts = await ociParts();
    const tarball = await ociArchive(parts);
    // Turn the first entry's typeflag ('0') into a character device ('3') and fix its checksum.
    const hdr = Buffer.from(tarball);
    hdr[156] = 0x33;
    hdr.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += hdr[i]!;
    hdr.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    await expectInvalid(hdr, /character-device/);
  });

  test('docker-archive layer that does not match the config diff ID', async () => {
    const layer = await layerTar({ f: 'data' });
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256('x')] } }));
    const tarball = await makeTar([
      { name: 'l/layer.tar', data: layer },
      { name: 'c.json', data: config },
      { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['a:b'], Layers: ['l/layer.tar'] }]) },
    ]);
    await expectInvalid(tarball, /has diff ID .* but its config says/);
  });

  test('docker-archive layer that looks like gzip but is not', async () => {
    const layer = await layerTar({ f: 'data' });
    const bogus = Buffer.concat([gzipSync(layer).subarray(0, 12), Buffer.alloc(64, 0x55)]);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layer)] } }));
    const tarball = await makeTar([
      { name: 'l/layer.tar', data: bogus },
      { name: 'c.json', data: config },
      { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: [], Layers: ['l/layer.tar'] }]) },
    ]);
    await expectInvalid(tarball, /not a valid gzip stream/);
  });

  test('docker-archive whose manifest.json names absent files or wrong counts', async () => {
    const layer = await layerTar({ f: 'data' });
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layer)] } }));
    const base: TarEntrySpec[] = [
      { name: 'l.tar', data: layer },
      { name: 'c.json', data: config },
    ];
    const withManifest = (m: unknown) => makeTar([...base, { name: 'manifest.json', data: JSON.stringify(m) }]);
    await expectInvalid(await withManifest([{ Config: 'c.json', RepoTags: [], Layers: ['gone.tar'] }]), /missing layer "gone.tar"/);
    await expectInvalid(await withManifest([{ Config: 'nope.json', RepoTags: [], Layers: ['l.tar'] }]), /missing config/);
    await expectInvalid(await withManifest([{ Config: 'c.json', RepoTags: [], Layers: ['l.tar', 'l.tar'] }]), /2 layers but its config has 1/);
    await expectInvalid(await withManifest([{ Config: 'c.json', RepoTags: ['Not A Name'], Layers: ['l.tar'] }]), /not a valid image name/);
    await expectInvalid(await withManifest({ not: 'a list' }), /not a list/);
    await expectInvalid(await makeTar([...base, { name: 'manifest.json', data: '[{' }]), /not valid JSON/);
  });

  test('input that is not an image archive at all', async () => {
    await expectInvalid(Buffer.alloc(0), /neither manifest.json/);
    await expectInvalid(await makeTar([{ name: 'hello.txt', data: 'hi' }]), /neither manifest.json/);
    await expectInvalid(Buffer.from('this is not a tar file, not even close'.repeat(40)), /reading image archive/);
    await expectInvalid(gzipSync(Buffer.from('gzip of garbage'.repeat(100))), /reading image archive/);
    await expectInvalid(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]), /reading image archive/);
  });

  test('a truncated archive', async () => {
    const whole = await ociArchive(await ociParts());
    await expectInvalid(whole.subarray(0, 700), /reading image archive/);
  });

  test('unknown oci-layout version', async () => {
    const parts = await ociParts();
    const tarball = await makeTar([
      ...[parts.layer, parts.config, parts.manifest].map((b) => ({ name: blobName(b), data: b })),
      { name: 'index.json', data: parts.index },
      { name: 'oci-layout', data: '{"imageLayoutVersion":"9"}' },
    ]);
    await expectInvalid(tarball, /unsupported OCI layout version/);
  });
});
