// dockerode 5 and testcontainers 11 against `skiff system service`: dockerode's run (attach
// without upgrade, start, wait), exec with and without hijack; a testcontainers
// GenericContainer with an exposed port, a log-line wait, exec, stop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { IMAGE, apiEnv, type ApiEnv } from './fixtures.js';

let env: ApiEnv;
let docker: Docker;

before(async () => {
  env = await apiEnv('skiff-api-node-');
  docker = new Docker({ socketPath: env.socket });
});
after(async () => {
  await env?.stop();
});

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

test('dockerode: ping, run with demuxed output and the exit status', async () => {
  assert.equal(String(await docker.ping()), 'OK');
  const out = collect();
  const err = collect();
  const [result, container] = (await docker.run(IMAGE, ['sh', '-c', 'echo to-out; echo to-err >&2; exit 6'], [out.stream, err.stream], { Tty: false })) as [
    { StatusCode: number },
    Docker.Container,
  ];
  assert.equal(result.StatusCode, 6);
  assert.equal(out.text(), 'to-out\n');
  assert.equal(err.text(), 'to-err\n');
  await container.remove();
});

test('dockerode: exec without hijack, then with hijack and stdin', async () => {
  const container = await docker.createContainer({ Image: IMAGE, Cmd: ['sleep', '300'], name: 'dockerode-exec' });
  await container.start();
  const exec = await container.exec({ Cmd: ['sh', '-c', 'echo exec-out; exit 3'], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const out = collect();
  docker.modem.demuxStream(stream, out.stream, out.stream);
  await new Promise((r) => stream.on('end', r));
  assert.equal(out.text(), 'exec-out\n');
  const info = await exec.inspect();
  assert.equal(info.ExitCode, 3);
  assert.equal(info.Running, false);

  const cat = await container.exec({ Cmd: ['cat'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
  const duplex = await cat.start({ hijack: true, stdin: true });
  const got = collect();
  docker.modem.demuxStream(duplex, got.stream, got.stream);
  duplex.end('through stdin\n');
  await new Promise((r) => duplex.on('end', r));
  assert.equal(got.text(), 'through stdin\n');
  assert.equal((await cat.inspect()).ExitCode, 0);

  await container.stop({ t: 1 });
  await container.remove({ force: true });
});

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

test('testcontainers: GenericContainer with an exposed port, a log wait, exec, stop', async () => {
  // testcontainers reads its settings from the environment when first loaded.
  Object.assign(process.env, {
    DOCKER_HOST: env.clientEnv.DOCKER_HOST,
    TESTCONTAINERS_RYUK_DISABLED: 'true',
    TESTCONTAINERS_HOST_OVERRIDE: 'localhost',
  });
  const { GenericContainer, Wait } = await import('testcontainers');
  const started = await new GenericContainer(IMAGE)
    .withCommand(['sh', '-c', 'mkdir -p /www && echo tc-served > /www/index.html && echo server starting && exec httpd -f -v -p 8080 -h /www'])
    .withExposedPorts(8080)
    .withWaitStrategy(Wait.forLogMessage('server starting'))
    .start();
  try {
    const port = started.getMappedPort(8080);
    assert.ok(port > 0);
    let body = '';
    // httpd starts after the log line the wait matched.
    for (let i = 0; i < 200 && body === ''; i++) {
      body = await httpGet(port).catch(() => '');
      if (!body) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(body, 'tc-served\n');
    const r = await started.exec(['sh', '-c', 'echo in-exec; exit 4']);
    assert.equal(r.exitCode, 4);
    assert.equal(r.output.trim(), 'in-exec');
  } finally {
    await started.stop({ timeout: 1 });
  }
  const left = await docker.listContainers({ all: true, filters: { label: ['org.testcontainers=true'] } });
  assert.deepEqual(left, [], 'stop removes the container');
});
