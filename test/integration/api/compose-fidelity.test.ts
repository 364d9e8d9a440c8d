// Issue 14's acceptance check: one docker-compose v1 project (healthcheck with depends_on
// service_healthy, restart policies, driver_opts volumes, an `environment: [FOO]` entry taken from
// the shell running compose, a link with an alias) brought up against a private dockerd 20.10 and
// against skiff's API service, and what matters compared: the containers' state, health and
// restart policies once up, the environment seen inside, what the link alias resolves to, and
// the volumes' options and filesystems. The image is the same on both sides (`skiff save` loaded
// into dockerd).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { IMAGE, apiEnv, waitFor, type ApiEnv } from './fixtures.js';
import { removeTree, type RunResult } from '../../helpers/env.js';
import { dockerdNeeds, startDockerd, type Dockerd } from '../../helpers/dockerd.js';
import { root, tool, unmet } from '../../helpers/requires.js';

const skip = unmet(root(), tool('docker-compose'), tool('/usr/sbin/runc'), tool('/usr/bin/conmon'), ...dockerdNeeds());
const PROJECT = 'fidelity';

const COMPOSE = `version: "2.4"
services:
  db:
    image: ${IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; touch /tmp/ready; while :; do sleep 1; done"]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
      timeout: 5s
      retries: 5
    restart: always
    volumes:
      - scratch:/scratch
  app:
    image: ${IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
    environment:
      - FOO
      - BAR=from-file
      - NOT_IN_SHELL
    links:
      - db:database
    # busybox's ping opens only raw sockets; skiff keeps Podman's default capabilities (no NET_RAW)
    cap_add: [NET_RAW]
    depends_on:
      db:
        condition: service_healthy
    restart: unless-stopped
    volumes:
      - bound:/bound
  flaky:
    image: ${IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; if [ -f /bound/once ]; then while :; do sleep 1; done; fi; touch /bound/once; exit 3"]
    restart: on-failure:5
    volumes:
      - bound:/bound
volumes:
  scratch:
    driver_opts:
      type: tmpfs
      device: tmpfs
      o: size=8m
  bound:
    driver_opts:
      type: none
      o: bind
      device: \${BIND_DIR}
`;

interface Side {
  name: string;
  clientEnv: NodeJS.ProcessEnv;
  /** The host directory the `bound` volume binds. */
  bindDir: string;
  projectDir: string;
  /** How `docker-compose up -d` ended: 'ok', or its exit and ERROR lines. */
  up?: string;
}

let skiff: ApiEnv;
let dockerd: Dockerd;
let dockerdDir: string;
const sides: Side[] = [];

function compose(side: Side, args: string[]): RunResult {
  const env: NodeJS.ProcessEnv = { ...side.clientEnv, FOO: 'from-shell', BIND_DIR: side.bindDir, COMPOSE_INTERACTIVE_NO_CLI: '' };
  delete env.NOT_IN_SHELL;
  const r = spawnSync('docker-compose', ['-p', PROJECT, ...args], { cwd: side.projectDir, env, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

function docker(side: Side, args: string[]): RunResult {
  const r = spawnSync('docker', args, { env: side.clientEnv, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

function dockerOk(side: Side, args: string[]): string {
  const r = docker(side, args);
  assert.equal(r.code, 0, `${side.name}: docker ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function inspect(side: Side, service: string): any {
  return JSON.parse(dockerOk(side, ['inspect', `${PROJECT}_${service}_1`]))[0];
}

function makeSide(name: string, dir: string, clientEnv: NodeJS.ProcessEnv): Side {
  const projectDir = join(dir, `compose-${name}`);
  const bindDir = join(projectDir, 'bound');
  mkdirSync(bindDir, { recursive: true });
  writeFileSync(join(projectDir, 'docker-compose.yml'), COMPOSE);
  return { name, clientEnv, bindDir, projectDir };
}

/**
 * Up, then until the flaky service has been restarted once by its policy and runs. A failure is
 * kept for the tests to compare, not thrown: what did come up is still compared.
 */
async function bringUp(side: Side): Promise<void> {
  const r = compose(side, ['up', '-d']);
  side.up = r.code === 0 ? 'ok' : `exit ${r.code}: ${r.stderr.split('\n').filter((l) => l.startsWith('ERROR')).join('\n')}`;
  await waitFor(
    () => {
      const f = docker(side, ['inspect', '--format', '{{.State.Running}} {{.RestartCount}}', `${PROJECT}_flaky_1`]).stdout.trim().split(' ');
      return f[0] === 'true' && Number(f[1]) >= 1 ? true : undefined;
    },
    60_000,
  ).catch(() => undefined);
}

before(async () => {
  if (skip) return;
  skiff = await apiEnv('skiff-fidelity-');
  dockerdDir = mkdtempSync(join(tmpdir(), 'skiff-fidelity-dockerd-'));
  dockerd = await startDockerd(dockerdDir);
  const archive = join(skiff.dir, 'image.tar');
  skiff.ok(['save', '-o', archive, IMAGE]);
  dockerd.load(archive);
  sides.push(makeSide('dockerd', dockerdDir, dockerd.clientEnv), makeSide('skiff', skiff.dir, skiff.clientEnv));
  for (const side of sides) await bringUp(side);
});

after(async () => {
  if (skip) return;
  try {
    for (const side of sides) compose(side, ['down', '-v', '-t', '2']);
  } finally {
    try {
      await dockerd?.stop();
      if (dockerdDir) removeTree(dockerdDir);
    } finally {
      await skiff.stop();
    }
  }
});

/** Both sides' observation, dockerd's first; the test asserts they are equal. */
function onBoth<T>(observe: (side: Side) => T): [T, T] {
  return [observe(sides[0]!), observe(sides[1]!)];
}

test('docker-compose up -d succeeds as on dockerd', { skip }, () => {
  assert.deepEqual(onBoth((side) => side.up), ['ok', 'ok']);
});

test('containers come up with the same state, health, restart policies and restart counts as on dockerd', { skip }, () => {
  const [ref, got] = onBoth((side) =>
    Object.fromEntries(
      ['db', 'app', 'flaky'].map((s) => {
        const c = inspect(side, s);
        return [s, { status: c.State.Status, health: c.State.Health?.Status ?? null, policy: c.HostConfig.RestartPolicy, restarts: c.RestartCount }];
      }),
    ),
  );
  assert.deepEqual(ref, {
    db: { status: 'running', health: 'healthy', policy: { Name: 'always', MaximumRetryCount: 0 }, restarts: 0 },
    app: { status: 'running', health: null, policy: { Name: 'unless-stopped', MaximumRetryCount: 0 }, restarts: 0 },
    flaky: { status: 'running', health: null, policy: { Name: 'on-failure', MaximumRetryCount: 5 }, restarts: 1 },
  });
  assert.deepEqual(got, ref);
});

test('environment: [FOO] takes FOO from the shell running compose, and a name set nowhere is left out, as on dockerd', { skip }, () => {
  const [ref, got] = onBoth((side) =>
    dockerOk(side, ['exec', `${PROJECT}_app_1`, 'env'])
      .split('\n')
      .filter((l) => /^(FOO|BAR|NOT_IN_SHELL)(=|$)/.test(l))
      .sort(),
  );
  assert.deepEqual(ref, ['BAR=from-file', 'FOO=from-shell']);
  assert.deepEqual(got, ref);
});

test('a link alias (links: [db:database]) resolves to the linked container and answers, as on dockerd', { skip }, () => {
  const [ref, got] = onBoth((side) => {
    const dbIp = inspect(side, 'db').NetworkSettings.Networks[`${PROJECT}_default`]?.IPAddress as string | undefined;
    const r = docker(side, ['exec', `${PROJECT}_app_1`, 'ping', '-c1', '-W2', 'database']);
    const resolved = /PING database \(([\d.]+)\)/.exec(r.stdout)?.[1];
    return { resolvesToDb: !!dbIp && resolved === dbIp, answered: r.code === 0, output: r.code === 0 ? '' : r.stdout + r.stderr };
  });
  assert.deepEqual(ref, { resolvesToDb: true, answered: true, output: '' });
  assert.deepEqual(got, ref);
});

test('driver_opts volumes: the same options, a tmpfs of the given size, a bind of the host directory, as on dockerd', { skip }, () => {
  const [ref, got] = onBoth((side) => {
    const opts = (v: string) => {
      const o = JSON.parse(dockerOk(side, ['volume', 'inspect', `${PROJECT}_${v}`]))[0].Options as Record<string, string>;
      return { ...o, ...(o.device === side.bindDir ? { device: '<BIND_DIR>' } : {}) };
    };
    const df = dockerOk(side, ['exec', `${PROJECT}_db_1`, 'df', '-k', '/scratch']).trim().split('\n').pop()!.split(/\s+/);
    return {
      scratch: opts('scratch'),
      bound: opts('bound'),
      scratchFs: [df[0], df[1]],
      // flaky's first run left this file through the bind: it is in the host directory.
      boundFile: existsSync(join(side.bindDir, 'once')),
    };
  });
  assert.deepEqual(ref, {
    scratch: { device: 'tmpfs', o: 'size=8m', type: 'tmpfs' },
    bound: { device: '<BIND_DIR>', o: 'bind', type: 'none' },
    scratchFs: ['tmpfs', '8192'],
    boundFile: true,
  });
  assert.deepEqual(got, ref);
});
