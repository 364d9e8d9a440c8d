// 200 concurrent mixed API requests (create/list/inspect/remove of containers, volumes, networks
// and image tags) finish without an error and leave a consistent state; malformed requests get a 4xx and
// the service keeps serving.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { importBusybox, startApiService, type ApiResponse, type ApiService } from './image-fixtures.js';

let s: ApiService;
let imageId: string;

before(async () => {
  s = await startApiService('skiff-api-load-');
  imageId = importBusybox(s);
});
after(async () => {
  await s?.stop();
});

type Op = { what: string; run: () => Promise<ApiResponse>; ok: number[] };

async function fire(ops: Op[]): Promise<void> {
  const results = await Promise.all(ops.map(async (o) => ({ o, r: await o.run() })));
  const failed = results.filter(({ o, r }) => !o.ok.includes(r.status));
  assert.deepEqual(
    failed.map(({ o, r }) => `${o.what}: ${r.status} ${r.text.slice(0, 200)}`),
    [],
    `${failed.length} of ${ops.length} requests failed`,
  );
}

function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

test('200 concurrent creates, lists and inspects, then 200 concurrent removes, lists and inspects', async () => {
  const vols = Array.from({ length: 40 }, (_, i) => `loadvol${i}`);
  const nets = Array.from({ length: 20 }, (_, i) => `loadnet${i}`);
  const tags = Array.from({ length: 40 }, (_, i) => `load/tag${i}`);
  const ctrs = Array.from({ length: 20 }, (_, i) => `loadctr${i}`);
  const reads = (n: number): Op[] =>
    Array.from({ length: n }, (_, i): Op => {
      const k = i % 5;
      if (k === 0) return { what: 'list volumes', run: () => s.api('GET', '/v1.41/volumes'), ok: [200] };
      if (k === 1) return { what: 'list networks', run: () => s.api('GET', '/v1.41/networks'), ok: [200] };
      if (k === 2) return { what: 'list images', run: () => s.api('GET', '/v1.41/images/json'), ok: [200] };
      if (k === 3) {
        return i % 2
          ? { what: 'inspect image', run: () => s.api('GET', '/v1.41/images/busybox:local/json'), ok: [200] }
          : { what: 'list containers', run: () => s.api('GET', '/v1.41/containers/json?all=1'), ok: [200] };
      }
      return { what: 'inspect bridge', run: () => s.api('GET', '/v1.41/networks/bridge'), ok: [200] };
    });
  const creates: Op[] = [
    ...vols.map((v): Op => ({ what: `create volume ${v}`, run: () => s.api('POST', '/v1.41/volumes/create', { body: { Name: v, Labels: { load: '1' } } }), ok: [201] })),
    ...nets.map((n): Op => ({ what: `create network ${n}`, run: () => s.api('POST', '/v1.41/networks/create', { body: { Name: n, CheckDuplicate: true, Labels: { load: '1' } } }), ok: [201] })),
    ...tags.map((t): Op => ({ what: `tag ${t}`, run: () => s.api('POST', `/v1.41/images/busybox:local/tag?repo=${t}&tag=v1`), ok: [201] })),
    ...ctrs.map((c): Op => ({
      what: `create container ${c}`,
      run: () => s.api('POST', `/v1.41/containers/create?name=${c}`, { body: { Image: 'busybox:local', Cmd: ['true'], Labels: { load: '1' }, HostConfig: { NetworkMode: 'none' } } }),
      ok: [201],
    })),
  ];
  await fire(shuffle([...creates, ...reads(200 - creates.length)]));

  const volList = (await s.api('GET', '/v1.41/volumes?filters=%7B%22label%22%3A%5B%22load%3D1%22%5D%7D')).json as { Volumes: { Name: string }[] };
  assert.deepEqual(volList.Volumes.map((v) => v.Name).sort(), [...vols].sort());
  const netList = (await s.api('GET', '/v1.41/networks?filters=%7B%22label%22%3A%5B%22load%3D1%22%5D%7D')).json as { Name: string; IPAM: { Config: { Subnet: string }[] } }[];
  assert.deepEqual(netList.map((n) => n.Name).sort(), [...nets].sort());
  // every network got a subnet of its own
  assert.equal(new Set(netList.map((n) => n.IPAM.Config[0]!.Subnet)).size, nets.length);
  const img = (await s.api('GET', '/v1.41/images/busybox:local/json')).json as { Id: string; RepoTags: string[] };
  assert.equal(img.Id, imageId);
  assert.equal(img.RepoTags.length, tags.length + 1);
  const ctrList = (await s.api('GET', '/v1.41/containers/json?all=1&filters=%7B%22label%22%3A%5B%22load%3D1%22%5D%7D')).json as { Names: string[] }[];
  assert.deepEqual(ctrList.map((c) => c.Names[0]).sort(), ctrs.map((c) => `/${c}`).sort());

  const removes: Op[] = [
    ...vols.map((v): Op => ({ what: `rm volume ${v}`, run: () => s.api('DELETE', `/v1.41/volumes/${v}`), ok: [204] })),
    ...nets.map((n): Op => ({ what: `rm network ${n}`, run: () => s.api('DELETE', `/v1.41/networks/${n}`), ok: [204] })),
    ...tags.map((t): Op => ({ what: `untag ${t}`, run: () => s.api('DELETE', `/v1.41/images/${t}:v1`), ok: [200] })),
    ...ctrs.map((c): Op => ({ what: `rm container ${c}`, run: () => s.api('DELETE', `/v1.41/containers/${c}`), ok: [204] })),
    ...ctrs.slice(0, 10).map((c): Op => ({ what: `inspect container ${c}`, run: () => s.api('GET', `/v1.41/containers/${c}/json`), ok: [200, 404] })),
    ...vols.slice(0, 20).map((v): Op => ({ what: `inspect volume ${v}`, run: () => s.api('GET', `/v1.41/volumes/${v}`), ok: [200, 404] })),
  ];
  await fire(shuffle([...removes, ...reads(200 - removes.length)]));

  assert.deepEqual(((await s.api('GET', '/v1.41/volumes')).json as { Volumes: unknown[] }).Volumes, []);
  assert.deepEqual((await s.api('GET', '/v1.41/containers/json?all=1')).json, []);
  const left = ((await s.api('GET', '/v1.41/networks')).json as { Name: string }[]).map((n) => n.Name).sort();
  assert.deepEqual(left, ['bridge', 'host', 'none']);
  assert.deepEqual(((await s.api('GET', '/v1.41/images/json')).json as { RepoTags: string[] }[]).map((i) => i.RepoTags), [['busybox:local']]);
  // the CLI on the same root agrees
  assert.equal(s.skiff(['volume', 'ls', '-q']).trim(), '');
});

/** A request whose body may be cut off by the server's answer: the status is what counts. */
function statusOf(method: string, path: string, headers: Record<string, string>, body: Buffer | (() => Iterable<Buffer>)): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: s.sock, method, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (e) => setTimeout(() => reject(e), 1000));
    if (Buffer.isBuffer(body)) req.end(body);
    else {
      const chunks = [...body()];
      const write = () => {
        while (chunks.length) if (!req.write(chunks.shift()!)) return void req.once('drain', write);
        req.end();
      };
      write();
    }
  });
}

function rawExchange(bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const c = connect(s.sock);
    let got = '';
    c.on('data', (d) => (got += d));
    c.on('close', () => resolve(got));
    c.on('error', () => resolve(got));
    c.write(bytes);
    setTimeout(() => c.end(), 500);
  });
}

test('malformed requests get a 4xx and the service keeps running', async () => {
  const json = { 'Content-Type': 'application/json' };
  const cases: [string, string, unknown][] = [
    ['POST', '/v1.41/volumes/create', '{"Name": "x",'],
    ['POST', '/v1.41/volumes/create', '"just a string"'],
    ['POST', '/v1.41/volumes/create', { Name: 5 }],
    ['POST', '/v1.41/volumes/create', { Name: 'ok1', Labels: 'no' }],
    ['POST', '/v1.41/volumes/create', { Name: 'ok2', DriverOpts: { a: [] } }],
    ['POST', '/v1.41/networks/create', { Name: 'n', Internal: 'yes' }],
    // dockerd takes any network name but one with a NUL (`../../etc` included: it is only a row)
    ['POST', '/v1.41/networks/create', { Name: 'a\u0000b' }],
    ['POST', '/v1.41/networks/bridge/connect', { Container: 42 }],
    ['POST', '/v1.41/auth', '{{{'],
    ['GET', '/v1.41/volumes?filters=%7Bnot-json', undefined],
    ['GET', '/v1.41/images/json?filters=%5B1%2C2%5D', undefined],
    ['GET', '/v1.41/images/json?filters=%7B%22nosuchfilter%22%3A%5B%22x%22%5D%7D', undefined],
    ['GET', '/v1.41/networks?filters=%7B%22type%22%3A%5B%22weird%22%5D%7D', undefined],
    ['POST', '/v1.41/images/busybox:local/tag', undefined],
    ['POST', '/v1.41/images/busybox:local/tag?repo=a&tag=bad%20tag', undefined],
    ['GET', '/v1.41/images/%zz/json', undefined],
    ['GET', '/v9.99/version', undefined],
    ['GET', '/v1.41/no/such/endpoint', undefined],
    ['PATCH', '/v1.41/volumes', undefined],
  ];
  for (const [method, path, body] of cases) {
    const r = await s.api(method, path, body === undefined ? {} : { body, headers: json });
    assert.ok(r.status >= 400 && r.status < 500, `${method} ${path} ${JSON.stringify(body)}: ${r.status} ${r.text}`);
    if (r.text) assert.equal(typeof (r.json as { message?: string })?.message, 'string', `${method} ${path}: ${r.text}`);
  }
  // a body over the JSON cap, declared and chunked
  const huge = Buffer.alloc(20 * 1024 * 1024, 0x20);
  assert.equal(await statusOf('POST', '/v1.41/volumes/create', { ...json, 'Content-Length': String(huge.length) }, huge), 413);
  const chunked = () => Array.from({ length: 24 }, () => Buffer.alloc(1024 * 1024, 0x20));
  assert.equal(await statusOf('POST', '/v1.41/networks/create', { ...json, 'Transfer-Encoding': 'chunked' }, chunked), 413);
  // not HTTP at all, and a request line cut short
  assert.match(await rawExchange('\x00\x01garbage\r\n\r\n'), /^HTTP\/1\.1 400/);
  await rawExchange('GET /v1.41/vers');
  // nothing was created by any of it, and the service still answers
  assert.deepEqual(((await s.api('GET', '/v1.41/volumes')).json as { Volumes: unknown[] }).Volumes, []);
  assert.deepEqual((await s.api('GET', '/v1.41/containers/json?all=1')).json, []);
  const ping = await s.api('GET', '/_ping');
  assert.equal(ping.status, 200);
  assert.equal(ping.text, 'OK');
  assert.equal(s.proc.exitCode, null);
  assert.equal(s.dockerOk(['version', '--format', '{{.Server.APIVersion}}']).trim(), '1.41');
});
