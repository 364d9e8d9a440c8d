// docker pull / push / login through the service against a real docker-registry on loopback:
// Docker's progress statuses, X-Registry-Auth in its encodings, /auth.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startRegistry, type Registry } from '../registry/fixtures.js';
import { importBusybox, jsonLines, startApiService, type ApiService } from './image-fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('docker'), tool('/usr/bin/docker-registry'), tool('htpasswd'));
let a: ApiService;
let b: ApiService;
let reg: Registry;
let secure: Registry;
let id: string;

before(async () => {
  if (skip) return;
  a = await startApiService('skiff-api-reg-a-');
  b = await startApiService('skiff-api-reg-b-');
  reg = await startRegistry(join(a.env.dir, 'registry'));
  secure = await startRegistry(join(a.env.dir, 'registry-auth'), { htpasswd: { user: 'alice', password: 's3cret' } });
  id = importBusybox(a);
});
after(async () => {
  reg?.stop();
  secure?.stop();
  await a?.stop();
  await b?.stop();
});

const authHeader = (doc: object, alphabet: 'base64' | 'base64url', pad: boolean) => {
  let v = Buffer.from(JSON.stringify(doc)).toString(alphabet);
  if (alphabet === 'base64url' && pad) v += '='.repeat((4 - (v.length % 4)) % 4);
  if (!pad) v = v.replace(/=+$/, '');
  return v;
};

test('docker push prints Preparing/Pushed and the digest line; a second push says Layer already exists', { skip }, () => {
  a.dockerOk(['tag', 'busybox:local', `${reg.host}/demo:v1`]);
  const out = a.dockerOk(['push', `${reg.host}/demo:v1`]);
  assert.match(out, new RegExp(`The push refers to repository \\[${reg.host}/demo\\]`));
  assert.match(out, /[a-f0-9]{12}: Preparing/);
  assert.match(out, /[a-f0-9]{12}: Pushed/);
  assert.match(out, /v1: digest: sha256:[a-f0-9]{64} size: \d+/);
  // the config blob is not shown as a layer
  assert.doesNotMatch(out, new RegExp(id.slice(7, 19)));
  const again = a.dockerOk(['push', `${reg.host}/demo:v1`]);
  assert.match(again, /Layer already exists/);
});

test('the push stream ends with the aux object; pushing a missing image is a 404 before the stream', { skip }, async () => {
  const r = await a.api('POST', `/v1.41/images/${reg.host}/demo/push?tag=v1`, { headers: { 'X-Registry-Auth': 'e30=' } });
  assert.equal(r.status, 200);
  const lines = jsonLines(r.text);
  const aux = lines.at(-1) as { aux: { Tag: string; Digest: string; Size: number } };
  assert.equal(aux.aux.Tag, 'v1');
  assert.match(aux.aux.Digest, /^sha256:[a-f0-9]{64}$/);
  assert.ok(aux.aux.Size > 0);
  assert.equal(lines.at(-2)!.status, `v1: digest: ${aux.aux.Digest} size: ${aux.aux.Size}`);
  const missing = await a.api('POST', `/v1.41/images/${reg.host}/nothing/push?tag=v1`);
  assert.equal(missing.status, 404);
  const cli = a.docker(['push', `${reg.host}/nothing:v1`]);
  assert.equal(cli.code, 1);
});

test('docker push --all-tags pushes every local tag of the repository', { skip }, () => {
  a.dockerOk(['tag', 'busybox:local', `${reg.host}/multi:one`]);
  a.dockerOk(['tag', 'busybox:local', `${reg.host}/multi:two`]);
  const out = a.dockerOk(['push', '--all-tags', `${reg.host}/multi`]);
  assert.match(out, /one: digest: sha256:/);
  assert.match(out, /two: digest: sha256:/);
});

test('docker pull into a fresh root: Docker statuses in the stream, then up to date', { skip }, async () => {
  const r = await b.api('POST', `/v1.41/images/create?fromImage=${encodeURIComponent(`${reg.host}/demo`)}&tag=v1`, { headers: { 'X-Registry-Auth': 'e30=' } });
  assert.equal(r.status, 200, r.text);
  const lines = jsonLines(r.text);
  const statuses = lines.map((l) => l.status as string);
  assert.deepEqual(lines[0], { status: 'Pulling from demo', id: 'v1' });
  for (const s of ['Pulling fs layer', 'Downloading', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete']) {
    assert.ok(statuses.includes(s), `no "${s}" in ${statuses.join(' | ')}`);
  }
  const dl = lines.find((l) => l.status === 'Downloading') as { progressDetail: { current: number; total: number }; progress: string; id: string };
  assert.match(dl.id, /^[a-f0-9]{12}$/);
  assert.equal(typeof dl.progressDetail.total, 'number');
  assert.match(dl.progress, /^\[=*>\s*\]\s+\S+\/\S+$/);
  assert.match(statuses.at(-2)!, /^Digest: sha256:[a-f0-9]{64}$/);
  assert.equal(statuses.at(-1), `Status: Downloaded newer image for ${reg.host}/demo:v1`);
  const again = b.dockerOk(['pull', `${reg.host}/demo:v1`]);
  assert.match(again, /Status: Image is up to date for/);
  assert.match(b.dockerOk(['images', `${reg.host}/demo`]), /v1/);
});

test('pull by digest (tag=sha256:...), fromImage with an embedded tag, and the JSON body form', { skip }, async () => {
  const digest = JSON.parse(b.dockerOk(['inspect', `${reg.host}/demo:v1`]))[0].RepoDigests[0].split('@')[1];
  const out = b.dockerOk(['pull', `${reg.host}/demo@${digest}`]);
  assert.match(out, new RegExp(`Digest: ${digest}`));
  const embedded = await b.api('POST', `/images/create?fromImage=${encodeURIComponent(`${reg.host}/multi:one`)}`);
  assert.equal(embedded.status, 200, embedded.text);
  assert.match(jsonLines(embedded.text).at(-1)!.status as string, /multi:one$/);
  const viaBody = await b.api('POST', '/images/create?authconfig=&platform=', { body: { fromImage: `${reg.host}/multi`, tag: 'two' } });
  assert.equal(viaBody.status, 200, viaBody.text);
  assert.match(b.dockerOk(['images', `${reg.host}/multi`]), /two/);
  const unknown = b.docker(['pull', `${reg.host}/demo:nope`]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /not found|manifest unknown/);
  const status = await b.api('POST', `/images/create?fromImage=${encodeURIComponent(`${reg.host}/demo`)}&tag=nope`);
  assert.equal(status.status, 404);
});

test('docker login checks credentials through /auth (401 when wrong); push and pull carry them in X-Registry-Auth', { skip }, async () => {
  const wrong = a.docker(['login', '-u', 'alice', '--password-stdin', secure.host], { input: 'nope\n' });
  assert.equal(wrong.code, 1);
  const raw = await a.api('POST', '/v1.41/auth', { body: { username: 'alice', password: 'nope', serveraddress: secure.host } });
  assert.equal(raw.status, 401);
  const ok = await a.api('POST', '/v1.41/auth', { body: { username: 'alice', password: 's3cret', serveraddress: secure.host } });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json, { IdentityToken: '', Status: 'Login Succeeded' });
  assert.match(a.dockerOk(['login', '-u', 'alice', '--password-stdin', secure.host], { input: 's3cret\n' }), /Login Succeeded/);
  a.dockerOk(['tag', 'busybox:local', `${secure.host}/private:v1`]);
  assert.match(a.dockerOk(['push', `${secure.host}/private:v1`]), /v1: digest:/);
  // the service kept nothing: without the header the registry refuses it
  const anon = await b.api('POST', `/images/create?fromImage=${encodeURIComponent(`${secure.host}/private`)}&tag=v1`);
  // dockerd 20.10 answers a refused pull 500 ("…: no basic auth credentials").
  assert.equal(anon.status, 500, anon.text);
  assert.match(anon.text, /unauthorized: authentication required/);
  const creds = { username: 'alice', password: 's3cret', serveraddress: secure.host };
  for (const [alphabet, pad] of [['base64url', true], ['base64url', false], ['base64', true], ['base64', false]] as const) {
    const r = await b.api('POST', `/images/create?fromImage=${encodeURIComponent(`${secure.host}/private`)}&tag=v1`, {
      headers: { 'X-Registry-Auth': authHeader(creds, alphabet, pad) },
    });
    assert.equal(r.status, 200, `${alphabet} pad=${pad}: ${r.text}`);
    assert.match(jsonLines(r.text).at(-1)!.status as string, /^Status: /);
  }
  const bad = await b.api('POST', `/images/create?fromImage=${encodeURIComponent(`${secure.host}/private`)}&tag=v1`, {
    headers: { 'X-Registry-Auth': authHeader({ username: 'alice', password: 'wrong' }, 'base64url', true) },
  });
  assert.ok(bad.status >= 400, bad.text);
});
