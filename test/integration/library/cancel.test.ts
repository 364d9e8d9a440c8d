// Long calls of the library take an AbortSignal: aborting fails them with EngineError code
// Canceled (a pull tears its registry connections down, a wait stops waiting), and the engine
// is usable afterwards. Runs the library from source (src/lib), with its own roots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeEnv, type TestEnv } from '../../helpers/env.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';
import { root, overlay, tool, unmet } from '../../helpers/requires.js';
import { startProxy, startRegistry, type Proxy, type Registry } from '../registry/fixtures.js';
import { createEngine, isEngineError, type Engine } from '../../../src/lib/index.js';

const skip = unmet(root(), overlay(), tool('runc'), tool('conmon'), tool('docker-registry'));
let env: TestEnv;
let reg: Registry;
let proxy: Proxy;
let engine: Engine;
let layer = '';

before(async () => {
  if (skip) return;
  env = makeEnv('skiff-lib-cancel-');
  reg = await startRegistry(join(env.dir, 'registry'));
  proxy = await startProxy(reg.host);
  const tar = makeBusyboxTar(env.dir, join(env.dir, 'busybox.tar'));
  const src = makeEnv('skiff-lib-cancel-src-');
  try {
    for (const args of [['import', '-c', 'CMD ["/bin/sh"]', tar, 'bb:latest'], ['push', 'bb:latest', `docker://${reg.host}/lib/bb:1`]]) {
      const r = src.run(args);
      assert.equal(r.code, 0, r.stderr);
    }
  } finally {
    src.cleanup();
  }
  const conf = join(env.dir, 'lib.conf');
  writeFileSync(conf, `[storage]\ndriver = "overlay"\nroot = "${env.root}"\nrunroot = "${env.runroot}"\n`);
  engine = createEngine({ configFile: conf });
});

after(async () => {
  if (skip) return;
  engine?.close();
  await proxy?.close();
  reg?.stop();
  env?.run(['rm', '-af']);
  env?.cleanup();
});

test('a pull aborted mid-layer fails as Canceled, leaves no image, and the next pull completes', { skip }, async () => {
  const ref = `${proxy.host}/lib/bb:1`;
  // Slow enough that the abort lands while the layer is still coming.
  const blob = await (async () => {
    const r = await fetch(`http://${reg.host}/v2/lib/bb/manifests/1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' } });
    return ((await r.json()) as { layers: { digest: string }[] }).layers[0]!.digest;
  })();
  proxy.throttle.set(blob, 64 << 10);
  const ac = new AbortController();
  const pulling = engine.images.pull(ref, {
    signal: ac.signal,
    onProgress: (e) => {
      if (e.type === 'layer' && e.status === 'downloading') {
        layer ||= e.id;
        ac.abort();
      }
    },
  });
  await assert.rejects(pulling, (e: unknown) => isEngineError(e, 'Canceled'));
  proxy.throttle.delete(blob);
  assert.ok(layer, 'the pull reported a downloading layer before the abort');
  assert.equal(await engine.images.exists(ref), false);
  const done = await engine.images.pull(ref);
  assert.match(done.id, /^sha256:/);
  assert.equal(await engine.images.exists(ref), true);
});

test('an already aborted signal fails a pull at once as Canceled, without a request', { skip }, async () => {
  const mark = proxy.log.length;
  await assert.rejects(engine.images.pull(`${proxy.host}/lib/bb:1`, { signal: AbortSignal.abort() }), (e: unknown) => isEngineError(e, 'Canceled'));
  assert.equal(proxy.log.length, mark);
});

test('a wait aborted while the container runs fails as Canceled and the container runs on', { skip }, async () => {
  const { id } = await engine.containers.create({ image: `${proxy.host}/lib/bb:1`, command: ['sleep', '60'], network: 'none' });
  try {
    await engine.containers.start(id);
    const ac = new AbortController();
    const waiting = engine.containers.wait(id, { signal: ac.signal });
    setTimeout(() => ac.abort(), 300);
    await assert.rejects(waiting, (e: unknown) => isEngineError(e, 'Canceled'));
    assert.equal((await engine.containers.inspect(id)).State.Running, true);
  } finally {
    await engine.containers.remove(id, { force: true });
  }
});

test('an event follow ends when its signal aborts', { skip }, async () => {
  const ac = new AbortController();
  const seen: string[] = [];
  setTimeout(() => ac.abort(), 300);
  for await (const e of engine.events.follow({ signal: ac.signal })) seen.push(e.Action);
  assert.deepEqual(seen, []);
});
