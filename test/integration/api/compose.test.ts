// docker-compose v1 (Debian's 1.29, docker-py) against `skiff system service`: a two-service
// project (web built from a Dockerfile through the docker CLI's classic builder, worker from the
// image with a named volume and an env var), up -d, ps, logs, an HTTP request to the published
// port, name resolution between services, run --rm, down -v, and a foreground up that aborts
// when a container exits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { IMAGE, apiEnv, waitFor, type ApiEnv } from './fixtures.js';
import type { RunResult } from '../../helpers/env.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('docker'), tool('docker-compose'));
const PROJECT = 'skcmp';
let env: ApiEnv;
let dir: string;
let port: number;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function httpGet(port: number, path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 1000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(res.statusCode === 200 ? body : undefined));
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => (req.destroy(), resolve(undefined)));
    req.end();
  });
}

/** Runs docker-compose in the project dir; it finds the docker CLI (for build and run) on PATH. */
function compose(args: string[], opts: { file?: string; project?: string; timeoutMs?: number } = {}): RunResult {
  const r = spawnSync('docker-compose', ['-p', opts.project ?? PROJECT, ...(opts.file ? ['-f', opts.file] : []), ...args], {
    cwd: dir,
    env: { ...env.clientEnv, PATH: `/usr/local/bin:${process.env.PATH ?? '/usr/bin:/bin'}`, COMPOSE_INTERACTIVE_NO_CLI: '' },
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 120_000,
  });
  return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

function composeOk(args: string[], opts: { file?: string; project?: string } = {}): string {
  const r = compose(args, opts);
  assert.equal(r.code, 0, `docker-compose ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const DOCKERFILE = `FROM ${IMAGE}
RUN mkdir -p /www && echo hello-from-web > /www/index.html
CMD ["sh", "-c", "echo web starting; exec httpd -f -p 8080 -h /www"]
`;

// web runs under an init (catatonit) so that httpd as the only process still stops on SIGTERM;
// the worker's shell traps it.
const composeFile = (port: number) => `version: "3.8"
services:
  web:
    build: .
    init: true
    ports:
      - "127.0.0.1:${port}:8080"
  worker:
    image: ${IMAGE}
    environment:
      GREETING: hello-worker
    volumes:
      - data:/data
    command: ["sh", "-c", "trap 'exit 0' TERM; echo $$GREETING > /data/greeting; echo worker says $$(cat /data/greeting); while true; do sleep 1; done"]
volumes:
  data:
`;

const FOREGROUND = `version: "3.8"
services:
  web:
    build: .
    init: true
  worker:
    image: ${IMAGE}
    depends_on: [web]
    command: ["sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://web:8080/index.html && break; sleep 0.5; done; echo worker done; exit 4"]
`;

before(async () => {
  if (skip) return;
  env = await apiEnv('skiff-api-compose-');
  dir = join(env.dir, 'project');
  mkdirSync(dir);
  port = await freePort();
  writeFileSync(join(dir, 'Dockerfile'), DOCKERFILE);
  writeFileSync(join(dir, 'docker-compose.yml'), composeFile(port));
  writeFileSync(join(dir, 'foreground.yml'), FOREGROUND);
});
after(async () => {
  await env?.stop();
});

const names = (args: string[]) => env.ok(args).split('\n').filter(Boolean).sort();

test('up -d builds web through the docker CLI and starts both services with their network and volume', { skip }, () => {
  const r = compose(['up', '-d']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /Creating network "skcmp_default" with the default driver/);
  assert.match(r.stderr, /Creating volume "skcmp_data" with default driver/);
  assert.match(r.stdout, /^Successfully built [0-9a-f]{12}$/m);
  assert.match(r.stdout, /^Successfully tagged skcmp_web:latest$/m);
  assert.match(r.stderr, /Creating skcmp_web_1 +\.\.\. done/);
  assert.match(r.stderr, /Creating skcmp_worker_1 +\.\.\. done/);
  assert.deepEqual(names(['ps', '--format', '{{.Names}}']), ['skcmp_web_1', 'skcmp_worker_1']);
  assert.deepEqual(names(['network', 'ls', '--format', '{{.Name}}', '--filter', 'label=com.docker.compose.project=skcmp']), ['skcmp_default']);
  assert.deepEqual(names(['volume', 'ls', '--format', '{{.Name}}']), ['skcmp_data']);
  const labels = JSON.parse(env.ok(['inspect', '--format', '{{json .Config.Labels}}', 'skcmp_worker_1'])) as Record<string, string>;
  assert.equal(labels['com.docker.compose.service'], 'worker');
  assert.equal(labels['com.docker.compose.oneoff'], 'False');
  // the same file again: nothing to recreate (the network's options and the containers' config hash match)
  const again = compose(['up', '-d']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /skcmp_web_1 is up-to-date/);
  assert.match(again.stderr, /skcmp_worker_1 is up-to-date/);
});

test('ps shows both services Up, with the published port', { skip }, () => {
  const out = composeOk(['ps']);
  assert.match(out, /^skcmp_web_1 .* Up .*127\.0\.0\.1:\d+->8080\/tcp/m);
  assert.match(out, /^skcmp_worker_1 .* Up /m);
  assert.deepEqual(composeOk(['ps', '--services']).split('\n').filter(Boolean).sort(), ['web', 'worker']);
  assert.equal(composeOk(['ps', '-q']).split('\n').filter(Boolean).length, 2);
});

test('logs shows each service\'s output with its prefix', { skip }, async () => {
  const out = await waitFor(() => {
    const o = composeOk(['logs', '--no-color']);
    return /worker says hello-worker/.test(o) && /web starting/.test(o) ? o : undefined;
  }, 10_000, 'both services to log');
  assert.match(out, /^worker_1 +\| worker says hello-worker$/m);
  assert.match(out, /^web_1 +\| web starting$/m);
  assert.match(composeOk(['logs', '--no-color', '--tail', '1', 'worker']), /^worker_1 +\| worker says hello-worker$/m);
});

test('web answers on its published port, and worker reaches it by service name', { skip }, async () => {
  const body = await waitFor(() => httpGet(port, '/index.html'), 10_000, 'web to answer on its published port');
  assert.equal(body, 'hello-from-web\n');
  assert.equal(composeOk(['exec', '-T', 'worker', 'wget', '-qO-', 'http://web:8080/index.html']), 'hello-from-web\n');
  assert.equal(composeOk(['exec', '-T', 'worker', 'sh', '-c', 'echo $GREETING']), 'hello-worker\n');
});

test('run --rm: a one-off container on the project network with the service\'s volume and env', { skip }, () => {
  assert.equal(composeOk(['run', '--rm', '-T', 'worker', 'echo', 'x']), 'x\n');
  const r = compose(['run', '--rm', '-T', 'worker', 'sh', '-c', 'cat /data/greeting; wget -qO- http://web:8080/index.html; exit 3']);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, 'hello-worker\nhello-from-web\n');
  assert.deepEqual(names(['ps', '-a', '--format', '{{.Names}}']), ['skcmp_web_1', 'skcmp_worker_1'], 'the one-off containers are removed');
});

test('down -v stops and removes the containers, the network and the volume', { skip }, () => {
  const started = Date.now();
  const r = compose(['down', '-v']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Removing network skcmp_default/);
  assert.match(r.stderr, /Removing volume skcmp_data/);
  // Stopped by SIGTERM, not killed at compose's 10 s timeout (137): the worker traps TERM and
  // exits 0, httpd under its init dies of the signal. The die events say so whatever the load.
  const deaths = names(['events', '--since', (started / 1000).toFixed(3), '--until', '0s', '--filter', 'event=die', '--format', '{{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}}']);
  assert.deepEqual(deaths.map((d) => d.split(' ')[0]), ['skcmp_web_1', 'skcmp_worker_1'], deaths.join('\n'));
  assert.ok(deaths.includes('skcmp_worker_1 0'), deaths.join('\n'));
  assert.doesNotMatch(deaths.join('\n'), / 137$/m, 'a service was killed, not stopped by SIGTERM');
  assert.deepEqual(names(['ps', '-a', '--format', '{{.Names}}']), []);
  assert.deepEqual(names(['network', 'ls', '--format', '{{.Name}}', '--filter', 'label=com.docker.compose.project=skcmp']), []);
  assert.deepEqual(names(['volume', 'ls', '--format', '{{.Name}}']), []);
  assert.equal(composeOk(['ps', '-q']), '');
});

test('up in the foreground: attached output, --abort-on-container-exit with the worker\'s exit code', { skip }, () => {
  const opts = { file: 'foreground.yml', project: 'skfg' };
  const r = compose(['up', '--no-color', '--abort-on-container-exit', '--exit-code-from', 'worker'], opts);
  assert.equal(r.code, 4, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^Attaching to skfg_web_1, skfg_worker_1$/m);
  assert.match(r.stdout, /^web_1 +\| web starting$/m);
  assert.match(r.stdout, /^worker_1 +\| hello-from-web$/m);
  assert.match(r.stdout, /^worker_1 +\| worker done$/m);
  assert.match(r.stdout, /skfg_worker_1 exited with code 4/);
  assert.match(r.stdout, /Aborting on container exit/);
  assert.deepEqual(names(['ps', '--format', '{{.Names}}']), [], 'web was stopped');
  composeOk(['down'], opts);
  assert.deepEqual(names(['ps', '-a', '--format', '{{.Names}}']), []);
  assert.deepEqual(names(['network', 'ls', '--format', '{{.Name}}', '--filter', 'label=com.docker.compose.project=skfg']), []);
});
