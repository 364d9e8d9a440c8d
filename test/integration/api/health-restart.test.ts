// Health checks and restart policies through the docker CLI and docker-compose v1 against
// `skiff system service`, which runs the timers itself (info says `service`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { IMAGE, apiEnv, waitFor, type ApiEnv } from './fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('docker'));
const skipCompose = unmet(tool('docker'), tool('docker-compose'));
let env: ApiEnv;

before(async () => {
  if (skip) return;
  env = await apiEnv('skiff-api-health-');
});
after(async () => {
  await env?.stop();
});

const dinspect = (ref: string, f: string) => env.dockerOk(['inspect', '-f', f, ref]).trim();

test('docker run --health-*: healthy and unhealthy in docker inspect and docker ps; the service runs the probes', { skip }, async () => {
  env.dockerOk(['run', '-d', '--name', 'dgood', '--health-cmd', 'true', '--health-interval', '1s', IMAGE, 'sleep', '600']);
  env.dockerOk(['run', '-d', '--name', 'dbad', '--health-cmd', 'exit 1', '--health-interval', '1s', '--health-retries', '2', IMAGE, 'sleep', '600']);
  await waitFor(() => (dinspect('dgood', '{{.State.Health.Status}}') === 'healthy' ? true : undefined), 90_000, 'dgood healthy');
  await waitFor(() => (dinspect('dbad', '{{.State.Health.Status}}') === 'unhealthy' ? true : undefined), 90_000, 'dbad unhealthy');
  assert.equal(dinspect('dbad', '{{.Config.Healthcheck.Retries}} {{.Config.Healthcheck.Interval}}'), '2 1s');
  const ps = env.dockerOk(['ps', '--format', '{{.Names}} {{.Status}}']);
  assert.match(ps, /^dgood Up .*\(healthy\)$/m);
  assert.match(ps, /^dbad Up .*\(unhealthy\)$/m);
  assert.equal(env.dockerOk(['ps', '--filter', 'health=unhealthy', '--format', '{{.Names}}']).trim(), 'dbad');
  const info = JSON.parse(env.ok(['info', '-f', 'json'])) as { timers: { mode: string; pid: number } };
  assert.equal(info.timers.mode, 'service');
  env.dockerOk(['rm', '-f', 'dgood', 'dbad']);
});

test('docker run --restart on-failure:2 restarts twice then stays exited; always restarts until docker stop', { skip }, async () => {
  env.dockerOk(['run', '-d', '--name', 'dtwice', '--restart', 'on-failure:2', IMAGE, 'false']);
  await waitFor(() => (dinspect('dtwice', '{{.RestartCount}} {{.State.Status}}') === '2 exited' ? true : undefined), 120_000, 'two restarts');
  await sleep(3000);
  assert.equal(dinspect('dtwice', '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}'), '2 exited 1');

  env.dockerOk(['run', '-d', '--name', 'dalways', '--restart', 'always', IMAGE, 'sh', '-c', 'sleep 0.5']);
  await waitFor(() => (Number(dinspect('dalways', '{{.RestartCount}}')) >= 2 ? true : undefined), 120_000, 'two restarts of dalways');
  env.dockerOk(['stop', 'dalways']);
  const count = dinspect('dalways', '{{.RestartCount}}');
  await sleep(3000);
  assert.equal(dinspect('dalways', '{{.State.Status}} {{.RestartCount}}'), `exited ${count}`);
  env.dockerOk(['rm', '-f', 'dtwice', 'dalways']);
});

const COMPOSE = `version: "2.4"
services:
  db:
    image: ${IMAGE}
    command: ["sh", "-c", "sleep 3; touch /ready; exec sleep 600"]
    healthcheck:
      test: ["CMD", "test", "-e", "/ready"]
      interval: 1s
      retries: 60
  web:
    image: ${IMAGE}
    command: ["sleep", "600"]
    depends_on:
      db:
        condition: service_healthy
`;

test('docker-compose v1: web depends_on db with condition service_healthy starts only once db is healthy', { skip: skipCompose }, () => {
  const dir = join(env.dir, 'hc-project');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'docker-compose.yml'), COMPOSE);
  const compose = (args: string[]) =>
    spawnSync('docker-compose', ['-p', 'skhc', ...args], {
      cwd: dir,
      env: { ...env.clientEnv, PATH: `/usr/local/bin:${process.env.PATH ?? '/usr/bin:/bin'}` },
      encoding: 'utf8',
      timeout: 300_000,
    });
  const since = new Date().toISOString();
  const up = compose(['up', '-d']);
  assert.equal(up.status, 0, `${up.stdout}\n${up.stderr}`);
  assert.equal(dinspect('skhc_db_1', '{{.State.Health.Status}}'), 'healthy');
  // In order: db started, turned healthy, and only then web started.
  const events = env
    .ok(['events', '--since', since, '--until', new Date().toISOString(), '--format', '{{.Actor.Attributes.name}} {{.Action}}'])
    .split('\n')
    .filter((l) => / (start|health_status: \w+)$/.test(l));
  assert.deepEqual(events, ['skhc_db_1 start', 'skhc_db_1 health_status: healthy', 'skhc_web_1 start']);
  const down = compose(['down']);
  assert.equal(down.status, 0, `${down.stdout}\n${down.stderr}`);
});
