// `image trust show` lists the policy as Podman's `image trust show` does (Podman as the reference).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeEnv } from '../../helpers/env.js';
import { podmanPeer } from '../../helpers/podman.js';
import { tool, unmet } from '../../helpers/requires.js';
import { ok } from '../registry/fixtures.js';
import { makeGpgKey, stopAgent, writePolicy } from './fixtures.js';

const env = makeEnv('skiff-trust-show-');
after(() => {
  made?.stop();
  env.cleanup();
});

let made: { policy: string; registriesD: string; email: string; stop(): void } | undefined;
function setup(): { policy: string; registriesD: string; email: string; stop(): void } {
  if (made) return made;
  const key = makeGpgKey(env.dir, 'shown', 'ed25519');
  const registriesD = join(env.dir, 'registries.d');
  mkdirSync(registriesD, { recursive: true });
  writeFileSync(join(registriesD, 'a.yaml'), 'default-docker:\n  lookaside: file:///srv/sigs\ndocker:\n  reg.io/team:\n    lookaside: https://sigs.example/team\n');
  const policy = writePolicy(env.dir, 'policy', {
    default: [{ type: 'reject' }],
    transports: {
      docker: {
        'reg.io/team/app': [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: key.publicKey }],
        'docker.io': [{ type: 'insecureAcceptAnything' }],
        'quay.io/x': [{ type: 'reject' }],
        'other.io': [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: key.publicKey }],
      },
      'docker-daemon': { '': [{ type: 'insecureAcceptAnything' }] },
    },
  });
  made = { policy, registriesD, email: 'shown@skiff.test', stop: () => stopAgent(key) };
  return made;
}

test('trust show lists default, docker scopes and other transports with type, key e-mail and signature store', { skip: unmet(tool('gpg')) }, () => {
  const s = setup();
  {
    const out = ok(env, ['image', 'trust', 'show', '--policypath', s.policy, '--registrypath', s.registriesD]);
    const rows = out.trimEnd().split('\n').map((l) => l.trimEnd().split(/\s{2,}/));
    assert.deepEqual(rows, [
      ['TRANSPORT', 'NAME', 'TYPE', 'ID', 'STORE'],
      ['all', 'default', 'reject', 'file:///srv/sigs'],
      ['repository', 'docker.io', 'accept', 'file:///srv/sigs'],
      ['repository', 'other.io', 'signed', s.email, 'file:///srv/sigs'],
      ['repository', 'quay.io/x', 'reject', 'file:///srv/sigs'],
      ['repository', 'reg.io/team/app', 'signed', s.email, 'https://sigs.example/team'],
      ['docker-daemon', 'accept', 'file:///srv/sigs'],
    ]);
  }
});

test('trust show --json matches podman image trust show --json (key IDs aside: podman reads them with gpg2)', { skip: unmet(tool('gpg'), tool('podman')) }, () => {
  const s = setup();
  {
    const mine = JSON.parse(ok(env, ['image', 'trust', 'show', '--json', '--policypath', s.policy, '--registrypath', s.registriesD])) as Record<string, unknown>[];
    const peer = podmanPeer(join(env.dir, 'podman'));
    const r = spawnSync('podman', [...peer.args, 'image', 'trust', 'show', '--json', '--policypath', s.policy, '--registrypath', s.registriesD], { env: peer.env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const theirs = JSON.parse(r.stdout) as Record<string, unknown>[];
    const noIds = (xs: Record<string, unknown>[]) => xs.map(({ gpg_id: _, ...x }) => x);
    assert.deepEqual(noIds(mine), noIds(theirs));
    assert.deepEqual(mine.filter((x) => x.type === 'signed').map((x) => x.gpg_id), [s.email, s.email]);
  }
});
