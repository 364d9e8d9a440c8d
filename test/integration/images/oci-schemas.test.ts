// What skiff writes (manifests, configs, indexes, layouts) validates against the OCI JSON schemas.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, readdirSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { makeEnv, type TestEnv } from '../../helpers/env.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';
import { validateOci } from '../../helpers/oci-schema.js';

let env: TestEnv;
before(() => {
  env = makeEnv();
  const tar = makeBusyboxTar(env.dir, join(env.dir, 'busybox.tar'));
  assert.equal(env.run(['import', '--change', 'CMD ["/bin/sh"]', '--change', 'EXPOSE 80', tar, 'schema:1']).code, 0);
});
after(() => env.cleanup());

test('stored manifest and config validate', () => {
  const dir = join(env.root, 'content/blobs/sha256');
  let manifests = 0;
  let configs = 0;
  for (const hex of readdirSync(dir)) {
    const bytes = readFileSync(join(dir, hex));
    if (bytes[0] !== 0x7b) continue;
    const doc = JSON.parse(bytes.toString('utf8'));
    if (doc.schemaVersion === 2) {
      validateOci('manifest', doc);
      manifests++;
    } else if (doc.rootfs) {
      validateOci('config', doc);
      configs++;
    }
  }
  assert.equal(manifests, 1);
  assert.equal(configs, 1);
});

test('oci-archive layout, index, manifest and config validate', () => {
  const file = join(env.dir, 'oci.tar');
  assert.equal(env.run(['save', '--format', 'oci-archive', '-o', file, 'schema:1']).code, 0);
  const out = join(env.dir, 'oci');
  mkdirSync(out);
  execFileSync('tar', ['-xf', file, '-C', out]);
  validateOci('layout', JSON.parse(readFileSync(join(out, 'oci-layout'), 'utf8')));
  const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
  validateOci('index', index);
  const blob = (d: string) => JSON.parse(readFileSync(join(out, 'blobs/sha256', d.slice(7)), 'utf8'));
  const manifest = blob(index.manifests[0].digest);
  validateOci('manifest', manifest);
  validateOci('config', blob(manifest.config.digest));
  for (const l of manifest.layers) validateOci('descriptor', l);
});
