// `skiff compose` flags that change how a project runs: attached `up` ending with the first
// container that exits (`--abort-on-container-exit`, `--exit-code-from`; the same exit status as
// docker-compose v1 gives over skiff's API service), `run --service-ports`, and `logs -f`
// following containers that start after it began.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE, apiEnv, waitFor, type ApiEnv } from '../api/fixtures.js';
import { expectCode } from '../containers/fixtures.js';
import type { RunResult } from '../../helpers/env.js';
import { httpGet } from '../../helpers/http.js';
import { tool, unmet } from '../../helpers/requires.js';

let env: ApiEnv;
let root: string;

// A shell as PID 1 ignores SIGTERM unless it traps it: `long` leaves with status 7 when stopped.
const IDLE = (code: number) => `trap 'exit ${code}' TERM; while true; do sleep 1; done & wait`;
const ABORT = `
services:
  quick:
    image: ${IMAGE}
    command: ["sh", "-c", "echo quick-done; exit 3"]
  long:
    image: ${IMAGE}
    command: ["sh", "-c", "echo long-up; ${IDLE(7)}"]
`;

before(async () => {
  env = await apiEnv('skiff-compose-flags-');
  root = join(env.dir, 'projects');
});
after(async () => {
  await env.stop();
});

function project(name: string, yaml: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'compose.yaml'), yaml);
  return dir;
}
function compose(dir: string, args: string[]): RunResult {
  return env.run(['compose', ...args], { cwd: dir });
}
function composeOk(dir: string, args: string[]): string {
  const r = compose(dir, args);
  expectCode(r, 0, `compose ${args.join(' ')}`);
  return r.stdout;
}
/** Each container's name and exit status, as `compose ps -a` shows the project. */
function exits(dir: string): string[] {
  return composeOk(dir, ['ps', '-a', '--format', '{{.Name}} {{.State}} {{.ExitCode}}']).trim().split('\n').sort();
}

test('up --abort-on-container-exit stops every service when one exits and exits with that container\'s status', () => {
  const dir = project('abort', ABORT);
  const r = compose(dir, ['up', '--abort-on-container-exit', '-t', '5']);
  expectCode(r, 3, 'compose up --abort-on-container-exit');
  assert.match(r.stdout, /^quick-1 +\| quick-done$/m);
  assert.match(r.stdout, /^quick-1 exited with code 3$/m);
  assert.match(r.stdout, /^Aborting on container exit\.\.\.$/m);
  assert.match(r.stderr, /Container abort-long-1 {2}Stopped/);
  assert.deepEqual(exits(dir), ['abort-long-1 exited 7', 'abort-quick-1 exited 3']);
  composeOk(dir, ['down']);
});

test('up --exit-code-from SVC exits with that service\'s container status, the one it got when the cascade stopped it', () => {
  const dir = project('fromlong', ABORT);
  const r = compose(dir, ['up', '--exit-code-from', 'long', '-t', '5']);
  expectCode(r, 7, 'compose up --exit-code-from long');
  assert.match(r.stdout, /^Aborting on container exit\.\.\.$/m);
  assert.deepEqual(exits(dir), ['fromlong-long-1 exited 7', 'fromlong-quick-1 exited 3']);
  composeOk(dir, ['down']);
});

test('up --abort-on-container-failure ignores a zero exit; the attach flags are refused with -d and for unknown services as Compose refuses them', () => {
  const dir = project('fail', `
services:
  ok:
    image: ${IMAGE}
    command: ["sh", "-c", "exit 0"]
  bad:
    image: ${IMAGE}
    command: ["sh", "-c", "sleep 2; exit 5"]
  long:
    image: ${IMAGE}
    command: ["sh", "-c", "${IDLE(0)}"]
`);
  const r = compose(dir, ['up', '--abort-on-container-failure', '-t', '5']);
  expectCode(r, 5, 'compose up --abort-on-container-failure');
  assert.match(r.stdout, /^ok-1 exited with code 0$/m);
  assert.match(r.stdout, /^bad-1 exited with code 5$/m);
  assert.deepEqual(exits(dir), ['fail-bad-1 exited 5', 'fail-long-1 exited 0', 'fail-ok-1 exited 0']);
  composeOk(dir, ['down']);
  const d = compose(dir, ['up', '-d', '--abort-on-container-exit']);
  expectCode(d, 125, 'up -d --abort-on-container-exit');
  assert.match(d.stderr, /^Error: --detach cannot be combined with --abort-on-container-exit/m);
  const n = compose(dir, ['up', '--exit-code-from', 'nosuch']);
  assert.notEqual(n.code, 0);
  assert.match(n.stderr, /no such service: nosuch/);
  const a = compose(dir, ['up', '--attach', 'nosuch']);
  assert.match(a.stderr, /cannot attach to services not included in up: nosuch/);
  assert.equal(composeOk(dir, ['ps', '-a', '-q']), '', 'a refused up creates nothing');
});

test('up --attach shows only that service\'s output while the others run', () => {
  const dir = project('attach', `
services:
  talker:
    image: ${IMAGE}
    command: ["sh", "-c", "echo talker-says; exit 0"]
  quiet:
    image: ${IMAGE}
    command: ["sh", "-c", "echo quiet-says; exit 0"]
`);
  const r = compose(dir, ['up', '--attach', 'talker']);
  expectCode(r, 0, 'compose up --attach talker');
  assert.match(r.stdout, /^talker-1 +\| talker-says$/m);
  assert.doesNotMatch(r.stdout, /quiet/);
  composeOk(dir, ['down']);
});

const skipV1 = unmet(tool('docker-compose'));

test('docker-compose v1 over the API ends the same project with the same exit statuses', { skip: skipV1 }, () => {
  const dir = project('vone', ABORT);
  const v1 = (args: string[]) => {
    const r = spawnSync('docker-compose', ['-p', 'vone', ...args], {
      cwd: dir,
      env: { ...env.clientEnv, COMPOSE_INTERACTIVE_NO_CLI: '1' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
  };
  const abort = v1(['up', '--abort-on-container-exit', '-t', '5']);
  expectCode(abort, 3, 'docker-compose up --abort-on-container-exit');
  assert.match(abort.stdout, /Aborting on container exit/);
  expectCode(v1(['rm', '-f']), 0, 'docker-compose rm -f');
  const from = v1(['up', '--exit-code-from', 'long', '-t', '5']);
  expectCode(from, 7, 'docker-compose up --exit-code-from long');
  // What v1 left is what skiff's up leaves: both containers exited, with the same statuses.
  assert.deepEqual(
    env.dockerOk(['ps', '-a', '--filter', 'label=com.docker.compose.project=vone', '--format', '{{.Label "com.docker.compose.service"}} {{.Status}}']).trim().split('\n').map((l) => l.replace(/\) .*/, ')')).sort(),
    ['long Exited (7)', 'quick Exited (3)'],
  );
  expectCode(v1(['down']), 0, 'docker-compose down');
});

test('run --service-ports publishes the service\'s ports on the one-off container, -p only the ones it names, and without either none', async () => {
  const dir = project('ports', `
services:
  web:
    image: ${IMAGE}
    ports: ["127.0.0.1::80"]
    command: ["sh", "-c", "mkdir -p /w && echo served > /w/index.html && exec httpd -f -p 80 -h /w"]
`);
  const plain = composeOk(dir, ['run', '-d', 'web']).trim();
  assert.equal(env.ok(['port', plain]), '');
  const published = composeOk(dir, ['run', '-d', '--service-ports', 'web']).trim();
  const port = /^80\/tcp -> 127\.0\.0\.1:(\d+)$/m.exec(env.ok(['port', published]));
  assert.ok(port, `no published port on ${published}`);
  const body = await waitFor(() => httpGet('127.0.0.1', Number(port[1])), 20_000, 'the one-off to serve');
  assert.equal(body, 'served\n');
  const chosen = composeOk(dir, ['run', '-d', '-p', '127.0.0.1::80', 'web']).trim();
  assert.match(env.ok(['port', chosen]), /^80\/tcp -> 127\.0\.0\.1:\d+$/m);
  const both = compose(dir, ['run', '-d', '--service-ports', '-p', '8080:80', 'web']);
  assert.match(both.stderr, /--service-ports and --publish are incompatible/);
  composeOk(dir, ['down', '-t', '1']);
});

test('logs -f follows a replica scaled up and a container restarted after it began', async () => {
  const dir = project('follow', `
services:
  worker:
    image: ${IMAGE}
    command: ["sh", "-c", "echo hello-from-$$(hostname); ${IDLE(0)}"]
    hostname: w
`);
  composeOk(dir, ['up', '-d']);
  const p = spawn(process.execPath, [env.bin, 'compose', 'logs', '-f'], { cwd: dir, env: env.env });
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise((r) => p.once('close', r));
  const lines = (re: RegExp) => out.split('\n').filter((l) => re.test(l)).length;
  try {
    await waitFor(() => (lines(/^worker-1 +\| hello-from-w$/) === 1 ? true : undefined), 20_000, 'worker-1 output');
    composeOk(dir, ['up', '-d', '--scale', 'worker=2']);
    await waitFor(() => (lines(/^worker-2 +\| hello-from-w$/) === 1 ? true : undefined), 20_000, `worker-2 output in: ${out}`);
    composeOk(dir, ['restart', '-t', '2', 'worker']);
    await waitFor(() => (lines(/^worker-1 +\| hello-from-w$/) === 2 ? true : undefined), 20_000, `worker-1 output after the restart in: ${out}`);
    assert.equal(lines(/^worker-2 +\| hello-from-w$/) >= 1, true);
  } finally {
    p.kill('SIGINT');
    await closed;
  }
  composeOk(dir, ['down', '-t', '1']);
});

test('security_opt, devices, resource keys, sysctls in list form, volumes_from and secrets/configs (file, environment, content) reach the container', () => {
  const dir = project('model', `
services:
  db:
    image: ${IMAGE}
    command: ["sh", "-c", "${IDLE(0)}"]
    volumes: ["/shared"]
  app:
    image: ${IMAGE}
    command: ["sh", "-c", "${IDLE(0)}"]
    volumes_from: [db]
    security_opt: ["no-new-privileges:true"]
    devices:
      - /dev/zero:/dev/myzero:rw
      - {source: /dev/null, target: /dev/mynull, permissions: r}
    pids_limit: 50
    shm_size: 32m
    mem_limit: 64m
    mem_reservation: 32m
    cpu_shares: 512
    cpu_quota: 50000
    cpu_period: 100000
    cpuset: "0"
    oom_score_adj: 100
    group_add: ["1234"]
    stop_signal: SIGINT
    sysctls: ["net.core.somaxconn=1234"]
    secrets:
      - from_file
      - {source: from_env, target: envsecret, mode: 0400}
    configs:
      - {source: inline, target: /etc/app.conf}
secrets:
  from_file: {file: ./secret.txt}
  from_env: {environment: SECRET_VAR}
configs:
  inline: {content: "hello config"}
`);
  writeFileSync(join(dir, 'secret.txt'), 'file-secret\n');
  const r = env.run(['compose', 'up', '-d'], { cwd: dir, env: { SECRET_VAR: 'env-secret' } });
  expectCode(r, 0, 'compose up -d');
  // volumes_from made app depend on db: db was started first.
  assert.ok(r.stderr.indexOf('model-db-1  Started') < r.stderr.indexOf('model-app-1  Started'), r.stderr);
  const host = JSON.parse(env.ok(['inspect', '--format', '{{json .HostConfig}}', 'model-app-1'])) as Record<string, unknown>;
  assert.deepEqual(
    {
      SecurityOpt: host.SecurityOpt,
      Devices: host.Devices,
      PidsLimit: host.PidsLimit,
      ShmSize: host.ShmSize,
      Memory: host.Memory,
      MemoryReservation: host.MemoryReservation,
      CpuShares: host.CpuShares,
      CpuQuota: host.CpuQuota,
      CpuPeriod: host.CpuPeriod,
      CpusetCpus: host.CpusetCpus,
      OomScoreAdj: host.OomScoreAdj,
      GroupAdd: host.GroupAdd,
      VolumesFrom: host.VolumesFrom,
    },
    {
      SecurityOpt: ['no-new-privileges'],
      Devices: [
        { PathOnHost: '/dev/zero', PathInContainer: '/dev/myzero', CgroupPermissions: 'rw' },
        { PathOnHost: '/dev/null', PathInContainer: '/dev/mynull', CgroupPermissions: 'r' },
      ],
      PidsLimit: 50,
      ShmSize: 32 * 1024 * 1024,
      Memory: 64 * 1024 * 1024,
      MemoryReservation: 32 * 1024 * 1024,
      CpuShares: 512,
      CpuQuota: 50000,
      CpuPeriod: 100000,
      CpusetCpus: '0',
      OomScoreAdj: 100,
      GroupAdd: ['1234'],
      VolumesFrom: ['model-db-1'],
    },
  );
  assert.equal(env.ok(['inspect', '--format', '{{.Config.StopSignal}}', 'model-app-1']).trim(), 'SIGINT');
  const inside = composeOk(dir, [
    'exec', '-T', 'app', 'sh', '-c',
    'grep NoNewPrivs /proc/self/status; head -c 3 /dev/myzero | od -An -tx1; cat /run/secrets/from_file /run/secrets/envsecret; echo; stat -c %a /run/secrets/envsecret; cat /etc/app.conf; echo; test -d /shared && echo shared; cat /proc/sys/net/core/somaxconn',
  ]);
  assert.equal(inside.replace(/[ \t]+/g, ' '), 'NoNewPrivs: 1\n 00 00 00\nfile-secret\nenv-secret\n400\nhello config\nshared\n1234\n');
  composeOk(dir, ['down', '-v', '-t', '1']);
});

test('a service key the engine cannot honour is refused by name, before anything is created', () => {
  const dir = project('refused', `
services:
  app:
    image: ${IMAGE}
    storage_opt: {size: 1G}
`);
  const r = compose(dir, ['up', '-d']);
  expectCode(r, 125, 'compose up -d');
  assert.match(r.stderr, /^Error: service "app": storage_opt is not supported by skiff/m);
  assert.equal(composeOk(dir, ['ps', '-a', '-q']), '');
  assert.doesNotMatch(env.ok(['network', 'ls', '--format', '{{.Name}}']), /^refused_default$/m);
});

test('SIGINT to an attached up stops the services it started (Compose\'s "Gracefully stopping...") and the up ends', async () => {
  const dir = project('interrupt', `
services:
  one:
    image: ${IMAGE}
    command: ["sh", "-c", "echo one-up; ${IDLE(0)}"]
  two:
    image: ${IMAGE}
    command: ["sh", "-c", "echo two-up; ${IDLE(0)}"]
`);
  const p = spawn(process.execPath, [env.bin, 'compose', 'up', '-t', '5'], { cwd: dir, env: env.env });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const closed = new Promise<number | null>((r) => p.once('close', r));
  await waitFor(() => (/^one-1 +\| one-up$/m.test(out) && /^two-1 +\| two-up$/m.test(out) ? true : undefined), 30_000, `both services' output in: ${out}`);
  p.kill('SIGINT');
  await closed;
  assert.match(err, /Gracefully stopping\.\.\. \(press Ctrl\+C again to force\)/);
  assert.match(err, /Container interrupt-one-1 {2}Stopped/);
  assert.deepEqual(exits(dir), ['interrupt-one-1 exited 0', 'interrupt-two-1 exited 0']);
  composeOk(dir, ['down']);
});

test('--ansi always colours each container\'s prefix in Compose\'s rainbow order; --no-color and a non-terminal output do not', () => {
  const dir = project('colors', `
services:
  one:
    image: ${IMAGE}
    command: ["sh", "-c", "echo from-one"]
  two:
    image: ${IMAGE}
    command: ["sh", "-c", "echo from-two"]
`);
  const up = compose(dir, ['--ansi', 'always', 'up']);
  expectCode(up, 0, 'compose --ansi always up');
  assert.match(up.stdout, /^\x1b\[36mone-1 +\| \x1b\[0mfrom-one$/m);
  assert.match(up.stdout, /^\x1b\[33mtwo-1 +\| \x1b\[0mfrom-two$/m);
  assert.match(up.stdout, /^\x1b\[36mone-1 exited with code 0\x1b\[0m$/m);
  const logs = composeOk(dir, ['--ansi', 'always', 'logs', 'two']);
  assert.equal(logs, '\x1b[36mtwo-1  | \x1b[0mfrom-two\n');
  assert.equal(composeOk(dir, ['--ansi', 'always', 'logs', '--no-color', 'two']), 'two-1  | from-two\n');
  assert.equal(composeOk(dir, ['logs', 'two']), 'two-1  | from-two\n');
  composeOk(dir, ['down']);
});
