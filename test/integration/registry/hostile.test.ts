// Bounded downloads: a registry that sends too much, claims too much, or goes silent makes the
// download fail with a message naming it, and leaves nothing behind once `image prune` ran.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { makeEnv, SKIFF_BIN, type TestEnv } from '../../helpers/env.js';
import { apiRequest, jsonLines } from '../api/image-fixtures.js';
import { writeLayerTar, writeOciArchive } from '../../helpers/oci-archive.js';
import { startRegistry, type Registry } from './fixtures.js';
import { registryManifest, startHostile, type HostileRegistry } from './hostile.js';

let src: TestEnv;
let reg: Registry;
let hostile: HostileRegistry;
/** x/app:1 as docker-registry holds it: a small layer below a big one */
let app: Awaited<ReturnType<typeof registryManifest>>;

// The hostile server runs in this process: the CLI must run asynchronously.
async function ok(env: TestEnv, args: string[]): Promise<string> {
  const r = await env.runAsync(args);
  assert.equal(r.code, 0, `skiff ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The store's skiff.conf: registry connections give up after one silent second, plus `conf` under [engine]. */
function setEngineConf(env: TestEnv, conf = ''): TestEnv {
  writeFileSync(join(env.dir, 'skiff.conf'), `[storage]\ndriver = "overlay"\n\n[engine]\nregistry_idle_timeout = "1s"\n${conf}`);
  return env;
}

const makeHostileEnv = (prefix: string, conf = '') => setEngineConf(makeEnv(prefix), conf);

const ls = (env: TestEnv, dir: string) => {
  try {
    return readdirSync(join(env.root, dir));
  } catch {
    return [];
  }
};

/** Nothing of any image: no image, blob, ingest file or layer. */
async function assertEmptyStore(env: TestEnv): Promise<void> {
  assert.equal((await ok(env, ['images', '-q'])).trim(), '');
  assert.deepEqual(ls(env, 'content/blobs/sha256'), []);
  assert.deepEqual(ls(env, 'content/ingest'), []);
  assert.deepEqual(ls(env, 'overlay').filter((d) => d !== 'l'), []);
}

const dfLine = (out: string) => out.split('\n').find((l) => l.startsWith('Partial Downloads'));

before(async () => {
  src = makeEnv('skiff-hostile-src-');
  reg = await startRegistry(join(src.dir, 'registry'));
  hostile = await startHostile(reg.host);
  const small = await writeLayerTar(join(src.dir, 'small.tar'), { 'app/small.txt': 'small\n' });
  // Random text: still about a megabyte once push has gzip'd it, so a download can stall midway.
  const big = await writeLayerTar(join(src.dir, 'big.tar'), { 'app/big.txt': randomBytes(1 << 20).toString('base64') });
  await writeOciArchive(join(src.dir, 'app.tar'), [{ name: 'app:1', layers: [small, big] }]);
  await ok(src, ['load', '-i', join(src.dir, 'app.tar')]);
  await ok(src, ['push', 'app:1', `${reg.host}/x/app:1`]);
  app = await registryManifest(reg.host, 'x/app', '1');
});
after(async () => {
  await hostile.close();
  reg.stop();
  src.cleanup();
});

const blobPath = (digest: string) => `/v2/x/app/blobs/${digest}`;
const bigLayer = () => app.doc.layers.at(-1)!;

test('a layer that never ends is cut off past its size and refused; image prune leaves nothing', async () => {
  const env = makeHostileEnv('skiff-hostile-endless-');
  const layer = bigLayer();
  hostile.rules.set(blobPath(layer.digest), { kind: 'endless' });
  try {
    const r = await env.runAsync(['pull', `${hostile.host}/x/app:1`]);
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, new RegExp(`blob ${layer.digest} in ${hostile.host}/x/app: the registry sent more than the ${layer.size} bytes its descriptor gives`));
    assert.deepEqual(ls(env, 'content/ingest'), [], 'a refused body is not kept for a resume');
    await ok(env, ['image', 'prune', '-f']);
    await assertEmptyStore(env);
  } finally {
    hostile.rules.clear();
    env.cleanup();
  }
});

test('image copy from a registry whose layer never ends fails the same way', async () => {
  const env = makeHostileEnv('skiff-hostile-copy-');
  const layer = bigLayer();
  hostile.rules.set(blobPath(layer.digest), { kind: 'endless' });
  try {
    const r = await env.runAsync(['image', 'copy', `docker://${hostile.host}/x/app:1`, `oci:${join(env.dir, 'layout')}:app`]);
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, new RegExp(`the registry sent more than the ${layer.size} bytes its descriptor gives`));
  } finally {
    hostile.rules.clear();
    env.cleanup();
  }
});

test('a registry that stalls mid-layer fails the pull naming it; the part held counts in system df until image prune removes it', async () => {
  const env = makeHostileEnv('skiff-hostile-stall-');
  const layer = bigLayer();
  hostile.rules.set(blobPath(layer.digest), { kind: 'stall-body', after: 256 << 10 });
  try {
    const r = await env.runAsync(['pull', `${hostile.host}/x/app:1`]);
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, new RegExp(`blob ${layer.digest} in ${hostile.host}/x/app: the registry sent nothing for 1s \\(engine.registry_idle_timeout in skiff.conf\\)`));
    // The part downloaded stays for a resume, held by no process: it shows as reclaimable.
    const held = await ok(env, ['system', 'df']);
    assert.match(dfLine(held) ?? '', /^Partial Downloads\s+1\s+0\s+(\S+)\s+\1 \(100%\)$/, held);
    const verbose = await ok(env, ['system', 'df', '-v']);
    assert.match(verbose, /Partial downloads: \S+ in 1 ingest file\(s\), 0 held by a pull in progress/);
    await ok(env, ['image', 'prune', '-f']);
    await assertEmptyStore(env);
    assert.match(dfLine(await ok(env, ['system', 'df'])) ?? '', /^Partial Downloads\s+0\s+0\s+0B\s+0B$/);
  } finally {
    hostile.rules.clear();
    env.cleanup();
  }
});

test('a registry that stalls after the headers, or never answers, fails the pull with the idle timeout; system prune leaves nothing', async () => {
  const env = makeHostileEnv('skiff-hostile-headers-');
  try {
    hostile.rules.set(blobPath(app.doc.config.digest), { kind: 'stall-body', after: 0 });
    const r = await env.runAsync(['pull', `${hostile.host}/x/app:1`]);
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, new RegExp(`blob ${app.doc.config.digest} in ${hostile.host}/x/app: the registry sent nothing for 1s`));
    hostile.rules.clear();
    hostile.rules.set('/v2/x/app/manifests/1', { kind: 'stall-headers' });
    const m = await env.runAsync(['pull', `${hostile.host}/x/app:1`]);
    assert.equal(m.code, 125, m.stderr);
    assert.match(m.stderr, new RegExp(`manifest ${hostile.host}/x/app:1: the registry sent nothing for 1s`));
    await ok(env, ['system', 'prune', '-f']);
    await assertEmptyStore(env);
  } finally {
    hostile.rules.clear();
    env.cleanup();
  }
});

test('a manifest or config longer than its descriptor is refused', async () => {
  const env = makeHostileEnv('skiff-hostile-long-');
  const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: app.digest, size: app.bytes.length, platform: { os: 'linux', architecture: arch } }],
    }),
  );
  try {
    hostile.rules.set('/v2/x/app/manifests/multi', { kind: 'serve', contentType: 'application/vnd.oci.image.index.v1+json', body: index });
    hostile.rules.set(`/v2/x/app/manifests/${app.digest}`, { kind: 'pad', extra: 4096 });
    const r = await env.runAsync(['pull', `${hostile.host}/x/app:multi`]);
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, new RegExp(`manifest ${hostile.host}/x/app@${app.digest}: the registry sent more than the ${app.bytes.length} bytes its descriptor gives`));
    hostile.rules.clear();
    hostile.rules.set(blobPath(app.doc.config.digest), { kind: 'pad', extra: 1 });
    const c = await env.runAsync(['pull', `${hostile.host}/x/app:1`]);
    assert.equal(c.code, 125, c.stderr);
    assert.match(c.stderr, new RegExp(`blob ${app.doc.config.digest} in ${hostile.host}/x/app: the registry sent more than the ${app.doc.config.size} bytes its descriptor gives`));
    await ok(env, ['image', 'prune', '-f']);
    await assertEmptyStore(env);
  } finally {
    hostile.rules.clear();
    env.cleanup();
  }
});

test('descriptor sizes over the configured caps are refused before any download', async () => {
  const layer = bigLayer();
  const env = makeHostileEnv('skiff-hostile-cap-', `registry_max_blob_size = "${layer.size - 1}"\n`);
  const tiny = makeHostileEnv('skiff-hostile-cap-manifest-', `registry_max_manifest_size = "${app.bytes.length - 1}B"\n`);
  try {
    const mark = hostile.log.length;
    const r = await env.runAsync(['pull', `${hostile.host}/x/app:1`]);
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, new RegExp(`layer ${layer.digest} of ${hostile.host}/x/app:1: its descriptor claims ${layer.size} bytes, more than the ${layer.size - 1} allowed \\(engine.registry_max_blob_size in skiff.conf\\)`));
    assert.deepEqual(hostile.log.slice(mark).filter((l) => l.includes('/blobs/')), [], 'no blob was asked for');
    await assertEmptyStore(env);
    const m = await tiny.runAsync(['pull', `${hostile.host}/x/app:1`]);
    assert.equal(m.code, 125, m.stderr);
    assert.match(m.stderr, new RegExp(`manifest ${hostile.host}/x/app:1: larger than ${app.bytes.length - 1} bytes \\(engine.registry_max_manifest_size in skiff.conf\\)`));
    // Within both caps the same image pulls.
    setEngineConf(tiny, `registry_max_manifest_size = "${app.bytes.length}B"\nregistry_max_blob_size = "${layer.size}"\n`);
    await ok(tiny, ['pull', `${hostile.host}/x/app:1`]);
    assert.equal((await ok(tiny, ['images', '-q'])).trim().length, 12);
  } finally {
    env.cleanup();
    tiny.cleanup();
  }
});

test('through the API service: a stalled pull ends its stream with the error while the service keeps answering; prune empties the store', async () => {
  const env = makeHostileEnv('skiff-hostile-api-');
  const layer = bigLayer();
  const sock = join(env.dir, 'api.sock');
  const proc = spawn(process.execPath, [SKIFF_BIN, 'system', 'service', '--time', '0', `unix://${sock}`], { env: env.env, stdio: 'ignore' });
  const exited = new Promise((r) => proc.once('exit', r));
  try {
    for (let up = false; !up; ) {
      assert.equal(proc.exitCode, null, 'the service exited');
      up = await new Promise<boolean>((res) => {
        const s = connect(sock);
        s.once('connect', () => (s.destroy(), res(true)));
        s.once('error', () => setTimeout(() => res(false), 50));
      });
    }
    hostile.rules.set(blobPath(layer.digest), { kind: 'stall-body', after: 128 << 10 });
    const pulling = apiRequest(sock, 'POST', `/v1.41/images/create?fromImage=${encodeURIComponent(`${hostile.host}/x/app`)}&tag=1`);
    // Asked while the download sits in the stall: the service's event loop is free.
    for (let i = 0; i < 100 && !hostile.log.some((l) => l.endsWith(layer.digest)); i++) await new Promise((r) => setTimeout(r, 20));
    const ping = await apiRequest(sock, 'GET', '/_ping');
    assert.equal(ping.status, 200);
    const r = await pulling;
    assert.equal(r.status, 200, r.text);
    const last = jsonLines(r.text).at(-1) as { errorDetail?: { message: string } };
    assert.match(last.errorDetail?.message ?? '', new RegExp(`blob ${layer.digest} in ${hostile.host}/x/app: the registry sent nothing for 1s`), r.text);
    assert.equal(ls(env, 'content/ingest').length, 1, 'the part downloaded is kept for a resume');
    const prune = await apiRequest(sock, 'POST', '/v1.41/images/prune');
    assert.equal(prune.status, 200, prune.text);
    await assertEmptyStore(env);
  } finally {
    hostile.rules.clear();
    proc.kill('SIGTERM');
    await exited;
    env.cleanup();
  }
});
