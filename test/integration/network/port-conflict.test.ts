// Issue 14: a host port already published (by another container of this root, or bound by
// any process) is refused at start with dockerd's "port is already allocated" (exit 125);
// nothing is left running, and `rm` of the holder frees the port for the next container.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { IMAGE, expectCode, netEnv, type NetEnv } from './fixtures.js';

let env: NetEnv;

before(() => {
  env = netEnv('skiff-netconflict-');
});
after(async () => {
  await env.teardownNet();
});

function listen(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

async function freePort(): Promise<number> {
  const s = await listen();
  const p = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return p;
}

const status = (name: string) => env.ok(['inspect', '-f', '{{.State.Status}}', name]).trim();

test('a port another container publishes is refused at start (same IP, 0.0.0.0 over it, per protocol); rm frees it', async () => {
  const port = await freePort();
  env.track(env.ok(['run', '-d', '--name', 'holder', '-p', `127.0.0.1:${port}:80`, IMAGE, 'sleep', '1000']));
  for (const [name, spec, ip] of [
    ['same-ip', `127.0.0.1:${port}:80`, '127.0.0.1'],
    ['any-ip', `${port}:80`, '0.0.0.0'],
  ] as const) {
    const r = env.run(['run', '-d', '--name', name, '-p', spec, IMAGE, 'sleep', '1000']);
    expectCode(r, 125, `run -p ${spec}`);
    assert.match(r.stderr, new RegExp(`Bind for ${ip.replace(/\./g, '\\.')}:${port} failed: port is already allocated`));
    assert.equal(status(name), 'created', 'the refused container does not run');
    assert.equal(env.ok(['inspect', '-f', '{{json .NetworkSettings.Ports}}', name]).trim(), '{}', 'no port of its is published');
  }
  // UDP is another port space
  env.track(env.ok(['run', '-d', '--name', 'udp', '-p', `127.0.0.1:${port}:53/udp`, IMAGE, 'sleep', '1000']));
  const udp2 = env.run(['run', '-d', '--name', 'udp2', '-p', `127.0.0.1:${port}:53/udp`, IMAGE, 'sleep', '1000']);
  expectCode(udp2, 125, 'a second udp publisher');
  assert.match(udp2.stderr, /port is already allocated/);

  env.ok(['rm', '-f', 'holder', 'udp']);
  env.ok(['start', 'same-ip']);
  assert.equal(status('same-ip'), 'running');
  assert.equal(env.ok(['port', 'same-ip']), `80/tcp -> 127.0.0.1:${port}\n`);
  env.ok(['start', 'udp2']);
  env.ok(['rm', '-f', 'same-ip', 'any-ip', 'udp2']);
});

test('a port bound by another process is refused at start; once it is closed the container starts', async () => {
  const server = await listen();
  const port = (server.address() as { port: number }).port;
  try {
    const r = env.run(['run', '-d', '--name', 'taken', '-p', `127.0.0.1:${port}:80`, IMAGE, 'sleep', '1000']);
    expectCode(r, 125, 'run on a port a process listens on');
    assert.match(r.stderr, new RegExp(`Bind for 127\\.0\\.0\\.1:${port} failed: port is already allocated`));
    assert.equal(status('taken'), 'created');
  } finally {
    await new Promise((r) => server.close(r));
  }
  env.ok(['start', 'taken']);
  assert.equal(status('taken'), 'running');
  env.ok(['rm', '-f', 'taken']);
});
