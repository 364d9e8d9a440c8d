// User networks: containers resolve each other by name and alias through aardvark-dns; a
// container on another network cannot reach them; an --internal network has no way out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { IMAGE, expectCode, hostAddress, netEnv, waitFor, type NetEnv } from './fixtures.js';

let env: NetEnv;
let server: ChildProcess;
let serverPort = 0;

before(async () => {
  env = netEnv('skiff-netdns-');
  // In its own process: the test's synchronous CLI calls would block a server in this one.
  const js = "const s=require('http').createServer((q,r)=>r.end('from-host\\n'));s.listen(0,'0.0.0.0',()=>console.log(s.address().port))";
  server = spawn(process.execPath, ['-e', js], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(server.stdout!, 'data')) as [Buffer];
  serverPort = Number(line.toString().trim());
});
after(async () => {
  server.kill();
  await env.teardownNet();
});

const HTTPD = 'mkdir -p /www && echo hello-web > /www/index.html && exec httpd -f -p 80 -h /www';

test('containers on a user network reach each other by name and by alias', async () => {
  env.createNetwork('front', 1);
  env.track(env.ok(['run', '-d', '--name', 'web', '--network', 'front', '--network-alias', 'www', IMAGE, 'sh', '-c', HTTPD]));
  const ip = env.ok(['inspect', '-f', '{{.NetworkSettings.Networks.front.IPAddress}}', 'web']).trim();
  assert.ok(ip.startsWith(env.subnet(1).replace('0/24', '')), `address ${ip} in ${env.subnet(1)}`);
  const fetch = (url: string) => env.run(['run', '--rm', '--network', 'front', IMAGE, 'timeout', '5', 'wget', '-qO-', url]);
  // httpd may take a moment to listen. (This busybox's `wget -T` segfaults: timeout(1) instead.)
  await waitFor(() => (fetch(`http://${ip}/`).code === 0 ? true : undefined), 10_000, 'httpd to answer');
  const byName = fetch('http://web/');
  expectCode(byName, 0, 'fetch by name');
  assert.equal(byName.stdout, 'hello-web\n');
  const byAlias = fetch('http://www/');
  expectCode(byAlias, 0, 'fetch by alias');
  assert.equal(byAlias.stdout, 'hello-web\n');
  const resolv = env.ok(['exec', 'web', 'cat', '/etc/resolv.conf']);
  assert.match(resolv, new RegExp(`nameserver ${env.subnet(1).replace('0/24', '1')}`));
  const hosts = env.ok(['exec', 'web', 'cat', '/etc/hosts']);
  assert.match(hosts, new RegExp(`^${ip.replace(/\./g, '\\.')}\\s.*\\bweb\\b`, 'm'));
});

test('a container on another network cannot reach it', () => {
  env.createNetwork('back', 2);
  const ip = env.ok(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'web']).trim();
  // The probe prints its own address first: proof that it started, on `back`, before it failed.
  const probe = (url: string) => env.run(['run', '--rm', '--network', 'back', IMAGE, 'sh', '-c', `ip -o -4 addr show eth0; timeout 3 wget -qO- ${url}`]);
  const onBack = new RegExp(`inet ${env.subnet(2).replace('0/24', '').replace(/\./g, '\\.')}\\d+/24`);
  const r = probe(`http://${ip}/`);
  assert.match(r.stdout, onBack, `the probe did not start on back: exit ${r.code}: ${r.stderr}`);
  assert.notEqual(r.code, 0, `reached ${ip} from another network: ${r.stdout}`);
  assert.doesNotMatch(r.stdout, /hello-web/);
  const byName = probe('http://web/');
  assert.match(byName.stdout, onBack, `the probe did not start on back: exit ${byName.code}: ${byName.stderr}`);
  assert.notEqual(byName.code, 0, `resolved a name of another network: ${byName.stdout}`);
  assert.match(byName.stderr, /bad address 'web'/, 'the name does not resolve there');
});

test('an --internal network has no route out; a normal one reaches the host', () => {
  env.createNetwork('sealed', 3, ['--internal']);
  const url = `http://${hostAddress()}:${serverPort}/`;
  const open = env.run(['run', '--rm', '--network', 'front', IMAGE, 'timeout', '5', 'wget', '-qO-', url]);
  expectCode(open, 0, 'normal network to the host');
  assert.equal(open.stdout, 'from-host\n');
  const sealed = env.run(['run', '--rm', '--network', 'sealed', IMAGE, 'sh', '-c', `ip route; timeout 3 wget -qO- ${url}`]);
  // `ip route` listing the network's own subnet proves the container started on it.
  assert.ok(sealed.stdout.includes(`${env.subnet(3)} dev eth0`), `no route for ${env.subnet(3)}: exit ${sealed.code}: ${sealed.stdout}${sealed.stderr}`);
  assert.notEqual(sealed.code, 0, `internal network reached the host: ${sealed.stdout}`);
  assert.doesNotMatch(sealed.stdout, /default|from-host/);
  const doc = JSON.parse(env.ok(['network', 'inspect', 'sealed']))[0];
  assert.equal(doc.Internal, true);
  assert.equal(doc.IPAM.Config[0].Subnet, env.subnet(3));
});
