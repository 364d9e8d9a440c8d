// `skiff compose config` on a sample project on disk, run as a user runs it: from a subdirectory
// (the files are found upwards), with the override file, `.env`, include, extends and profiles;
// docker-compose v1 reads the part of it v1 understands and must agree on the result.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SKIFF_BIN } from '../../helpers/env.js';
import { tool, unmet } from '../../helpers/requires.js';

const top = mkdtempSync(join(tmpdir(), 'skiff-compose-'));
after(() => rmSync(top, { recursive: true, force: true }));

/** A clean environment: the test's own variables only, so the host's cannot change the model. */
const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/home/tester' };

function writeTree(root: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
  }
}

function skiff(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(SKIFF_BIN, args, { cwd, env: { ...ENV, ...env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const common = {
  '.env': 'TAG=1.25\nWEB_PORT=8080\nEMPTY=\n',
  'compose.yaml': `version: "3.8"
x-restart: &restart
  restart: unless-stopped
services:
  web:
    <<: *restart
    image: "nginx:\${TAG}"
    ports: ["\${WEB_PORT}:80"]
    volumes: ["./html:/usr/share/nginx/html:ro", "cache:/cache"]
    environment:
      - GREETING=\${GREETING:-hello}
      - DASH=\${UNSET_X-dash}
      - COLON=\${EMPTY:-colon}
      - KEPT=\${EMPTY-kept}
      - LITERAL=$$HOME
    depends_on: [app]
  app:
    extends: {file: base.yaml, service: base}
    command: ["serve", "--port", "9000"]
  debug:
    image: busybox
    profiles: [debug]
volumes:
  cache: {}
`,
  'base.yaml': `services:
  base:
    image: app:latest
    environment: {MODE: base, LEVEL: "1"}
    command: ["run"]
`,
  'compose.override.yaml': `services:
  web:
    environment: [GREETING=override]
    ports: ["8443:443"]
`,
};

test('skiff compose config from a subdirectory: files found upwards, override and .env applied, include, extends; Docker Compose v2\'s shape', () => {
  const dir = join(top, 'My App');
  writeTree(dir, {
    ...common,
    'compose.yaml': common['compose.yaml'].replace('services:\n', 'include:\n  - lib/db.yaml\nservices:\n'),
    'lib/db.yaml': 'services:\n  db:\n    image: "postgres:${PG:-16}"\n    volumes: [./init:/docker-entrypoint-initdb.d]\n',
    'lib/.env': 'PG=15\n',
    'sub/keep': '',
  });
  const r = skiff(['compose', 'config', '--format', 'json'], join(dir, 'sub'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /the attribute `version` is obsolete/);
  const p = JSON.parse(r.stdout);
  assert.equal(p.name, 'myapp');
  assert.deepEqual(Object.keys(p.services), ['app', 'db', 'web']);
  const web = p.services.web;
  assert.equal(web.image, 'nginx:1.25');
  assert.equal(web.restart, 'unless-stopped');
  assert.deepEqual(web.environment, { COLON: 'colon', DASH: 'dash', GREETING: 'override', KEPT: '', LITERAL: '$$HOME' }, 'printed with `$` doubled, as docker compose prints it');
  assert.deepEqual(web.ports, [
    { mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' },
    { mode: 'ingress', target: 443, published: '8443', protocol: 'tcp' },
  ]);
  assert.deepEqual(web.volumes, [
    { type: 'bind', source: join(dir, 'html'), target: '/usr/share/nginx/html', read_only: true, bind: { create_host_path: true } },
    { type: 'volume', source: 'cache', target: '/cache', volume: {} },
  ]);
  assert.deepEqual(web.depends_on, { app: { condition: 'service_started', required: true } });
  assert.deepEqual(p.services.app.command, ['serve', '--port', '9000']);
  assert.deepEqual(p.services.app.environment, { LEVEL: '1', MODE: 'base' });
  assert.equal(p.services.db.image, 'postgres:15');
  assert.equal(p.services.db.volumes[0].source, join(dir, 'lib/init'));
  assert.deepEqual(p.networks, { default: { name: 'myapp_default' } });
  assert.deepEqual(p.volumes, { cache: { name: 'myapp_cache' } });

  // The YAML output is the same model, and loads again into it (every `$` was doubled).
  const y = skiff(['compose', 'config'], join(dir, 'sub'));
  assert.equal(y.code, 0, y.stderr);
  assert.deepEqual(parse(y.stdout), p);
  writeFileSync(join(top, 'rendered.yaml'), y.stdout);
  const again = skiff(['compose', '-f', join(top, 'rendered.yaml'), 'config', '--format', 'json'], top);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout), p);
});

test('skiff compose config: -f (also -), -p, --profile, --env-file, --services, --volumes, --profiles, --networks, --images; errors exit 125', () => {
  const dir = join(top, 'flags');
  writeTree(dir, { ...common, 'prod.env': 'TAG=prod\nWEB_PORT=80\n' });
  const base = ['compose', '-f', 'compose.yaml', '-p', 'shop'];
  const r = skiff([...base, 'config', '--profile', 'debug', '--env-file', 'prod.env', '--format', 'json'], dir);
  assert.equal(r.code, 0, r.stderr);
  const p = JSON.parse(r.stdout);
  assert.equal(p.name, 'shop');
  assert.deepEqual(Object.keys(p.services), ['app', 'debug', 'web']);
  assert.equal(p.services.web.image, 'nginx:prod');
  assert.equal(p.services.web.environment.GREETING, 'hello', 'an explicit -f leaves the override file out');
  assert.equal(skiff([...base, 'config', '--services'], dir).stdout, 'app\nweb\n');
  assert.equal(skiff([...base, 'config', '--volumes'], dir).stdout, 'cache\n');
  assert.equal(skiff([...base, 'config', '--profiles'], dir).stdout, 'debug\n');
  assert.equal(skiff([...base, 'config', '--networks'], dir).stdout, 'default\n');
  assert.equal(skiff([...base, 'config', '--images'], dir).stdout, 'app:latest\nnginx:1.25\n');
  // `-f -` reads standard input, with the working directory as the project directory.
  const stdin = spawnSync(SKIFF_BIN, ['compose', '-f', '-', 'config', '--format', 'json'], {
    cwd: dir,
    env: ENV,
    encoding: 'utf8',
    input: 'services:\n  one:\n    image: "one:${TAG}"\n',
  });
  assert.equal(stdin.status, 0, stdin.stderr);
  assert.deepEqual(JSON.parse(stdin.stdout).services.one.image, 'one:1.25');
  assert.equal(JSON.parse(stdin.stdout).name, 'flags');
  // Naming a service enables its profile and selects it (with what it depends on).
  assert.equal(skiff(['compose', 'config', '--services', 'debug'], dir).stdout, 'debug\n');
  assert.equal(skiff(['compose', 'config', '--services'], dir, { COMPOSE_PROFILES: 'debug' }).stdout, 'app\ndebug\nweb\n');

  writeFileSync(join(dir, 'bad.yaml'), 'services:\n  web:\n    image: x\n    imagee: y\n');
  const bad = skiff(['compose', '-f', 'bad.yaml', 'config'], dir);
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /^Error: validating .*bad\.yaml: services\.web additional properties 'imagee' not allowed/m);
  const none = skiff(['compose', 'config'], top);
  assert.equal(none.code, 125);
  assert.match(none.stderr, /no configuration file provided: not found/);
});

test('docker-compose v1 reads the same project (override, .env, anchors, extends, profiles) into the same services', { skip: unmet(tool('docker-compose')) }, () => {
  const dir = join(top, 'v1');
  writeTree(dir, common);
  mkdirSync(join(dir, 'html'));
  const ours = JSON.parse(skiff(['compose', 'config', '--format', 'json', '--profile', 'debug'], dir).stdout);
  const v1run = spawnSync('docker-compose', ['--profile', 'debug', 'config'], { cwd: dir, env: ENV, encoding: 'utf8' });
  assert.equal(v1run.status, 0, v1run.stderr);
  const v1 = parse(v1run.stdout);
  assert.deepEqual(Object.keys(ours.services).sort(), Object.keys(v1.services).sort());
  for (const name of Object.keys(v1.services)) {
    assert.equal(ours.services[name].image, v1.services[name].image, name);
    assert.deepEqual(ours.services[name].environment, v1.services[name].environment, name);
  }
  // v1 prints short forms where v2 (and skiff) print long ones, and reorders volumes (v2 keeps
  // the file's order): compare what they say.
  assert.deepEqual([...v1.services.web.volumes].sort(), [`${join(dir, 'html')}:/usr/share/nginx/html:ro`, 'cache:/cache:rw'].sort());
  assert.deepEqual(
    ours.services.web.volumes.map((v: { source: string; target: string; read_only?: boolean }) => `${v.source}:${v.target}:${v.read_only ? 'ro' : 'rw'}`).sort(),
    [...v1.services.web.volumes].sort(),
  );
  assert.deepEqual(ours.services.app.command, v1.services.app.command);
  for (const cmd of ['--services', '--volumes']) {
    const a = skiff(['compose', 'config', cmd, '--profile', 'debug'], dir).stdout.split('\n').sort();
    const b = spawnSync('docker-compose', ['--profile', 'debug', 'config', cmd], { cwd: dir, env: ENV, encoding: 'utf8' }).stdout.split('\n').sort();
    assert.deepEqual(a, b, cmd);
  }
});

test('skiff compose config prints sizes as byte counts, durations as Go prints them, CPUs as numbers, devices in long form and label_file read into labels, as Docker Compose v2 does', () => {
  const dir = join(top, 'units');
  writeTree(dir, {
    'compose.yaml': `services:
  db:
    image: busybox
    shm_size: 64m
    mem_limit: \${MEM:-1g}
    cpus: "0.5"
    stop_grace_period: 90s
    devices: ["/dev/fuse", "/dev/sda:/dev/xvda:r"]
    label_file: ./labels.env
    labels: {env: prod}
    healthcheck:
      test: ["CMD", "true"]
      interval: 1m30s
      start_period: 120s
    deploy:
      resources:
        limits: {memory: 256M, cpus: "1.5"}
`,
    'labels.env': 'team=core\nenv=dev\n',
  });
  const y = skiff(['compose', 'config'], dir);
  assert.equal(y.code, 0, y.stderr);
  // Go's yaml quotes a byte count (a string in compose-go's model) and leaves a duration plain.
  for (const line of ['    shm_size: "67108864"', '    mem_limit: "1073741824"', '    cpus: 0.5', '    stop_grace_period: 1m30s', '      interval: 1m30s', '      start_period: 2m0s', '          memory: "268435456"', '          cpus: 1.5']) {
    assert.ok(y.stdout.split('\n').includes(line), `${JSON.stringify(line)} in:\n${y.stdout}`);
  }
  const db = JSON.parse(skiff(['compose', 'config', '--format', 'json'], dir, { MEM: '512m' }).stdout).services.db;
  assert.equal(db.mem_limit, '536870912');
  assert.deepEqual(db.labels, { env: 'prod', team: 'core' });
  assert.equal(db.label_file, undefined);
  assert.deepEqual(db.devices, [
    { source: '/dev/fuse', target: '/dev/fuse', permissions: 'rwm' },
    { source: '/dev/sda', target: '/dev/xvda', permissions: 'r' },
  ]);
  writeFileSync(join(dir, 'compose.yaml'), 'services:\n  db:\n    image: busybox\n    shm_size: lots\n');
  const bad = skiff(['compose', 'config'], dir);
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /shm_size: invalid size: 'lots'/);
});
