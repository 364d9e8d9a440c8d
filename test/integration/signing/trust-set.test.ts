// `image trust set` changes policy.json as Podman's `image trust set` does (Podman 4.3 as the
// reference: the same commands from the same file give the same bytes), and pull obeys the result.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeEnv } from '../../helpers/env.js';
import { podmanPeer } from '../../helpers/podman.js';
import { tool, unmet } from '../../helpers/requires.js';

const env = makeEnv('skiff-trust-set-');
after(() => env.cleanup());

const START = '{"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker-daemon":{"":[{"type":"insecureAcceptAnything"}]}}}';

test('trust set writes the same policy.json bytes as podman image trust set for accept, reject, signedBy and sigstoreSigned scopes', { skip: unmet(tool('podman')) }, () => {
  const mine = join(env.dir, 'skiff-policy.json');
  const theirs = join(env.dir, 'podman-policy.json');
  writeFileSync(mine, START);
  copyFileSync(mine, theirs);
  const gpgKey = join(env.dir, 'k.gpg');
  const sigKey = join(env.dir, 'k.pub');
  writeFileSync(gpgKey, '');
  writeFileSync(sigKey, '');
  const steps = [
    ['-t', 'reject', 'default'],
    ['-t', 'signedBy', '-f', gpgKey, '-f', `${gpgKey}.2`, 'reg.io/team'],
    ['-t', 'accept', 'reg.io'],
    ['-t', 'sigstoreSigned', '-f', sigKey, 'reg.io/x/app'],
    ['-t', 'insecureAcceptAnything', 'docker.io'],
    ['-t', 'reject', 'reg.io/team'],
  ];
  const p = podmanPeer(env.dir);
  for (const s of steps) {
    const r = env.run(['image', 'trust', 'set', '--policypath', mine, ...s]);
    assert.equal(r.code, 0, `skiff ${s.join(' ')}: ${r.stderr}`);
    const q = spawnSync('podman', [...p.args, 'image', 'trust', 'set', '--policypath', theirs, ...s], { encoding: 'utf8', env: p.env });
    assert.equal(q.status, 0, `podman ${s.join(' ')}: ${q.stderr}`);
    assert.equal(readFileSync(mine, 'utf8'), readFileSync(theirs, 'utf8'), `after ${s.join(' ')}`);
  }
});

test('trust set refuses signedBy and sigstoreSigned without a key, a key for accept, and an unknown type, leaving the file as it was', () => {
  const file = join(env.dir, 'refused.json');
  writeFileSync(file, START);
  for (const [args, why] of [
    [['-t', 'signedBy', 'reg.io'], /at least one public key must be defined for type "signedBy"/],
    [['-t', 'sigstoreSigned', 'reg.io'], /at least one public key must be defined for type "sigstoreSigned"/],
    [['-t', 'accept', '-f', '/k', 'reg.io'], /--pubkeysfile option is not supported for type "accept"/],
    [['-t', 'maybe', 'reg.io'], /invalid choice "maybe" for --type/],
    [['-t', 'reject', 'docker://reg.io'], /without a transport/],
  ] as const) {
    const r = env.run(['image', 'trust', 'set', '--policypath', file, ...args]);
    assert.equal(r.code, 125, args.join(' '));
    assert.match(r.stderr, why);
  }
  assert.equal(readFileSync(file, 'utf8'), START);
});

test('trust show --json lists a sigstoreSigned scope as podman image trust show --json does', { skip: unmet(tool('podman')) }, () => {
  const file = join(env.dir, 'sigstore-shown.json');
  writeFileSync(file, JSON.stringify({ default: [{ type: 'reject' }], transports: { docker: { 'reg.io/x': [{ type: 'sigstoreSigned', keyPath: '/k.pub' }], 'reg.io': [{ type: 'insecureAcceptAnything' }] } } }));
  const mine = env.run(['image', 'trust', 'show', '--json', '--policypath', file]);
  assert.equal(mine.code, 0, mine.stderr);
  const p = podmanPeer(env.dir);
  const theirs = spawnSync('podman', [...p.args, 'image', 'trust', 'show', '--json', '--policypath', file], { encoding: 'utf8', env: p.env });
  assert.equal(theirs.status, 0, theirs.stderr);
  assert.deepEqual(JSON.parse(mine.stdout), JSON.parse(theirs.stdout));
});

test('trust show lists a scope trust set made, with its type', () => {
  const file = join(env.dir, 'shown.json');
  writeFileSync(file, START);
  const key = join(env.dir, 'shown.pub');
  writeFileSync(key, '');
  assert.equal(env.run(['image', 'trust', 'set', '--policypath', file, '-t', 'sigstoreSigned', '-f', key, 'reg.io/app']).code, 0);
  const r = env.run(['image', 'trust', 'show', '--json', '--policypath', file]);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { name?: string; type: string }[];
  assert.deepEqual(rows.find((x) => x.name === 'reg.io/app')?.type, 'sigstoreSigned');
});
