// `skiff compose up/ps/logs/down` on a web + worker + database-like project (busybox), in an env
// whose networks (the project's, made without --subnet) come from its own subnet pool: dependency
// order with a health check, name and alias resolution on the project network, scaling, the
// config hash deciding what is recreated, prefixed logs, and a clean `down -v`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { IMAGE, expectCode, netEnv, type NetEnv } from '../network/fixtures.js';

let env: NetEnv;
let dir: string;

// Each process leaves on SIGTERM at once (a shell as PID 1 ignores it otherwise).
const IDLE = "trap 'exit 0' TERM; while true; do sleep 1; done & wait";
const COMPOSE = `
name: demo
services:
  db:
    image: ${IMAGE}
    command: ["sh", "-c", "mkdir -p /data && echo db-says-hello > /data/index.html && cat /site/motd && exec httpd -f -p 80 -h /data"]
    volumes: ["data:/data", "./site:/site:ro"]
    ports: ["127.0.0.1::80"]
    networks:
      default:
        aliases: [database]
    healthcheck:
      test: ["CMD", "test", "-f", "/data/index.html"]
      interval: 1s
      retries: 30
  web:
    image: ${IMAGE}
    depends_on:
      db: {condition: service_healthy}
    environment:
      GREETING: hi
    command:
      - sh
      - -c
      - |
        for n in db database; do
          for i in $$(seq 1 40); do timeout 3 wget -qO- http://$$n/ && break; sleep 0.5; done
        done
        echo web-ok
        ${IDLE}
  worker:
    image: ${IMAGE}
    depends_on: [db]
    environment:
      LEVEL: \${LEVEL:-1}
    command: ["sh", "-c", "${IDLE}"]
volumes:
  data: {}
`;

before(() => {
  env = netEnv('skiff-compose-up-');
  dir = join(env.dir, 'proj');
  mkdirSync(join(dir, 'site'), { recursive: true });
  writeFileSync(join(dir, 'site', 'motd'), 'motd-from-bind\n');
  writeFileSync(join(dir, 'compose.yaml'), COMPOSE);
});
after(async () => {
  await env.teardownNet();
});

function compose(args: string[], extraEnv: Record<string, string> = {}) {
  return env.run(['compose', ...args], { cwd: dir, env: extraEnv });
}
function composeOk(args: string[], extraEnv: Record<string, string> = {}): string {
  const r = compose(args, extraEnv);
  expectCode(r, 0, `compose ${args.join(' ')}`);
  return r.stdout;
}
/** service-number → container id, of every container of the project. */
function ids(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of composeOk(['ps', '-a', '--format', '{{.Name}} {{.ID}}']).trim().split('\n').filter(Boolean)) {
    const [name, id] = line.split(' ') as [string, string];
    out[name] = id;
  }
  return out;
}
const inspect = (name: string) => JSON.parse(env.ok(['inspect', name]))[0];

test('up -d starts the services in dependency order, the web only once the db is healthy', async () => {
  const since = new Date(Date.now() - 1000).toISOString();
  const up = compose(['up', '-d']);
  expectCode(up, 0, 'compose up -d');
  assert.deepEqual(Object.keys(ids()).sort(), ['demo-db-1', 'demo-web-1', 'demo-worker-1']);
  const db = inspect('demo-db-1');
  const web = inspect('demo-web-1');
  // The first `health_status: healthy` event: the health log keeps only the last five results.
  const events = env.ok(['events', '--since', since, '--until', new Date().toISOString(), '--format', '{{json .}}']);
  const healthy = events
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { Action: string; Actor: { Attributes: Record<string, string> }; timeNano: number })
    .find((e) => e.Actor.Attributes.name === 'demo-db-1' && e.Action === 'health_status: healthy');
  assert.ok(healthy, `the db became healthy: ${events}`);
  const healthyAt = Math.floor(healthy.timeNano / 1e6);
  assert.ok(Date.parse(web.State.StartedAt) >= healthyAt, `web started ${web.State.StartedAt} before the db was healthy (${new Date(healthyAt).toISOString()})`);
  assert.ok(up.stderr.indexOf('Container demo-db-1  Healthy') < up.stderr.indexOf('Container demo-web-1  Started'), up.stderr);
  // Compose's labels and names.
  assert.equal(db.Config.Labels['com.docker.compose.project'], 'demo');
  assert.equal(db.Config.Labels['com.docker.compose.service'], 'db');
  assert.equal(db.Config.Labels['com.docker.compose.container-number'], '1');
  assert.equal(db.Config.Labels['com.docker.compose.oneoff'], 'False');
  assert.equal(db.Config.Labels['com.docker.compose.project.working_dir'], dir);
  assert.equal(web.Config.Labels['com.docker.compose.depends_on'], 'db:service_healthy:false');
  assert.match(db.Config.Labels['com.docker.compose.config-hash'], /^[0-9a-f]{64}$/);
  const net = JSON.parse(env.ok(['network', 'inspect', 'demo_default']))[0];
  assert.equal(net.Labels['com.docker.compose.network'], 'default');
  const vol = JSON.parse(env.ok(['volume', 'inspect', 'demo_data']))[0];
  assert.equal(vol.Labels['com.docker.compose.volume'], 'data');
});

test('the web reaches the db by service name and by alias; logs are prefixed per container', async () => {
  let logs = '';
  for (let i = 0; i < 100 && !logs.includes('web-ok'); i++) {
    logs = composeOk(['logs', 'web']);
    if (!logs.includes('web-ok')) await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(logs, 'web-1  | db-says-hello\nweb-1  | db-says-hello\nweb-1  | web-ok\n');
  const all = composeOk(['logs']);
  assert.match(all, /^db-1      \| motd-from-bind$/m);
  assert.match(all, /^web-1     \| web-ok$/m);
});

test('port prints the host address of a published port, which answers', async () => {
  const addr = composeOk(['port', 'db', '80']).trim();
  assert.match(addr, /^127\.0\.0\.1:\d+$/);
  const body = await new Promise<string>((resolve, reject) => {
    get(`http://${addr}/`, (res) => {
      let b = '';
      res.on('data', (d: Buffer) => (b += d.toString()));
      res.on('end', () => resolve(b));
    }).on('error', reject);
  });
  assert.equal(body, 'db-says-hello\n');
});

test('ps prints Docker Compose v2 columns and the running services', () => {
  const out = composeOk(['ps']);
  const [header, ...rows] = out.trim().split('\n');
  assert.deepEqual(header!.split(/\s{2,}/), ['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'CREATED', 'STATUS', 'PORTS']);
  assert.deepEqual(rows.map((r) => r.split(/\s+/)[0]), ['demo-db-1', 'demo-web-1', 'demo-worker-1']);
  assert.match(rows[0]!, /\bdb\b.*Up .*\(healthy\)\s+127\.0\.0\.1:\d+->80\/tcp$/);
  assert.equal(composeOk(['ps', '--services']), 'db\nweb\nworker\n');
});

test('--scale worker=3 adds workers 2 and 3, --scale worker=1 removes them again', () => {
  composeOk(['up', '-d', '--wait', '--scale', 'worker=3']);
  assert.deepEqual(Object.keys(ids()).filter((n) => n.includes('worker')).sort(), ['demo-worker-1', 'demo-worker-2', 'demo-worker-3']);
  const before = ids();
  composeOk(['up', '-d', '--scale', 'worker=1']);
  const after = ids();
  assert.deepEqual(Object.keys(after).sort(), ['demo-db-1', 'demo-web-1', 'demo-worker-1']);
  assert.equal(after['demo-worker-1'], before['demo-worker-1']);
});

test('a second up -d with nothing changed recreates nothing; a changed environment recreates only that service', () => {
  const first = ids();
  const again = compose(['up', '-d']);
  expectCode(again, 0, 'second up -d');
  assert.deepEqual(ids(), first);
  assert.doesNotMatch(again.stderr, /Recreate|Created/);
  composeOk(['up', '-d'], { LEVEL: '2' });
  const changed = ids();
  assert.notEqual(changed['demo-worker-1'], first['demo-worker-1']);
  assert.equal(changed['demo-db-1'], first['demo-db-1']);
  assert.equal(changed['demo-web-1'], first['demo-web-1']);
  assert.ok(inspect('demo-worker-1').Config.Env.includes('LEVEL=2'));
});

test('exec runs in the service container; run --rm runs a one-off and removes it', () => {
  assert.equal(composeOk(['exec', '-T', 'db', 'cat', '/data/index.html']), 'db-says-hello\n');
  const before = ids();
  assert.equal(composeOk(['run', '--rm', '-T', 'web', 'sh', '-c', 'echo one-off $GREETING']), 'one-off hi\n');
  assert.equal(env.ok(['ps', '-aq', '--filter', 'label=com.docker.compose.oneoff=True']), '');
  assert.deepEqual(ids(), before);
});

test('up --force-recreate --no-deps worker recreates the worker alone; --no-recreate keeps a changed one', () => {
  const first = ids();
  composeOk(['up', '-d', '--force-recreate', '--no-deps', 'worker'], { LEVEL: '2' });
  const after = ids();
  assert.notEqual(after['demo-worker-1'], first['demo-worker-1']);
  assert.equal(after['demo-db-1'], first['demo-db-1']);
  assert.equal(after['demo-web-1'], first['demo-web-1']);
  composeOk(['up', '-d', '--no-recreate'], { LEVEL: '3' });
  assert.deepEqual(ids(), after);
});

test('stop, start and create act on the existing containers of the named service', () => {
  const before = ids();
  composeOk(['stop', 'worker']);
  assert.equal(inspect('demo-worker-1').State.Status, 'exited');
  assert.equal(inspect('demo-web-1').State.Status, 'running');
  composeOk(['start', 'worker']);
  assert.equal(inspect('demo-worker-1').State.Status, 'running');
  composeOk(['create'], { LEVEL: '2' });
  assert.deepEqual(ids(), before);
});

test('a service gone from the files is an orphan: warned about, removed with --remove-orphans', () => {
  writeFileSync(join(dir, 'extra.yaml'), `services:\n  extra:\n    image: ${IMAGE}\n    command: ["sh", "-c", "${IDLE}"]\n`);
  composeOk(['-f', 'compose.yaml', '-f', 'extra.yaml', 'up', '-d', 'extra']);
  assert.ok(ids()['demo-extra-1'], 'the extra service runs');
  const warned = compose(['up', '-d']);
  expectCode(warned, 0, 'up -d without the extra file');
  assert.match(warned.stderr, /Found orphan containers \(\[demo-extra-1\]\) for this project/);
  assert.ok(ids()['demo-extra-1'], 'an orphan stays without --remove-orphans');
  composeOk(['up', '-d', '--remove-orphans']);
  assert.equal(ids()['demo-extra-1'], undefined);
});

test('a dependency that does not complete successfully stops up with the reason; its dependent is left created, never started', () => {
  const failing = join(env.dir, 'failing');
  mkdirSync(failing, { recursive: true });
  writeFileSync(
    join(failing, 'compose.yaml'),
    `services:\n  init:\n    image: ${IMAGE}\n    command: ["sh", "-c", "exit 3"]\n  app:\n    image: ${IMAGE}\n    command: ["true"]\n    depends_on:\n      init: {condition: service_completed_successfully}\n`,
  );
  const r = env.run(['compose', 'up', '-d'], { cwd: failing });
  assert.equal(r.code, 125, r.stderr);
  assert.match(r.stderr, /^Error: service "init" didn't complete successfully: exit 3$/m);
  // Compose v2 makes every container before starting any: the dependent stays in Created.
  assert.equal(env.ok(['ps', '-a', '--filter', 'name=failing-app-1', '--format', '{{.Names}} {{.State}}']).trim(), 'failing-app-1 created');
  expectCode(env.run(['compose', 'down'], { cwd: failing }), 0, 'compose down of the failed project');
});

test('attached up builds the service image and prints its prefixed output until it exits', () => {
  const build = join(env.dir, 'built');
  mkdirSync(build, { recursive: true });
  writeFileSync(join(build, 'Dockerfile'), `FROM ${IMAGE}\nRUN echo built-by-compose > /built\n`);
  writeFileSync(join(build, 'compose.yaml'), 'services:\n  app:\n    build: .\n    command: ["cat", "/built"]\n');
  const r = env.run(['compose', 'up'], { cwd: build });
  expectCode(r, 0, 'compose up (attached)');
  assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('app-1')).join('\n'), 'app-1  | built-by-compose\napp-1 exited with code 0');
  assert.match(env.ok(['image', 'inspect', '-f', '{{.Id}}', 'built-app']), /^sha256:[0-9a-f]{64}$/m);
  const first = env.ok(['ps', '-aq', '--no-trunc', '--filter', 'name=built-app-1']).trim();
  // A rebuilt image (`compose build`) recreates the container: only the new one's output shows.
  writeFileSync(join(build, 'Dockerfile'), `FROM ${IMAGE}\nRUN echo built-again > /built\n`);
  expectCode(env.run(['compose', 'build'], { cwd: build }), 0, 'compose build');
  const again = env.run(['compose', 'up'], { cwd: build });
  expectCode(again, 0, 'compose up (attached) after the build');
  assert.equal(again.stdout.split('\n').filter((l) => l.startsWith('app-1')).join('\n'), 'app-1  | built-again\napp-1 exited with code 0');
  assert.notEqual(env.ok(['ps', '-aq', '--no-trunc', '--filter', 'name=built-app-1']).trim(), first);
  writeFileSync(join(build, 'Dockerfile'), `FROM ${IMAGE}\nRUN echo built-third > /built\n`);
  const third = env.run(['compose', 'up', '--build'], { cwd: build });
  expectCode(third, 0, 'compose up --build (attached)');
  assert.equal(third.stdout.split('\n').filter((l) => l.startsWith('app-1')).join('\n'), 'app-1  | built-third\napp-1 exited with code 0');
  expectCode(env.run(['compose', 'down', '--rmi', 'local'], { cwd: build }), 0, 'compose down --rmi local');
  assert.match(env.run(['image', 'inspect', 'built-app']).stderr, /No such image: built-app/);
});

test('down -v leaves no container, network or volume of the project', () => {
  const down = compose(['down', '-v', '-t', '2']);
  expectCode(down, 0, 'compose down -v');
  assert.equal(env.ok(['ps', '-a', '-q', '--filter', 'label=com.docker.compose.project=demo']), '');
  assert.doesNotMatch(env.ok(['network', 'ls', '--format', '{{.Name}}']), /demo_default/);
  assert.doesNotMatch(env.ok(['volume', 'ls', '--format', '{{.Name}}']), /demo_data/);
});
