// A registry behind htpasswd Basic auth: wrong or missing credentials fail clearly (exit 125),
// login stores working ones in the auth file, and push, pull and --pull=always then work.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { makeEnv, type TestEnv } from '../../helpers/env.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';
import { startRegistry, type Registry } from './fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('htpasswd'));
let env: TestEnv;
let reg: Registry;
let authfile: string;

before(async () => {
  if (skip) return;
  env = makeEnv('skiff-reg-auth-');
  authfile = join(env.dir, 'auth.json');
  // Both ways of naming the file: the env var for commands that take no --authfile here.
  env.env.REGISTRY_AUTH_FILE = authfile;
  env.env.DOCKER_CONFIG = join(env.dir, 'docker');
  reg = await startRegistry(join(env.dir, 'registry'), { htpasswd: { user: 'alice', password: 's3cret' } });
  const tar = makeBusyboxTar(env.dir, join(env.dir, 'busybox.tar'));
  assert.equal(env.run(['import', tar, 'bb:latest']).code, 0);
});
after(() => {
  reg?.stop();
  env?.cleanup();
});

test('without credentials a push is refused with exit 125 naming registry and repository', { skip }, () => {
  const r = env.run(['push', 'bb', `${reg.host}/private/bb:1`]);
  assert.equal(r.code, 125);
  assert.match(r.stderr, new RegExp(`${reg.host}/private/bb.*unauthorized`));
});

test('login with a wrong password fails with exit 125 and stores nothing', { skip }, () => {
  const r = env.run(['login', '-u', 'alice', '--password-stdin', reg.host], { input: 'wrong\n' });
  assert.equal(r.code, 125);
  assert.match(r.stderr, /invalid username or password/);
  assert.doesNotMatch(r.stderr + r.stdout, /wrong/);
  assert.ok(!existsSync(authfile));
});

test('login stores the credentials; push and pull then work; logout removes them', { skip }, () => {
  const l = env.run(['login', '-u', 'alice', '--password-stdin', '--authfile', authfile, reg.host], { input: 's3cret\n' });
  assert.equal(l.code, 0, l.stderr);
  assert.match(l.stdout, /Login Succeeded/);
  assert.doesNotMatch(l.stdout + l.stderr, /s3cret/);
  const doc = JSON.parse(readFileSync(authfile, 'utf8'));
  assert.equal(Buffer.from(doc.auths[reg.host].auth, 'base64').toString(), 'alice:s3cret');
  const p = env.run(['push', 'bb', `${reg.host}/private/bb:1`]);
  assert.equal(p.code, 0, p.stderr);
  const fresh = makeEnv('skiff-reg-auth2-');
  try {
    const r = fresh.run(['pull', `${reg.host}/private/bb:1`], { env: { REGISTRY_AUTH_FILE: authfile } });
    assert.equal(r.code, 0, r.stderr);
    const denied = fresh.run(['pull', `${reg.host}/private/bb:1`], { env: { REGISTRY_AUTH_FILE: join(fresh.dir, 'none.json') } });
    assert.equal(denied.code, 125);
    assert.match(denied.stderr, /unauthorized/);
    const run = fresh.run(['run', '--rm', '--pull=always', `${reg.host}/private/bb:1`, 'echo', 'ok'], { env: { REGISTRY_AUTH_FILE: authfile } });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'ok\n');
  } finally {
    fresh.cleanup();
  }
  const o = env.run(['logout', reg.host]);
  assert.equal(o.code, 0, o.stderr);
  assert.deepEqual(JSON.parse(readFileSync(authfile, 'utf8')).auths, {});
  assert.equal(env.run(['logout', reg.host]).code, 125);
});
