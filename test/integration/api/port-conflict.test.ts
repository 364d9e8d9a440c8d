// Issue 14: through the docker CLI and the API, a host port already published (by another
// container, or bound by any process) is refused at start: exit 125 / 500 "port is already
// allocated", the container left created; `docker rm` of the holder frees the port.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { oneShot } from './one-shot-request.js';
import { apiEnv, IMAGE, type ApiEnv } from './fixtures.js';

let s: ApiEnv;
const api = (method: string, path: string) => oneShot(s.socket, method, path);

before(async () => {
  s = await apiEnv('skiff-api-ports-');
});
after(async () => {
  await s?.stop();
});

function listen(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

const portOf = (srv: Server) => (srv.address() as { port: number }).port;
const close = (srv: Server) => new Promise((r) => srv.close(r));
const state = (name: string) => s.dockerOk(['inspect', '-f', '{{.State.Status}}', name]).trim();

test('docker run -p on a port another container publishes exits 125; after docker rm the next one starts', async () => {
  const probe = await listen();
  const port = portOf(probe);
  await close(probe);
  s.dockerOk(['run', '-d', '--name', 'first', '-p', `127.0.0.1:${port}:80`, IMAGE, 'sleep', '1000']);
  const r = s.docker(['run', '-d', '--name', 'second', '-p', `127.0.0.1:${port}:80`, IMAGE, 'sleep', '1000']);
  assert.equal(r.code, 125, r.stderr);
  assert.match(r.stderr, new RegExp(`Bind for 127\\.0\\.0\\.1:${port} failed: port is already allocated`));
  assert.equal(state('second'), 'created');
  const start = await api('POST', '/v1.41/containers/second/start');
  assert.equal(start.status, 500);
  assert.match((start.json() as { message: string }).message, /port is already allocated/);
  assert.equal(state('first'), 'running', 'the holder is untouched');

  s.dockerOk(['rm', '-f', 'first']);
  s.dockerOk(['start', 'second']);
  assert.equal(state('second'), 'running');
  assert.equal(s.dockerOk(['port', 'second', '80']).trim(), `127.0.0.1:${port}`);
  s.dockerOk(['rm', '-f', 'second']);
});

test('docker run -p on a port some process listens on exits 125 and leaves the container created', async () => {
  const srv = await listen();
  const port = portOf(srv);
  try {
    const r = s.docker(['run', '-d', '--name', 'blocked', '-p', `127.0.0.1:${port}:80`, IMAGE, 'sleep', '1000']);
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, /port is already allocated/);
    assert.equal(state('blocked'), 'created');
  } finally {
    await close(srv);
  }
  s.dockerOk(['rm', 'blocked']);
});
