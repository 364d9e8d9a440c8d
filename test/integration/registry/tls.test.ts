// HTTPS registries: docker-registry serving a certificate from a test CA (behind Basic auth),
// and a second one that also demands client certificates. An unknown CA or a missing client
// certificate is refused with a clear error and exit 125; --cert-dir, certs.d/HOST:PORT
// ($SKIFF_CERTS_D here, so nothing is written to /etc) and --tls-verify=false make it work.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type TestEnv } from '../../helpers/env.js';
import { ok, registryRoots, skopeo, startRegistry, type Registry, type RegistryRoots } from './fixtures.js';
import { makePki, type TestPki } from './certs.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('openssl'), tool('htpasswd'));
let roots: RegistryRoots;
let a: TestEnv;
let b: TestEnv;
let pki: TestPki;
/** HTTPS with the test CA's certificate, Basic auth */
let reg: Registry;
/** HTTPS asking for a client certificate from the client CA */
let mreg: Registry;
/** --cert-dir holding the CA only */
let trust: string;
/** --cert-dir holding the CA and a client pair */
let mtls: string;
let authfile: string;

function certDir(name: string, files: Record<string, string>): string {
  const d = join(a.dir, name);
  mkdirSync(d, { recursive: true });
  for (const [to, from] of Object.entries(files)) copyFileSync(from, join(d, to));
  return d;
}

/** Fails with exit 125, the message matching `re`. */
function refused(env: TestEnv, args: string[], re: RegExp, input?: string): void {
  const r = env.run(args, input === undefined ? {} : { input });
  assert.equal(r.code, 125, `skiff ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  assert.match(r.stderr, re);
}

const untrusted = (host: string, dir: string) =>
  new RegExp(`Error: pinging registry ${host}: certificate signed by an unknown authority \\(add its CA to ${dir.replace(/\./g, '\\.')}/ca\\.crt or use --tls-verify=false\\)`);

before(async () => {
  if (skip) return;
  roots = await registryRoots('skiff-reg-tls-', 'b', ['-c', 'CMD ["/bin/sh"]']);
  ({ a, b } = roots);
  pki = makePki(join(a.dir, 'pki'));
  reg = await startRegistry(join(a.dir, 'tls-registry'), {
    tls: { cert: pki.serverCert, key: pki.serverKey },
    htpasswd: { user: 'alice', password: 's3cret' },
  });
  mreg = await startRegistry(join(a.dir, 'mtls-registry'), { tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: pki.clientCa } });
  trust = certDir('trust', { 'ca.crt': pki.ca });
  mtls = certDir('mtls', { 'ca.crt': pki.ca, 'client.cert': pki.clientCert, 'client.key': pki.clientKey });
  authfile = join(a.dir, 'auth.json');
  for (const e of [a, b]) {
    e.env.REGISTRY_AUTH_FILE = authfile;
    e.env.DOCKER_CONFIG = join(e.dir, 'docker');
    // An empty certs.d: what the machine's /etc holds never decides a test.
    e.env.SKIFF_CERTS_D = join(e.dir, 'certs.d');
  }
});
after(() => {
  reg?.stop();
  mreg?.stop();
  roots?.stop();
});

let pushed = '';

test('login, push and pull against a certificate of an unknown CA fail naming the registry and the fix', { skip }, () => {
  const hint = join(a.env.SKIFF_CERTS_D!, reg.host);
  refused(a, ['login', '-u', 'alice', '--password-stdin', reg.host], untrusted(reg.host, hint), 's3cret\n');
  assert.ok(!existsSync(authfile), 'nothing stored');
  refused(a, ['push', 'bb', `${reg.host}/tls/bb:1`], untrusted(reg.host, hint));
  refused(b, ['pull', `${reg.host}/tls/bb:1`], untrusted(reg.host, join(b.env.SKIFF_CERTS_D!, reg.host)));
  // Without SKIFF_CERTS_D the hint names podman's directory.
  const r = a.run(['pull', `${reg.host}/tls/bb:1`], { env: { SKIFF_CERTS_D: '' } });
  assert.equal(r.code, 125);
  assert.match(r.stderr, new RegExp(`add its CA to /etc/(containers|docker)/certs\\.d/${reg.host}/ca\\.crt`));
  assert.equal(ok(b, ['images', '-q']).trim(), '', 'a refused pull leaves nothing');
});

test('with --cert-dir holding the CA: login, push, pull by digest, and the pulled image runs', { skip }, () => {
  const l = a.run(['login', '-u', 'alice', '--password-stdin', '--cert-dir', trust, reg.host], { input: 's3cret\n' });
  assert.equal(l.code, 0, l.stderr);
  assert.match(l.stdout, /Login Succeeded/);
  assert.ok(existsSync(authfile));
  const digestFile = join(a.dir, 'digest');
  ok(a, ['push', '--cert-dir', trust, '--digestfile', digestFile, 'bb', `${reg.host}/tls/bb:1`]);
  pushed = readFileSync(digestFile, 'utf8');
  assert.match(pushed, /^sha256:[a-f0-9]{64}$/);
  const ref = `${reg.host}/tls/bb@${pushed}`;
  assert.equal(ok(b, ['pull', '-q', '--cert-dir', trust, ref]).trim(), ref);
  assert.equal(ok(b, ['run', '--rm', ref, 'echo', 'over https']), 'over https\n');
  const remote = JSON.parse(ok(b, ['image', 'inspect', '--remote', '--cert-dir', trust, `docker://${reg.host}/tls/bb:1`]));
  assert.equal(remote[0].Digest, pushed);
});

test('skopeo inspect with --cert-dir accepts what skiff pushed over HTTPS', { skip }, () => {
  assert.ok(pushed, 'needs the push above');
  const doc = JSON.parse(skopeo(['inspect', '--cert-dir', trust, '--creds', 'alice:s3cret', `docker://${reg.host}/tls/bb:1`]));
  assert.equal(doc.Digest, pushed);
});

test('certs.d/HOST:PORT/ca.crt is found without --cert-dir', { skip }, () => {
  assert.ok(pushed, 'needs the push above');
  const perHost = join(b.env.SKIFF_CERTS_D!, reg.host);
  mkdirSync(perHost, { recursive: true });
  copyFileSync(pki.ca, join(perHost, 'ca.crt'));
  try {
    const r = ok(b, ['pull', `${reg.host}/tls/bb:1`]);
    assert.match(r, /Status: Image is up to date/);
  } finally {
    rmSync(perHost, { recursive: true });
  }
});

test('--tls-verify=false accepts the self-signed registry (still over HTTPS: it speaks nothing else)', { skip }, () => {
  assert.ok(pushed, 'needs the push above');
  ok(a, ['tag', 'bb', `${reg.host}/tls/insecure:1`]);
  ok(a, ['push', '--tls-verify=false', `${reg.host}/tls/insecure:1`]);
  const r = ok(b, ['pull', '--tls-verify=false', `${reg.host}/tls/insecure:1`]);
  assert.match(r, /Status: Image is up to date/, 'same layers as tls/bb:1, already held');
  ok(b, ['image', 'copy', '-q', '--src-tls-verify=false', `docker://${reg.host}/tls/insecure:1`, `oci:${join(b.dir, 'layout')}:bb`]);
  assert.ok(existsSync(join(b.dir, 'layout', 'index.json')));
});

test('image copy with --dest-cert-dir pushes to the HTTPS registry', { skip }, () => {
  const d = join(a.dir, 'copy-digest');
  ok(a, ['image', 'copy', '-q', '--dest-cert-dir', trust, '--digestfile', d, 'bb', `docker://${reg.host}/tls/copied:1`]);
  assert.equal(readFileSync(d, 'utf8'), pushed);
  refused(a, ['image', 'copy', '-q', 'bb', `docker://${reg.host}/tls/copied:2`], /certificate signed by an unknown authority/);
});

test('a registry asking for client certificates refuses clients without one, and with one of another CA', { skip }, () => {
  refused(a, ['push', '--cert-dir', trust, 'bb', `${mreg.host}/m/bb:1`], new RegExp(`Error: pinging registry ${mreg.host}: the registry requires a client certificate .*put client\\.cert and client\\.key in ${trust}`));
  // Skipping verification does not help, and no fallback to plain HTTP hides the reason.
  refused(a, ['push', '--tls-verify=false', '--cert-dir', trust, 'bb', `${mreg.host}/m/bb:1`], /the registry requires a client certificate/);
  const wrong = certDir('wrong-client', { 'ca.crt': pki.ca, 'client.cert': pki.serverCert, 'client.key': pki.serverKey });
  refused(a, ['push', '--cert-dir', wrong, 'bb', `${mreg.host}/m/bb:1`], new RegExp(`the registry refused the client certificate ${wrong}/client\\.cert`));
  const half = certDir('half-pair', { 'ca.crt': pki.ca, 'client.cert': pki.clientCert });
  refused(a, ['push', '--cert-dir', half, 'bb', `${mreg.host}/m/bb:1`], new RegExp(`missing key client\\.key for client certificate ${half}/client\\.cert`));
});

test('with client.cert and client.key in the cert dir: push, pull by digest, run; skopeo inspects it', { skip }, () => {
  const d = join(a.dir, 'm-digest');
  ok(a, ['push', '--cert-dir', mtls, '--digestfile', d, 'bb', `${mreg.host}/m/bb:1`]);
  const digest = readFileSync(d, 'utf8');
  const ref = `${mreg.host}/m/bb@${digest}`;
  const perHost = join(b.env.SKIFF_CERTS_D!, mreg.host);
  mkdirSync(perHost, { recursive: true });
  for (const f of ['ca.crt', 'client.cert', 'client.key']) copyFileSync(join(mtls, f), join(perHost, f));
  ok(b, ['rmi', '-a', '-f']);
  assert.equal(ok(b, ['pull', '-q', ref]).trim(), ref);
  assert.equal(ok(b, ['run', '--rm', ref, 'echo', 'mutual']), 'mutual\n');
  assert.equal(JSON.parse(skopeo(['inspect', '--cert-dir', mtls, `docker://${mreg.host}/m/bb:1`])).Digest, digest);
  writeFileSync(join(perHost, 'client.key'), 'not a key\n');
  refused(b, ['pull', ref], new RegExp(`loading the certificates in ${perHost}`));
});
