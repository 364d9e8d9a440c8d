// registries.conf against real docker-registry instances on loopback: location rewrite, mirrors
// (used first, fallen back from), blocked registries, aliases, search registries and insecure hosts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { once } from 'node:events';
import { makeEnv, type TestEnv } from '../../helpers/env.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';
import { startProxy, startRegistry, type Proxy, type Registry } from './fixtures.js';
import { expandShortName, findRegistry, parseRegistriesConf } from '../../../src/impl/registry/registries-conf.js';
import { need, unmet } from '../../helpers/requires.js';

let a: TestEnv;
let loc: Registry;
let mirror: Registry;
let mirrorProxy: Proxy;
let n = 0;

before(async () => {
  a = makeEnv('skiff-regconf-a-');
  loc = await startRegistry(join(a.dir, 'registry-loc'));
  mirror = await startRegistry(join(a.dir, 'registry-mirror'));
  mirrorProxy = await startProxy(mirror.host);
  const tar = makeBusyboxTar(a.dir, join(a.dir, 'busybox.tar'));
  await ok(a, ['import', '-c', 'CMD ["/bin/sh"]', tar, 'bb:latest']);
  await ok(a, ['push', 'bb:latest', `${loc.host}/test/bb:1`]);
  await ok(a, ['push', 'bb:latest', `${loc.host}/other/bb:1`]);
  await ok(a, ['push', 'bb:latest', `${mirror.host}/test/bb:1`]);
});
after(async () => {
  await mirrorProxy.close();
  loc.stop();
  mirror.stop();
  a.cleanup();
});

// Asynchronous runs: the recording proxy lives in this process and must keep serving meanwhile.
async function ok(env: TestEnv, args: string[], extra: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await env.runAsync(args, { env: extra });
  assert.equal(r.code, 0, `skiff ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A fresh root and a registries.conf of its own for one test. */
function withConf(conf: string): { env: TestEnv; extra: NodeJS.ProcessEnv } {
  const env = makeEnv('skiff-regconf-');
  const file = join(env.dir, `registries-${n++}.conf`);
  writeFileSync(file, conf);
  return { env, extra: { SKIFF_REGISTRIES_CONF: file } };
}

test('parsing: longest prefix wins; an empty search list keeps docker.io; aliases take the given tag', () => {
  const conf = parseRegistriesConf(
    `[[registry]]\nprefix = "example.com"\nlocation = "a.example.com"\n[[registry]]\nprefix = "example.com/team"\nlocation = "b.example.com/t"\n[aliases]\n"mybox" = "localhost:5000/tools/mybox"\n`,
  );
  assert.equal(findRegistry(conf, 'example.com/team/x')?.location, 'b.example.com/t');
  assert.equal(findRegistry(conf, 'example.com/teams/x')?.location, 'a.example.com');
  assert.equal(findRegistry(conf, 'example.org/x'), undefined);
  assert.deepEqual(expandShortName(conf, 'busybox'), [{ domain: 'docker.io', path: 'library/busybox', tag: 'latest' }]);
  assert.deepEqual(expandShortName(conf, 'mybox:2'), [{ domain: 'localhost:5000', path: 'tools/mybox', tag: '2' }]);
  const search = parseRegistriesConf('unqualified-search-registries = ["quay.io", "docker.io"]\n');
  assert.deepEqual(
    expandShortName(search, 'busybox').map((r) => `${r.domain}/${r.path}`),
    ['quay.io/busybox', 'docker.io/library/busybox'],
  );
});

test('location rewrite: a made-up prefix pulls from the configured location under its own name', async () => {
  const { env, extra } = withConf(`[[registry]]\nprefix = "example.test/lib"\nlocation = "${loc.host}/test"\n`);
  try {
    const out = await ok(env, ['pull', '-q', 'example.test/lib/bb:1'], extra);
    assert.equal(out.trim(), 'example.test/lib/bb:1');
    assert.ok((await ok(env, ['images', '--format', '{{.Repository}}:{{.Tag}}'], extra)).includes('example.test/lib/bb:1'));
  } finally {
    env.cleanup();
  }
});

test('a mirror is tried before the location', async () => {
  const { env, extra } = withConf(
    `[[registry]]\nprefix = "example.test/lib"\nlocation = "127.0.0.1:1/test"\n[[registry.mirror]]\nlocation = "${mirrorProxy.host}/test"\n`,
  );
  try {
    const before = mirrorProxy.log.length;
    // The location is a closed port: only the mirror can have served this.
    assert.equal((await ok(env, ['pull', '-q', 'example.test/lib/bb:1'], extra)).trim(), 'example.test/lib/bb:1');
    const seen = mirrorProxy.log.slice(before);
    assert.ok(seen.some((l) => l.method === 'GET' && l.url === '/v2/test/bb/manifests/1'), JSON.stringify(seen));
    assert.ok(seen.some((l) => l.method === 'GET' && /\/v2\/test\/bb\/blobs\/sha256:/.test(l.url)));
  } finally {
    env.cleanup();
  }
});

test('a mirror that fails is fallen back from to the location', async () => {
  const { env, extra } = withConf(
    `[[registry]]\nprefix = "example.test/lib"\nlocation = "${loc.host}/test"\n[[registry.mirror]]\nlocation = "${mirrorProxy.host}/missing"\n`,
  );
  try {
    const before = mirrorProxy.log.length;
    assert.equal((await ok(env, ['pull', '-q', 'example.test/lib/bb:1'], extra)).trim(), 'example.test/lib/bb:1');
    assert.ok(mirrorProxy.log.slice(before).some((l) => l.url === '/v2/missing/bb/manifests/1' && l.status === 404));
  } finally {
    env.cleanup();
  }
});

test('a blocked registry is refused for pull and push with exit 125', async () => {
  const { env, extra } = withConf(`[[registry]]\nlocation = "${loc.host}"\nblocked = true\n`);
  try {
    const p = await env.runAsync(['pull', `${loc.host}/test/bb:1`], { env: extra });
    assert.equal(p.code, 125);
    assert.match(p.stderr, new RegExp(`${loc.host}/test/bb: registry is blocked in registries.conf`));
    const s = await a.runAsync(['push', 'bb:latest', `${loc.host}/test/bb:blocked`], { env: extra });
    assert.equal(s.code, 125);
    assert.match(s.stderr, /pushing .*registry is blocked/);
  } finally {
    env.cleanup();
  }
});

test('a short-name alias resolves to its fully qualified name', async () => {
  const { env, extra } = withConf(`[aliases]\n"mybox" = "${loc.host}/test/bb"\n`);
  try {
    assert.equal((await ok(env, ['pull', '-q', 'mybox:1'], extra)).trim(), `${loc.host}/test/bb:1`);
  } finally {
    env.cleanup();
  }
});

test('unqualified-search-registries are tried in order for a short name', async () => {
  const { env, extra } = withConf(`unqualified-search-registries = ["${mirrorProxy.host}", "${loc.host}"]\n`);
  try {
    // The mirror registry has no other/bb: its 404 moves the pull on to the next registry.
    assert.equal((await ok(env, ['pull', '-q', 'other/bb:1'], extra)).trim(), `${loc.host}/other/bb:1`);
    const r = await env.runAsync(['pull', 'nothing/here:1'], { env: extra });
    assert.equal(r.code, 125);
    assert.match(r.stderr, new RegExp(`${mirrorProxy.host}/nothing/here: .*${loc.host}/nothing/here: `));
  } finally {
    env.cleanup();
  }
});

function hostIPv4(): string | undefined {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const x of addrs ?? []) if (x.family === 'IPv4' && !x.internal) return x.address;
  }
  return undefined;
}

test('insecure = true allows plain HTTP to a host that is not loopback', { skip: unmet(need(!!hostIPv4(), 'a non-loopback IPv4 address', 'an interface with one, as every CI machine has')) }, async () => {
  const ip = hostIPv4()!;
  const [thost, tport] = loc.host.split(':');
  // A TCP forwarder on the host's own address: the registry looks remote, so HTTPS is required by default.
  const fwd: Server = createServer((c) => {
    const up = connect(Number(tport), thost);
    c.pipe(up).pipe(c);
    up.on('error', () => c.destroy());
    c.on('error', () => up.destroy());
  });
  fwd.listen(0, ip);
  await once(fwd, 'listening');
  const host = `${ip}:${(fwd.address() as { port: number }).port}`;
  const plain = withConf('');
  const insecure = withConf(`[[registry]]\nlocation = "${host}"\ninsecure = true\n`);
  try {
    const r = await plain.env.runAsync(['pull', `${host}/test/bb:1`], { env: plain.extra });
    assert.equal(r.code, 125, r.stderr);
    const p = await insecure.env.runAsync(['pull', '-q', `${host}/test/bb:1`], { env: insecure.extra });
    assert.equal(p.code, 0, p.stderr);
    assert.equal(p.stdout.trim(), `${host}/test/bb:1`);
  } finally {
    plain.env.cleanup();
    insecure.env.cleanup();
    fwd.close();
  }
});
