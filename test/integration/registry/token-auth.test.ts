// A registry behind Bearer token auth (docker-registry `auth: token` + a token service in this
// test): the Basic-auth flows again, plus one token per scope per pull, tokens cached across
// pulls in one process, both answer fields (`token`, `access_token`) and a refresh when the
// registry rejects an expired token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { makeEnv, SKIFF_BIN, type RunResult, type TestEnv } from '../../helpers/env.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';
import { startProxy, startRegistry, type Proxy, type Registry } from './fixtures.js';
import { ISSUER, SERVICE, startTokenServer, type TokenServer } from './token-server.js';

let env: TestEnv;
let reg: Registry;
let proxy: Proxy;
let tokens: TokenServer;
let authfile: string;
let host: string;
let pushed = '';

// The token service and the proxy run in this process: skiff must run asynchronously.
function run(e: TestEnv, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  if (opts.input === undefined) return e.runAsync(args, opts);
  return new Promise((res) => {
    const p = spawn(process.execPath, [SKIFF_BIN, ...args], { env: { ...e.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => res({ code: code ?? 128, stdout, stderr }));
    p.stdin.end(opts.input);
  });
}
async function ok(e: TestEnv, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const r = await run(e, args, opts);
  assert.equal(r.code, 0, `skiff ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  env = makeEnv('skiff-reg-token-');
  authfile = join(env.dir, 'auth.json');
  env.env.REGISTRY_AUTH_FILE = authfile;
  env.env.DOCKER_CONFIG = join(env.dir, 'docker');
  tokens = await startTokenServer(env.dir, 'alice', 's3cret');
  reg = await startRegistry(join(env.dir, 'registry'), {
    token: { realm: tokens.realm, service: SERVICE, issuer: ISSUER, rootCertBundle: tokens.certFile },
  });
  proxy = await startProxy(reg.host);
  host = proxy.host;
  const tar = makeBusyboxTar(env.dir, join(env.dir, 'busybox.tar'));
  await ok(env, ['import', '-c', 'CMD ["/bin/sh"]', tar, 'bb:latest']);
});
after(async () => {
  await proxy?.close();
  reg?.stop();
  await tokens?.close();
  env?.cleanup();
});

const since = (mark: number) => tokens.requests.slice(mark);

test('without credentials a push is refused with exit 125 naming registry and repository', async () => {
  const r = await run(env, ['push', 'bb', `${host}/private/bb:1`]);
  assert.equal(r.code, 125);
  assert.match(r.stderr, new RegExp(`${host}/private/bb.*unauthorized`));
});

test('login with a wrong password fails with exit 125 and stores nothing', async () => {
  const r = await run(env, ['login', '-u', 'alice', '--password-stdin', host], { input: 'wrong\n' });
  assert.equal(r.code, 125);
  assert.match(r.stderr, /invalid username or password/);
  assert.doesNotMatch(r.stderr + r.stdout, /wrong/);
  assert.ok(!existsSync(authfile));
});

test('login, push, pull by digest into a fresh root; one token per scope for a whole pull', async () => {
  const l = await run(env, ['login', '-u', 'alice', '--password-stdin', host], { input: 's3cret\n' });
  assert.equal(l.code, 0, l.stderr);
  assert.match(l.stdout, /Login Succeeded/);
  assert.doesNotMatch(l.stdout + l.stderr, /s3cret/);

  const digestFile = join(env.dir, 'digest');
  let mark = tokens.requests.length;
  await ok(env, ['push', '--digestfile', digestFile, 'bb', `${host}/private/bb:1`]);
  pushed = readFileSync(digestFile, 'utf8');
  assert.match(pushed, /^sha256:[a-f0-9]{64}$/);
  assert.deepEqual(
    since(mark).map((t) => [t.user, t.status, t.scopes.join(' ')]),
    [['alice', 200, 'repository:private/bb:pull,push']],
    'every request of the push shares one token',
  );

  const fresh = makeEnv('skiff-reg-token2-');
  try {
    mark = tokens.requests.length;
    const proxyMark = proxy.log.length;
    const ref = `${host}/private/bb@${pushed}`;
    assert.equal((await ok(fresh, ['pull', '-q', ref], { env: { REGISTRY_AUTH_FILE: authfile } })).trim(), ref);
    assert.deepEqual(since(mark).map((t) => [t.status, t.scopes.join(' ')]), [[200, 'repository:private/bb:pull']]);
    // Manifest, config and layer all went through with that one token.
    const gets = proxy.log.slice(proxyMark).filter((x) => x.method === 'GET' && x.url.includes('/private/bb/'));
    assert.ok(gets.length >= 3 && gets.every((x) => x.status === 200), JSON.stringify(gets));
    const inspect = JSON.parse(await ok(fresh, ['image', 'inspect', ref]))[0];
    assert.deepEqual(inspect.RepoDigests, [ref]);
    assert.equal(inspect.Id, JSON.parse(await ok(env, ['image', 'inspect', 'bb']))[0].Id);
    assert.equal((await ok(fresh, ['run', '--rm', ref, 'echo', 'ok'])).trim(), 'ok');
  } finally {
    fresh.cleanup();
  }
});

test('wrong or missing credentials on pull: a clear error and exit 125', async () => {
  const fresh = makeEnv('skiff-reg-token3-');
  try {
    const none = await run(fresh, ['pull', `${host}/private/bb:1`], { env: { REGISTRY_AUTH_FILE: join(fresh.dir, 'none.json') } });
    assert.equal(none.code, 125);
    assert.match(none.stderr, new RegExp(`${host}/private/bb.*unauthorized`));
    const bad = join(fresh.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ auths: { [host]: { auth: Buffer.from('alice:nope').toString('base64') } } }));
    const wrong = await run(fresh, ['pull', `${host}/private/bb:1`], { env: { REGISTRY_AUTH_FILE: bad } });
    assert.equal(wrong.code, 125);
    assert.match(wrong.stderr, /^Error: .*invalid username or password/m);
    assert.doesNotMatch(wrong.stderr, /nope/);
  } finally {
    fresh.cleanup();
  }
});

test('an OAuth2-style answer (access_token only) works as well', async () => {
  const fresh = makeEnv('skiff-reg-token4-');
  tokens.field = 'access_token';
  try {
    await ok(fresh, ['pull', `${host}/private/bb:1`], { env: { REGISTRY_AUTH_FILE: authfile } });
  } finally {
    tokens.field = 'token';
    fresh.cleanup();
  }
});

test('a token the registry rejects as expired is refreshed once and the pull goes on', async () => {
  const fresh = makeEnv('skiff-reg-token5-');
  try {
    tokens.expireNext.add('repository:private/bb:pull');
    const mark = tokens.requests.length;
    const proxyMark = proxy.log.length;
    await ok(fresh, ['pull', `${host}/private/bb@${pushed}`], { env: { REGISTRY_AUTH_FILE: authfile } });
    assert.equal(since(mark).length, 2, 'the expired token, then a fresh one');
    assert.ok(proxy.log.slice(proxyMark).some((x) => x.status === 401), 'the registry refused the expired token');
  } finally {
    fresh.cleanup();
  }
});

test('a second pull in the same process uses the cached token', async () => {
  const fresh = makeEnv('skiff-reg-token6-');
  const { createEngine, loadConfig } = await import('../../../src/engine/index.js');
  const engine = createEngine({ config: loadConfig({ path: fresh.env.SKIFF_CONFIG }), root: fresh.root, runroot: fresh.runroot });
  try {
    let mark = tokens.requests.length;
    await engine.images.pull(`${host}/private/bb@${pushed}`, { authfile });
    assert.equal(since(mark).length, 1);
    mark = tokens.requests.length;
    const again = await engine.images.pull(`${host}/private/bb:1`, { authfile });
    assert.equal(again.downloadedBlobs, 0);
    assert.equal(since(mark).length, 0, 'no new token for the same scope');
  } finally {
    engine.close();
    fresh.cleanup();
  }
});
