// Published ports: -p 127.0.0.1:HOST:80 and -P answer a real HTTP request from the host;
// `port`, `ps` and inspect show them as Docker does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { IMAGE, expectCode, hostAddress, netEnv, waitFor, type NetEnv } from './fixtures.js';
import { httpGet } from '../../helpers/http.js';

let env: NetEnv;

before(() => {
  env = netEnv('skiff-netports-');
  env.ok(['tag', IMAGE, 'bbweb']);
});
after(async () => {
  await env.teardownNet();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

const HTTPD = 'mkdir -p /www && echo published > /www/index.html && exec httpd -f -p 80 -h /www';

test('-p 127.0.0.1:HOST:80 is reachable from the host and port prints it', async () => {
  const hostPort = await freePort();
  env.track(env.ok(['run', '-d', '--name', 'p1', '-p', `127.0.0.1:${hostPort}:80`, IMAGE, 'sh', '-c', HTTPD]));
  const body = await waitFor(() => httpGet('127.0.0.1', hostPort), 10_000, 'the published port to answer');
  assert.equal(body, 'published\n');
  assert.equal(env.ok(['port', 'p1']), `80/tcp -> 127.0.0.1:${hostPort}\n`);
  assert.equal(env.ok(['port', 'p1', '80']), `127.0.0.1:${hostPort}\n`);
  const ps = env.ok(['ps', '--format', '{{.Names}} {{.Ports}}']);
  assert.match(ps, new RegExp(`p1 127\\.0\\.0\\.1:${hostPort}->80/tcp`));
  const ns = JSON.parse(env.ok(['inspect', '-f', '{{json .NetworkSettings}}', 'p1']));
  assert.deepEqual(ns.Ports, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }] });
  assert.ok(ns.IPAddress.startsWith(env.subnet(0).replace('0/24', '')), `IPAddress ${ns.IPAddress}`);
  assert.equal(ns.Gateway, env.subnet(0).replace('0/24', '1'));
  assert.equal(ns.IPPrefixLen, 24);
  assert.match(ns.MacAddress, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  assert.equal(ns.Networks[env.defaultNetwork].IPAddress, ns.IPAddress);
  assert.equal(ns.Networks[env.defaultNetwork].NetworkID.length, 64);
  env.ok(['rm', '-f', 'p1']);
  assert.equal(await httpGet('127.0.0.1', hostPort), undefined, 'port still answers after rm');
});

test('-P publishes every EXPOSEd port on a random host port, on every host address', async () => {
  env.ok(['import', '--change', 'EXPOSE 80', '--change', 'CMD ["/bin/sh"]', env.tar, 'exposed']);
  env.track(env.ok(['run', '-d', '--name', 'p2', '-P', 'exposed', 'sh', '-c', HTTPD]));
  const out = env.ok(['port', 'p2']);
  const m = /^80\/tcp -> 0\.0\.0\.0:(\d+)\n$/.exec(out);
  assert.ok(m, `port output ${JSON.stringify(out)}`);
  const port = Number(m[1]);
  assert.equal(await waitFor(() => httpGet('127.0.0.1', port), 10_000, '-P port on 127.0.0.1'), 'published\n');
  assert.equal(await httpGet(hostAddress(), port), 'published\n');
});

test('-p with a range and a bare container port', () => {
  env.track(env.ok(['create', '--name', 'p3', '-p', '127.0.0.1::8080', '-p', '127.0.0.1:28081-28082:81-82/udp', IMAGE, 'sleep', '60']));
  env.ok(['start', 'p3']);
  const out = env.ok(['port', 'p3']).split('\n').filter(Boolean).sort();
  assert.equal(out.length, 3, out.join('\n'));
  assert.match(out[0]!, /^8080\/tcp -> 127\.0\.0\.1:\d+$/);
  assert.equal(out[1], '81/udp -> 127.0.0.1:28081');
  assert.equal(out[2], '82/udp -> 127.0.0.1:28082');
  const missing = env.run(['port', 'p3', '9999']);
  expectCode(missing, 1, 'unpublished port');
});
