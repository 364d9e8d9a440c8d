// The small compose verbs over the engine, in Docker Compose v2's shapes: top, images, events,
// ls, version, wait, cp and push (to a docker-registry on loopback).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SKIFF_BIN } from '../../helpers/env.js';
import { tool, unmet } from '../../helpers/requires.js';
import { IMAGE, expectCode, netEnv, type NetEnv } from '../network/fixtures.js';
import { startRegistry, type Registry } from '../registry/fixtures.js';

const IDLE = "trap 'exit 0' TERM; while true; do sleep 1; done & wait";
let env: NetEnv;
let dir: string;
let registry: Registry | undefined;

const compose = (host: string) => `
name: verbs
services:
  app:
    image: ${IMAGE}
    command: ["sh", "-c", "${IDLE}"]
    deploy: {replicas: 2}
  job:
    image: ${IMAGE}
    command: ["sh", "-c", "sleep 1; exit 3"]
    restart: "no"
  built:
    build:
      context: ./ctx
      tags: ["${host}/verbs/built:extra"]
    image: ${host}/verbs/built:1
    command: ["sh", "-c", "${IDLE}"]
`;

before(async () => {
  env = netEnv('skiff-compose-verbs-');
  dir = join(env.dir, 'proj');
  mkdirSync(join(dir, 'ctx'), { recursive: true });
  writeFileSync(join(dir, 'ctx', 'Dockerfile'), `FROM ${IMAGE}\nRUN echo built > /built.txt\n`);
  if (!unmet(tool('docker-registry'))) registry = await startRegistry(join(env.dir, 'registry'));
  writeFileSync(join(dir, 'compose.yaml'), compose(registry?.host ?? '127.0.0.1:1'));
  expectCode(env.run(['compose', 'up', '-d'], { cwd: dir }), 0, 'compose up -d');
});
after(async () => {
  registry?.stop();
  await env.teardownNet();
});

function ok(args: string[]): string {
  const r = env.run(['compose', ...args], { cwd: dir });
  expectCode(r, 0, `compose ${args.join(' ')}`);
  return r.stdout;
}

test('compose top prints one table: SERVICE and # columns, then ps -ef titles with CMD last', () => {
  const lines = ok(['top', 'app']).trim().split('\n');
  assert.match(lines[0]!, /^SERVICE\s+#\s+UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
  const replicas = new Set(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2).join(' ')));
  assert.deepEqual([...replicas].sort(), ['app 1', 'app 2']);
  assert.ok(lines.slice(1).some((l) => /\bsleep 1$/.test(l) || /sh -c/.test(l)), lines.join('\n'));
});

test('compose images lists each container with its repository, tag, short id and size; --format json is one array; -q unique ids', () => {
  const table = ok(['images']).trim().split('\n');
  assert.match(table[0]!, /^CONTAINER\s+REPOSITORY\s+TAG\s+IMAGE ID\s+SIZE$/);
  assert.deepEqual(table.slice(1).map((l) => l.split(/\s+/)[0]), ['verbs-app-1', 'verbs-app-2', 'verbs-built-1', 'verbs-job-1']);
  const json = JSON.parse(ok(['images', '--format', 'json'])) as { ID: string; ContainerName: string; Repository: string; Tag: string; Size: number }[];
  const app1 = json.find((i) => i.ContainerName === 'verbs-app-1')!;
  assert.match(app1.ID, /^sha256:[0-9a-f]{64}$/);
  assert.equal(app1.Tag, 'latest');
  assert.ok(app1.Size > 0);
  const built = json.find((i) => i.ContainerName === 'verbs-built-1')!;
  assert.match(built.Repository, /\/verbs\/built$/);
  assert.equal(built.Tag, '1');
  const ids = ok(['images', '-q']).trim().split('\n');
  assert.equal(ids.length, 2, 'busybox and the built image');
  assert.ok(ids.every((i) => /^[0-9a-f]{64}$/.test(i)));
});

test('compose ls shows running projects with combined status and config files; -a adds stopped ones; -q and json', async () => {
  const cfg = join(dir, 'compose.yaml');
  // The job exits by itself: wait for that before reading the status.
  assert.equal(env.run(['compose', 'wait', 'job'], { cwd: dir }).code, 3);
  const table = ok(['ls']).trim().split('\n');
  assert.match(table[0]!, /^NAME\s+STATUS\s+CONFIG FILES$/);
  assert.match(table[1]!, new RegExp(`^verbs\\s+running\\(3\\)\\s+${cfg}$`));
  const all = JSON.parse(ok(['ls', '-a', '--format', 'json'])) as { Name: string; Status: string; ConfigFiles: string }[];
  assert.deepEqual(all, [{ Name: 'verbs', Status: 'exited(1), running(3)', ConfigFiles: cfg }]);
  assert.equal(ok(['ls', '-q']), 'verbs\n');
  assert.equal(ok(['ls', '-q', '--filter', 'name=nomatch']), '');
});

test('compose version prints Compose v2 version shapes', () => {
  assert.match(ok(['version']), /^Docker Compose version v2\.\d+\.\d+ \(skiff [^)]+\)\n$/);
  assert.match(ok(['version', '--short']), /^2\.\d+\.\d+\n$/);
  assert.match(JSON.parse(ok(['version', '--format', 'json'])).version, /^v2\.\d+\.\d+$/);
});

test('compose wait prints each container exit and exits with the status of the last to exit', () => {
  const r = env.run(['compose', 'wait', 'job'], { cwd: dir });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, /^container "[0-9a-f]{64}" exited with status code 3\n$/);
});

test('compose cp copies into every replica of a service, and out of the one --index names', () => {
  writeFileSync(join(env.dir, 'in.txt'), 'to-every-replica\n');
  const cp = env.run(['compose', 'cp', join(env.dir, 'in.txt'), 'app:/tmp/in.txt'], { cwd: dir });
  expectCode(cp, 0, 'compose cp into app');
  assert.match(cp.stderr, / Container verbs-app-1 {2}Copied\n[^]* Container verbs-app-2 {2}Copied\n/);
  for (const n of [1, 2]) assert.equal(env.run(['exec', `verbs-app-${n}`, 'cat', '/tmp/in.txt']).stdout, 'to-every-replica\n');
  expectCode(env.run(['exec', 'verbs-app-2', 'sh', '-c', 'echo second > /tmp/out.txt']), 0, 'exec');
  ok(['cp', '--index', '2', 'app:/tmp/out.txt', join(env.dir, 'out.txt')]);
  assert.equal(readFileSync(join(env.dir, 'out.txt'), 'utf8'), 'second\n');
  const missing = env.run(['compose', 'cp', '--index', '3', 'app:/tmp/out.txt', env.dir], { cwd: dir });
  assert.equal(missing.code, 125);
});

test('compose events streams the project container events: --json with the service named, text lines as Compose prints them', async () => {
  const follow = (args: string[]) => {
    const child = spawn(SKIFF_BIN, ['compose', 'events', ...args], { cwd: dir, env: env.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const got = { out: '', child };
    child.stdout.on('data', (d) => (got.out += d));
    return got;
  };
  const json = follow(['--json']);
  const text = follow([]);
  try {
    // The followers subscribe from now on: act until both show they are listening.
    for (let i = 0; i < 40 && !(/"action":"unpause"/.test(json.out) && / container unpause /.test(text.out)); i++) {
      ok(['pause', 'app']);
      ok(['unpause', 'app']);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    json.child.kill('SIGTERM');
    text.child.kill('SIGTERM');
  }
  const events = json.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const unpause = events.find((e) => e.action === 'unpause')!;
  assert.ok(unpause, json.out);
  assert.equal(unpause.type, 'container');
  assert.equal(unpause.service, 'app');
  assert.match(unpause.id as string, /^[0-9a-f]{64}$/);
  assert.match(unpause.time as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  const attrs = unpause.attributes as Record<string, string>;
  assert.match(attrs.name!, /^verbs-app-[12]$/);
  assert.ok(!Object.keys(attrs).some((k) => k.startsWith('com.docker.compose.')), 'Compose labels left out');
  assert.match(text.out, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} container unpause [0-9a-f]{64} \((.+, )?name=verbs-app-[12](, .+)?\)\n\n/m);
});

test('compose push pushes the built service image and its build.tags, and skips services that only name an image', { skip: unmet(tool('docker-registry')) }, () => {
  const r = env.run(['compose', 'push'], { cwd: dir });
  expectCode(r, 0, 'compose push');
  assert.match(r.stderr, / app Skipped/);
  const tags = env.run(['image', 'inspect', '--remote', `docker://${registry!.host}/verbs/built:1`]);
  expectCode(tags, 0, 'remote inspect of the pushed image');
  expectCode(env.run(['image', 'inspect', '--remote', `docker://${registry!.host}/verbs/built:extra`]), 0, 'remote inspect of the build.tags tag');
});

test('pull_policy: always pulls a present image at each up, missing (the default) only an absent one, never refuses an absent one', { skip: unmet(tool('docker-registry')) }, () => {
  // The image `compose push` put in the registry.
  const image = `${registry!.host}/verbs/built:1`;
  const pdir = join(env.dir, 'pull');
  mkdirSync(pdir, { recursive: true });
  const up = (policy: string, ref = image) => {
    writeFileSync(join(pdir, 'compose.yaml'), `name: pull\nservices:\n  svc:\n    image: ${ref}\n    ${policy ? `pull_policy: ${policy}\n    ` : ''}command: ["sh", "-c", "${IDLE}"]\n`);
    return env.run(['compose', 'up', '-d'], { cwd: pdir });
  };
  const pulled = /resolved to sha256:[0-9a-f]{64}/;
  const always = up('always');
  expectCode(always, 0, 'up -d with pull_policy: always');
  assert.match(always.stderr, pulled);
  const again = up('always');
  expectCode(again, 0, 'a second up -d with pull_policy: always');
  assert.match(again.stderr, pulled);
  assert.match(again.stderr, /Container pull-svc-1 {2}Running/, 'the same image pulled again recreates nothing');
  const missing = up('');
  expectCode(missing, 0, 'up -d without pull_policy');
  assert.doesNotMatch(missing.stderr, pulled);
  const never = up('never', `${registry!.host}/verbs/absent:1`);
  assert.equal(never.code, 125, never.stderr);
  assert.doesNotMatch(never.stderr, pulled);
  assert.match(never.stderr, /verbs\/absent:1/);
  expectCode(env.run(['compose', 'down', '-t', '1'], { cwd: pdir }), 0, 'down');
});

test('a service\'s platform is the one its image is pulled for: another architecture than the image has is not found', { skip: unmet(tool('docker-registry')) }, () => {
  // Pushed by `compose push` (the host's architecture only); untagged here so up must pull it.
  const image = `${registry!.host}/verbs/built:extra`;
  const pdir = join(env.dir, 'platform');
  mkdirSync(pdir, { recursive: true });
  const other = process.arch === 'arm64' ? 'linux/amd64' : 'linux/arm64';
  const host = process.arch === 'arm64' ? 'linux/arm64' : 'linux/amd64';
  const up = (platform: string) => {
    writeFileSync(join(pdir, 'compose.yaml'), `name: platform\nservices:\n  svc:\n    image: ${image}\n    platform: ${platform}\n    command: ["sh", "-c", "${IDLE}"]\n`);
    return env.run(['compose', 'up', '-d'], { cwd: pdir });
  };
  expectCode(env.run(['rmi', image]), 0, 'rmi');
  const wrong = up(other);
  assert.equal(wrong.code, 125, wrong.stderr);
  assert.match(wrong.stderr, new RegExp(other.replace('/', '\\/')));
  expectCode(up(host), 0, `up -d with platform ${host}`);
  expectCode(env.run(['compose', 'down', '-t', '1'], { cwd: pdir }), 0, 'down');
});
