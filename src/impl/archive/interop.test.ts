// Archives written by skiff must be accepted by podman and skopeo, and archives they write
// must read back here. Skipped where podman/skopeo are not installed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { removeTree } from '../../../test/helpers/env.js';
import { tarDir } from '../../../test/helpers/busybox.js';
import { MediaType } from '../../core/images/oci.js';
import {
  readImageArchive,
  readOciLayoutDir,
  writeDockerArchive,
  writeOciArchive,
  writeOciLayoutDir,
  type ArchiveImage,
} from './index.js';
import { addImage, gunzipOpener, layerTar, sha256 } from './testing/fixtures.js';
import { TempContentStore } from './testing/temp-store.js';
import { tool, unmet } from '../../../test/helpers/requires.js';

const skip = unmet(tool('podman'), tool('skopeo'), tool('runc'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[]): Run {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

function ok(cmd: string, args: string[]): string {
  const r = run(cmd, args);
  assert.equal(r.code, 0, `${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

interface SkopeoInspect {
  Name?: string;
  Layers: string[];
  Architecture: string;
  Os: string;
}

describe('interop with podman and skopeo', { skip }, () => {
  let dir: string;
  let store: TempContentStore;
  let podmanArgs: string[];
  let imgA: ArchiveImage;
  let imgB: ArchiveImage;
  let layerFile: string;

  const podman = (...args: string[]) => ok('podman', [...podmanArgs, ...args]);
  const skopeo = (target: string) => JSON.parse(ok('skopeo', ['inspect', target])) as SkopeoInspect;

  async function save(format: 'docker' | 'oci', images: ArchiveImage[], name: string): Promise<string> {
    const path = join(dir, name);
    const out = createWriteStream(path);
    if (format === 'docker') await writeDockerArchive(out, images, store, gunzipOpener(store));
    else await writeOciArchive(out, images, store);
    return path;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'skiff-archive-interop-'));
    store = new TempContentStore();
    podmanArgs = [
      '--root',
      join(dir, 'podman-root'),
      '--runroot',
      join(dir, 'podman-run'),
      '--storage-driver',
      'vfs',
      '--runtime',
      'runc',
      '--events-backend',
      'none',
      '--cgroup-manager',
      'cgroupfs',
    ];
    // A real layer as a user would have it: GNU tar of a directory with one file.
    const rootfs = join(dir, 'rootfs');
    mkdirSync(rootfs);
    writeFileSync(join(rootfs, 'hello.txt'), 'hello from skiff\n');
    layerFile = tarDir(rootfs, join(dir, 'layer.tar'));
    const layer = readFileSync(layerFile);
    imgA = await addImage(store, { names: ['docker.io/library/skiff-interop:latest'], layers: [layer], gzip: true, withManifest: true });
    imgB = await addImage(store, {
      names: ['localhost/skiff-interop-b:v2'],
      layers: [layer, await layerTar({ 'b.txt': 'b' })],
      cmd: ['/b'],
    });
  });

  after(() => {
    if (!dir) return;
    run('podman', [...podmanArgs, 'system', 'reset', '-f']);
    store.cleanup();
    removeTree(dir);
  });

  test('skopeo inspects skiff docker-archives, by index and by name', async () => {
    const path = await save('docker', [imgA, imgB], 'two.docker.tar');
    const a = skopeo(`docker-archive:${path}:@0`);
    assert.deepEqual(a.Layers, [imgA.layers[0]!.diffId]);
    assert.equal(a.Architecture, 'amd64');
    assert.equal(a.Os, 'linux');
    const b = skopeo(`docker-archive:${path}:localhost/skiff-interop-b:v2`);
    assert.deepEqual(
      b.Layers,
      imgB.layers.map((l) => l.diffId),
    );
    const single = await save('docker', [imgA], 'one.docker.tar');
    assert.deepEqual(skopeo(`docker-archive:${single}`).Layers, [imgA.layers[0]!.diffId]);
  });

  test('skopeo inspects skiff oci-archives', async () => {
    const single = await save('oci', [imgA], 'one.oci.tar');
    const a = skopeo(`oci-archive:${single}`);
    assert.deepEqual(a.Layers, [imgA.layers[0]!.blob.digest]);
    const two = await save('oci', [imgA, imgB], 'two.oci.tar');
    const b = skopeo(`oci-archive:${two}:localhost/skiff-interop-b:v2`);
    assert.deepEqual(
      b.Layers,
      imgB.layers.map((l) => l.blob.digest),
    );
  });

  test('skopeo reads a skiff oci: directory by tag', async () => {
    const layout = join(dir, 'layout');
    await writeOciLayoutDir(layout, [{ ...imgA, names: ['v1'] }], store);
    await writeOciLayoutDir(layout, [{ ...imgB, names: ['v2'] }], store);
    assert.deepEqual(skopeo(`oci:${layout}:v1`).Layers, [imgA.layers[0]!.blob.digest]);
    assert.deepEqual(
      skopeo(`oci:${layout}:v2`).Layers,
      imgB.layers.map((l) => l.blob.digest),
    );
  });

  test('podman loads familiar names as localhost/ (why qualified is the default)', async () => {
    const path = join(dir, 'familiar.docker.tar');
    await writeDockerArchive(createWriteStream(path), [imgA], store, gunzipOpener(store), { names: 'familiar' });
    assert.match(podman('load', '-i', path), /Loaded image: localhost\/skiff-interop:latest/);
    podman('rmi', 'localhost/skiff-interop:latest');
  });

  test('podman loads a skiff docker-archive with two images', async () => {
    const path = await save('docker', [imgA, imgB], 'load.docker.tar');
    const out = podman('load', '-i', path);
    assert.match(out, /docker\.io\/library\/skiff-interop:latest/);
    assert.match(out, /localhost\/skiff-interop-b:v2/);
    const ids = podman('images', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}');
    assert.match(ids, new RegExp(`${imgA.configDigest.slice(7)} docker.io/library/skiff-interop:latest`));
    assert.match(ids, new RegExp(`${imgB.configDigest.slice(7)} localhost/skiff-interop-b:v2`));
    const layers = podman('image', 'inspect', '--format', '{{json .RootFS.Layers}}', 'localhost/skiff-interop-b:v2');
    assert.deepEqual(
      JSON.parse(layers),
      imgB.layers.map((l) => l.diffId),
    );
  });

  test('podman loads a skiff oci-archive', async () => {
    const path = await save('oci', [{ ...imgB, names: ['localhost/skiff-oci:1'] }], 'load.oci.tar');
    const out = podman('load', '-i', path);
    assert.match(out, /localhost\/skiff-oci:1/);
    const id = podman('image', 'inspect', '--format', '{{.ID}}', 'localhost/skiff-oci:1').trim();
    assert.equal(`sha256:${id}`, imgB.configDigest);
  });

  describe('reading what podman and skopeo write', () => {
    before(() => {
      podman('import', layerFile, 'docker.io/library/imported:latest');
      podman('tag', 'docker.io/library/imported:latest', 'quay.io/skiff/imported:v1');
    });

    const load = async (path: string) => {
      const dst = new TempContentStore();
      try {
        const images = await readImageArchive(createReadStream(path), dst);
        for (const img of images) {
          for (const d of [img.manifest.config, ...img.manifest.layers]) {
            assert.equal(sha256(await dst.readBytes(d.digest)), d.digest);
            assert.equal(dst.info(d.digest)!.size, d.size);
          }
        }
        return images;
      } finally {
        dst.cleanup();
      }
    };
    const podmanId = (name: string) => `sha256:${podman('image', 'inspect', '--format', '{{.ID}}', name).trim()}`;

    test('podman save --format docker-archive (one image, two names)', async () => {
      const path = join(dir, 'podman.docker.tar');
      podman('save', '--format', 'docker-archive', '-o', path, 'docker.io/library/imported:latest');
      const [img, ...rest] = await load(path);
      assert.equal(rest.length, 0);
      assert.deepEqual(img!.names, ['docker.io/library/imported:latest']);
      assert.equal(img!.configDigest, podmanId('imported'));
      assert.equal(img!.manifest.layers[0]!.mediaType, MediaType.DockerLayer);
      assert.equal(img!.manifest.layers[0]!.digest, img!.config.rootfs.diff_ids[0]);
    });

    test('podman save -m docker-archive with several names and images', async () => {
      const path = join(dir, 'podman.multi.tar');
      podman('save', '-m', '--format', 'docker-archive', '-o', path, 'imported:latest', 'quay.io/skiff/imported:v1', 'localhost/skiff-interop-b:v2');
      const images = await load(path);
      assert.equal(images.length, 2);
      assert.deepEqual(images[0]!.names, ['docker.io/library/imported:latest', 'quay.io/skiff/imported:v1']);
      assert.deepEqual(images[1]!.names, ['localhost/skiff-interop-b:v2']);
      assert.equal(images[1]!.configDigest, imgB.configDigest);
    });

    test('podman save --format oci-archive', async () => {
      const path = join(dir, 'podman.oci.tar');
      podman('save', '--format', 'oci-archive', '-o', path, 'quay.io/skiff/imported:v1');
      const [img] = await load(path);
      assert.deepEqual(img!.names, ['quay.io/skiff/imported:v1']);
      assert.equal(img!.configDigest, podmanId('quay.io/skiff/imported:v1'));
      // podman copies the manifest as stored, and `podman import` stores one without mediaType.
      assert.equal(img!.manifest.config.mediaType, MediaType.OciConfig);
      assert.equal(img!.manifest.layers[0]!.mediaType, MediaType.OciLayerGzip);
    });

    test('skopeo copy to an oci: directory, read back by tag', async () => {
      const layout = join(dir, 'skopeo-layout');
      ok('skopeo', ['copy', `docker-archive:${await save('docker', [imgB], 'b.docker.tar')}`, `oci:${layout}:b`]);
      const dst = new TempContentStore();
      try {
        const [img] = await readOciLayoutDir(layout, dst, { refName: 'b' });
        assert.deepEqual(img!.refTags, ['b']);
        assert.deepEqual(img!.config.rootfs.diff_ids, imgB.layers.map((l) => l.diffId));
        for (const l of img!.manifest.layers) assert.ok(dst.has(l.digest));
      } finally {
        dst.cleanup();
      }
    });

    test('skopeo copy to oci-archive:FILE:TAG names only a tag', async () => {
      const path = join(dir, 'skopeo.oci.tar');
      const src = await save('docker', [imgA], 'for-skopeo.docker.tar');
      ok('skopeo', ['copy', `docker-archive:${src}`, `oci-archive:${path}:v7`]);
      const [img] = await load(path);
      assert.deepEqual(img!.names, []);
      assert.deepEqual(img!.refTags, ['v7']);
      // skopeo re-marshals the config when converting schema2 → OCI (Go struct key order), so
      // only its content can be compared.
      assert.deepEqual(img!.config.rootfs.diff_ids, [imgA.layers[0]!.diffId]);
    });
  });
});
