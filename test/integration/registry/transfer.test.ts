// Incremental, verified and resumable pulls, observed through a proxy in front of docker-registry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdirSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { makeEnv, SKIFF_BIN, type TestEnv } from '../../helpers/env.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';
import { writeLayerTar, writeOciArchive } from '../../helpers/oci-archive.js';
import { startProxy, startRegistry, type Proxy, type Registry } from './fixtures.js';

let src: TestEnv;
let reg: Registry;
let proxy: Proxy;

// The proxy runs in this process: anything that goes through it must not block the event loop.
async function ok(env: TestEnv, args: string[]): Promise<string> {
  const r = await env.runAsync(args);
  assert.equal(r.code, 0, `skiff ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  src = makeEnv('skiff-reg-xfer-');
  reg = await startRegistry(join(src.dir, 'registry'));
  proxy = await startProxy(reg.host);
  const base = makeBusyboxTar(src.dir, join(src.dir, 'base.tar'));
  const one = await writeLayerTar(join(src.dir, 'one.tar'), { 'app/one.txt': 'one\n' });
  const two = await writeLayerTar(join(src.dir, 'two.tar'), { 'app/two.txt': 'two\n' });
  // Random bytes do not compress: a layer big enough to be caught mid-download.
  const bigFile = join(src.dir, 'big.bin');
  writeFileSync(bigFile, randomBytes(6 << 20));
  const bigDir = join(src.dir, 'bigroot');
  const { mkdirSync, copyFileSync } = await import('node:fs');
  mkdirSync(join(bigDir, 'data'), { recursive: true });
  copyFileSync(bigFile, join(bigDir, 'data/big.bin'));
  const { tarDir } = await import('../../helpers/busybox.js');
  const big = tarDir(bigDir, join(src.dir, 'big.tar'));
  await writeOciArchive(join(src.dir, 'all.tar'), [
    { name: 'app1:latest', layers: [base, one] },
    { name: 'app2:latest', layers: [base, two] },
    { name: 'big:latest', layers: [base, big] },
    { name: 'bad:latest', layers: [base, two, one] },
  ]);
  await ok(src, ['load', '-i', join(src.dir, 'all.tar')]);
  for (const n of ['app1', 'app2', 'big', 'bad']) {
    await ok(src, ['push', n, `${proxy.host}/x/${n}:1`]);
  }
});
after(async () => {
  await proxy.close();
  reg.stop();
  src.cleanup();
});

const blobGetsSince = (mark: number) => proxy.blobGets().slice(mark);

test('a second image sharing a base downloads only its new layer and config', async () => {
  const env = makeEnv('skiff-reg-inc-');
  try {
    let mark = proxy.blobGets().length;
    await ok(env, ['pull', `${proxy.host}/x/app1:1`]);
    assert.equal(blobGetsSince(mark).length, 3, 'config + base + layer one');
    mark = proxy.blobGets().length;
    const out = await ok(env, ['pull', `${proxy.host}/x/app2:1`]);
    assert.equal(blobGetsSince(mark).length, 2, 'config + layer two only');
    assert.match(out, /Already exists/);
    mark = proxy.blobGets().length;
    // The same image under another name: no blob at all.
    await ok(src, ['tag', 'app1', `${proxy.host}/y/again:1`]);
    await ok(src, ['push', `${proxy.host}/y/again:1`]);
    mark = proxy.blobGets().length;
    const again = await ok(env, ['pull', `${proxy.host}/y/again:1`]);
    assert.deepEqual(blobGetsSince(mark), []);
    assert.match(again, /Image is up to date/);
  } finally {
    env.cleanup();
  }
});

test('a corrupted blob is refused and nothing of the image is left', async () => {
  const env = makeEnv('skiff-reg-bad-');
  try {
    // Corrupt the top layer: it is fetched after the base, so a verified blob is there to clean up.
    const r0 = spawnSyncSkopeo(`${reg.host}/x/bad:1`);
    const top = r0.layers.at(-1)!;
    proxy.corrupt.add(top);
    const r = await env.runAsync(['pull', `${proxy.host}/x/bad:1`]);
    proxy.corrupt.delete(top);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /refused: its content does not match its digest/);
    assert.equal((await ok(env, ['images', '-q'])).trim(), '');
    assert.deepEqual(readdirSync(join(env.root, 'content/blobs/sha256')), []);
    assert.deepEqual(readdirSync(join(env.root, 'content/ingest')), []);
    await ok(env, ['pull', `${proxy.host}/x/bad:1`]);
  } finally {
    env.cleanup();
  }
});

test('a pull killed mid-layer resumes with a Range request', async () => {
  const env = makeEnv('skiff-reg-resume-');
  try {
    const layers = spawnSyncSkopeo(`${reg.host}/x/big:1`).layers;
    const big = layers.at(-1)!;
    proxy.throttle.set(big, 2 << 20);
    const p = spawn(process.execPath, [SKIFF_BIN, 'pull', `${proxy.host}/x/big:1`], { env: env.env, stdio: 'ignore' });
    // Wait until part of the big layer sits in the ingest (the base is about 1 MB), then kill the CLI.
    const ingest = join(env.root, 'content/ingest');
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const dirs = (() => {
        try {
          return readdirSync(ingest);
        } catch {
          return [];
        }
      })();
      const { statSync } = await import('node:fs');
      if (dirs.some((d) => { try { return statSync(join(ingest, d, 'data')).size > 2 << 20; } catch { return false; } })) break;
    }
    p.kill('SIGKILL');
    await new Promise((r) => p.once('close', r));
    proxy.throttle.delete(big);
    const mark = proxy.log.length;
    const out = await ok(env, ['pull', `${proxy.host}/x/big:1`]);
    const gets = proxy.log.slice(mark).filter((l) => l.method === 'GET' && l.url.endsWith(big));
    assert.equal(gets.length, 1);
    assert.match(gets[0]!.range ?? '', /^bytes=\d+-$/);
    assert.ok(Number(/\d+/.exec(gets[0]!.range!)![0]) > 1 << 20);
    assert.equal(gets[0]!.status, 206);
    assert.match(out, /Resuming from|Pull complete/);
    assert.equal((await ok(env, ['run', '--rm', `${proxy.host}/x/big:1`, 'sh', '-c', 'wc -c < /data/big.bin'])).trim(), String(6 << 20));
  } finally {
    env.cleanup();
  }
});

test('a layer is unpacked while it downloads, and recorded only after its digest matched', async () => {
  const env = makeEnv('skiff-reg-stream-');
  try {
    const big = spawnSyncSkopeo(`${reg.host}/x/big:1`).layers.at(-1)!;
    proxy.throttle.set(big, 2 << 20);
    const pulling = env.runAsync(['pull', `${proxy.host}/x/big:1`]);
    const { statSync, readdirSync: ls } = await import('node:fs');
    const ingestSize = () => {
      try {
        return ls(join(env.root, 'content/ingest')).reduce((a, d) => a + statSync(join(env.root, 'content/ingest', d, 'data')).size, 0);
      } catch {
        return 0;
      }
    };
    const unpacked = () => {
      try {
        return ls(join(env.root, 'overlay'))
          .map((id) => join(env.root, 'overlay', id, 'diff/data/big.bin'))
          .reduce((a, f) => a + (statSync(f, { throwIfNoEntry: false })?.size ?? 0), 0);
      } catch {
        return 0;
      }
    };
    // Layers marked complete (findable by chain ID), read while the pull runs.
    const complete = () => {
      const db = new Database(join(env.root, 'skiff.db'), { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM layers WHERE complete = 1').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    let seen: { unpacked: number; ingest: number; complete: number } | undefined;
    for (let i = 0; i < 100 && !seen; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const u = unpacked();
      const held = ingestSize();
      if (u > 1 << 20 && held > 0 && held < 6 << 20) seen = { unpacked: u, ingest: held, complete: complete() };
    }
    proxy.throttle.delete(big);
    const r = await pulling;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(seen, 'part of the file was on disk while the blob was still downloading');
    assert.equal(seen.complete, 1, 'only the base layer was findable then');
    assert.equal(complete(), 2);
    assert.equal((await ok(env, ['run', '--rm', `${proxy.host}/x/big:1`, 'sh', '-c', 'wc -c < /data/big.bin'])).trim(), String(6 << 20));
  } finally {
    env.cleanup();
  }
});

test('two pulls of one image into one store at once: one writer per blob, both succeed', async () => {
  const env = makeEnv('skiff-reg-twice-');
  try {
    const big = spawnSyncSkopeo(`${reg.host}/x/big:1`).layers.at(-1)!;
    // Slow enough that both processes are inside the big layer's download together.
    proxy.throttle.set(big, 4 << 20);
    const mark = proxy.log.length;
    const [a, b] = await Promise.all([env.runAsync(['pull', `${proxy.host}/x/big:1`]), env.runAsync(['pull', `${proxy.host}/x/big:1`])]);
    proxy.throttle.delete(big);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    // One writer: the other process waited for it and found the blob, downloading nothing of it.
    const bigGets = proxy.log.slice(mark).filter((l) => l.method === 'GET' && l.url.endsWith(big));
    assert.equal(bigGets.length, 1, JSON.stringify(bigGets));
    assert.deepEqual(readdirSync(join(env.root, 'content/ingest')), []);
    assert.equal((await ok(env, ['run', '--rm', `${proxy.host}/x/big:1`, 'sh', '-c', 'wc -c < /data/big.bin'])).trim(), String(6 << 20));
    assert.equal((await ok(env, ['images', '-q'])).trim().split('\n').length, 1);
  } finally {
    env.cleanup();
  }
});

import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
const Database = createRequire(import.meta.url)('better-sqlite3') as new (p: string, o: object) => {
  prepare(s: string): { get(): unknown };
  close(): void;
};
function spawnSyncSkopeo(ref: string): { layers: string[] } {
  const r = spawnSync('skopeo', ['inspect', '--tls-verify=false', `docker://${ref}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { layers: JSON.parse(r.stdout).Layers };
}
