import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_REGISTRY_LIMITS } from '../../core/remotes/remotes.js';
import { loadConfig } from './load.js';

function withConf(text: string, fn: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-conf-'));
  try {
    writeFileSync(join(dir, 'skiff.conf'), text);
    fn(join(dir, 'skiff.conf'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('registry limits: defaults, skiff.conf [engine] settings, and refused values', () => {
  withConf('', (path) => assert.deepEqual(loadConfig({ path }).engine.registryLimits, DEFAULT_REGISTRY_LIMITS));
  withConf('[engine]\nregistry_idle_timeout = "1m30s"\nregistry_max_blob_size = "2GiB"\nregistry_max_manifest_size = "512k"\n', (path) =>
    assert.deepEqual(loadConfig({ path }).engine.registryLimits, { idleTimeoutMs: 90_000, maxBlobSize: 2 * 1024 ** 3, maxManifestSize: 512 << 10 }),
  );
  withConf('[engine]\nregistry_idle_timeout = 5\n', (path) => assert.equal(loadConfig({ path }).engine.registryLimits.idleTimeoutMs, 5000));
  for (const [line, why] of [
    ['registry_idle_timeout = "soon"', /engine.registry_idle_timeout must be a duration such as "30s", not "soon"/],
    ['registry_idle_timeout = "0s"', /engine.registry_idle_timeout must be a duration/],
    ['registry_max_blob_size = "lots"', /engine.registry_max_blob_size must be a size such as "4MiB", not "lots"/],
    ['registry_max_manifest_size = 0', /engine.registry_max_manifest_size must be a size/],
  ] as const) {
    withConf(`[engine]\n${line}\n`, (path) => assert.throws(() => loadConfig({ path }), why));
  }
});
