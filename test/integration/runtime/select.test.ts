// Runtime selection: an explicit name or path is honoured; otherwise the first runtime that
// really runs a container here (crun 1.8 refuses this cgroup-v1 hybrid host) is picked, and
// the probe is cached in the runroot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../../src/core/config/types.js';
import { isEngineError } from '../../../src/core/errdefs.js';
import { findRuntime, openRuntime, selectRuntime } from '../../../src/impl/runtime/runtimes.js';
import { removeTree } from '../../helpers/env.js';
import { RUNC, skipReason } from './fixtures.js';

const skip = skipReason();

test('auto-selection probes each runtime once and skips one that refuses this host', { skip }, async (t) => {
  const runroot = mkdtempSync(join(tmpdir(), 'skiff-rt-select-'));
  t.after(() => removeTree(runroot));
  const engine = defaultConfig().engine;
  const chosen = await selectRuntime(engine, runroot);
  const probeFile = join(runroot, 'runtime', 'probe.json');
  const cache = JSON.parse(readFileSync(probeFile, 'utf8')) as Record<string, { ok: boolean; reason?: string }>;
  const crun = Object.entries(cache).find(([p]) => p.endsWith('/crun'));
  if (crun && !crun[1].ok) {
    assert.equal(chosen.name, 'runc');
    assert.match(crun[1].reason ?? '', /cgroup/i, 'crun says why it refuses');
  } else {
    assert.ok(['crun', 'runc'].includes(chosen.name));
  }
  assert.equal(cache[chosen.path]?.ok, true);
  // The second call answers from the cache: no probe containers, same choice. Every probe
  // rewrites the cache file by a rename, so an unchanged inode means nothing was probed again.
  const ino = statSync(probeFile).ino;
  const t0 = Date.now();
  assert.deepEqual(await selectRuntime(engine, runroot), chosen);
  assert.ok(Date.now() - t0 < 1000);
  assert.equal(statSync(probeFile).ino, ino, 'probed again');
  const rt = await openRuntime(defaultConfig(), runroot);
  assert.equal(rt.name, chosen.name);
  const f = await rt.features();
  assert.match(f.version, new RegExp(chosen.name));
});

test('--runtime NAME|PATH: any executable is taken as told; unknown ones are NotFound', { skip }, async () => {
  const engine = defaultConfig().engine;
  assert.deepEqual(await findRuntime(RUNC, engine.runtimes), { name: 'runc', path: RUNC });
  assert.equal((await findRuntime('runc', engine.runtimes)).name, 'runc');
  if (existsSync('/usr/bin/crun')) {
    assert.deepEqual(await selectRuntime({ ...engine, runtime: 'crun' }, '/nonexistent'), { name: 'crun', path: '/usr/bin/crun' });
  }
  await assert.rejects(findRuntime('no-such-runtime', engine.runtimes), (e: unknown) => isEngineError(e, 'NotFound'));
  await assert.rejects(findRuntime('/etc/passwd', engine.runtimes), (e: unknown) => isEngineError(e, 'NotFound'));
});
