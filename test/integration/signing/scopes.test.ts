// Per-registry, per-namespace, per-repository and per-tag `reject` / `insecureAcceptAnything`
// scopes decide as containers/image decides: skopeo copy under the same policy is the reference.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeEnv, type TestEnv } from '../../helpers/env.js';
import { tool, unmet } from '../../helpers/requires.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';
import { ok, startRegistry, type Registry } from '../registry/fixtures.js';
import { assertEmptyStore, writePolicy } from './fixtures.js';

const skip = unmet(tool('skopeo'), tool('docker-registry'));
const REPOS = ['a/bb:1', 'closed/bb:1', 'closed/except/bb:1', 'closed/exceptions/bb:1', 'open/bb:1', 'open/bb:2'];

let a: TestEnv;
let reg: Registry;
let policy = '';
const envs: TestEnv[] = [];

before(async () => {
  if (skip) return;
  a = makeEnv('skiff-sign-scopes-a-');
  reg = await startRegistry(join(a.dir, 'registry'));
  ok(a, ['import', '-c', 'CMD ["/bin/sh"]', makeBusyboxTar(a.dir, join(a.dir, 'busybox.tar')), 'bb:latest']);
  for (const r of REPOS) ok(a, ['push', 'bb:latest', `${reg.host}/${r}`]);
  mkdirSync(join(a.dir, 'oci'));
  const accept = [{ type: 'insecureAcceptAnything' }];
  const reject = [{ type: 'reject' }];
  policy = writePolicy(a.dir, 'policy', {
    default: reject,
    transports: {
      docker: {
        [reg.host]: accept,
        [`${reg.host}/closed`]: reject,
        [`${reg.host}/closed/except`]: accept,
        [`${reg.host}/open/bb:2`]: reject,
      },
    },
  });
});

after(() => {
  if (skip) return;
  reg?.stop();
  for (const e of envs) e.cleanup();
  a?.cleanup();
});

test('skiff pull accepts and refuses exactly the references skopeo copy does under the same policy', { skip }, () => {
  const decisions = REPOS.map((r) => {
    const name = `${reg.host}/${r}`;
    const s = spawnSync('skopeo', ['--policy', policy, 'copy', '--src-tls-verify=false', `docker://${name}`, `oci:${join(a.dir, 'oci', r.replace(/[/:]/g, '-'))}:x`], { encoding: 'utf8' });
    const e = makeEnv('skiff-sign-scopes-');
    envs.push(e);
    const k = e.run(['pull', '--signature-policy', policy, name]);
    if (k.code !== 0) {
      assert.match(k.stderr, /refused by signature policy .*requirement reject/);
      assertEmptyStore(e);
    }
    if (s.status !== 0) assert.match(s.stderr, /Source image rejected/, `skopeo refused ${r} for another reason`);
    return { name: r, skopeo: s.status === 0, skiff: k.code === 0 };
  });
  assert.deepEqual(
    decisions.map((d) => `${d.name} ${d.skiff}`),
    decisions.map((d) => `${d.name} ${d.skopeo}`),
  );
  // and the policy does decide both ways
  assert.deepEqual(
    decisions.map((d) => d.skiff),
    [true, false, true, false, true, false],
  );
});
