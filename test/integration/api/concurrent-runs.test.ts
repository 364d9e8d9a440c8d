// Many clients at once against one service (issue 20): 50 `docker run --rm` started together,
// on the default network (each a netavark setup and teardown) and without one, all finish.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { IMAGE, apiEnv, type ApiEnv } from './fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('docker'));
const COUNT = 50;
let env: ApiEnv;

before(async () => {
  if (!skip) env = await apiEnv('skiff-api-conc-');
});
after(async () => {
  await env?.stop();
});

async function runMany(network: string[]): Promise<void> {
  const results = await Promise.all(
    Array.from({ length: COUNT }, (_, i) => env.dockerAsync(['run', '--rm', ...network, IMAGE, 'echo', `run-${i}`])),
  );
  results.forEach((r, i) => {
    assert.equal(r.code, 0, `run ${i}: ${r.stderr}`);
    assert.equal(r.stdout, `run-${i}\n`, `run ${i}'s output`);
  });
  assert.equal(env.dockerOk(['ps', '-aq']).trim(), '', 'every --rm container is gone');
}

test(`${COUNT} concurrent docker run --rm --network none each exit 0 with their own output, and all are removed`, { skip }, async () => {
  await runMany(['--network', 'none']);
});

test(`${COUNT} concurrent docker run --rm on the default network each exit 0 with their own output, and all are removed`, { skip }, async () => {
  await runMany([]);
});
