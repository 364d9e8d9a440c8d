// A project `skiff compose up` made is the same project for Docker's clients over the API service:
// the docker CLI finds its containers by Compose's labels and v2 names, and docker-compose v1
// (which reads the same labels) lists it and takes it down with its network and volume.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE, apiEnv, type ApiEnv } from '../api/fixtures.js';
import { expectCode } from '../containers/fixtures.js';
import type { RunResult } from '../../helpers/env.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('docker'), tool('docker-compose'));
let env: ApiEnv;
let dir: string;

const COMPOSE = `
services:
  db:
    image: ${IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done & wait"]
    volumes: ["data:/data"]
  web:
    image: ${IMAGE}
    depends_on: [db]
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done & wait"]
volumes:
  data: {}
`;

before(async () => {
  if (skip) return;
  env = await apiEnv('skiff-compose-interop-');
  dir = join(env.dir, 'proj');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'docker-compose.yml'), COMPOSE);
});
after(async () => {
  if (skip) return;
  await env.stop();
});

function v1(args: string[], project = 'demo'): RunResult {
  const r = spawnSync('docker-compose', ['-p', project, ...args], {
    cwd: dir,
    env: { ...env.clientEnv, PATH: `/usr/local/bin:${process.env.PATH ?? '/usr/bin:/bin'}`, COMPOSE_INTERACTIVE_NO_CLI: '' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

test('docker and docker-compose v1 see the project skiff compose made, and v1 down -v removes all of it', { skip }, () => {
  expectCode(env.run(['compose', '-p', 'demo', 'up', '-d'], { cwd: dir }), 0, 'skiff compose up -d');
  const names = env.dockerOk(['ps', '--filter', 'label=com.docker.compose.project=demo', '--format', '{{.Names}} {{.Label "com.docker.compose.service"}}']);
  assert.deepEqual(names.trim().split('\n').sort(), ['demo-db-1 db', 'demo-web-1 web']);
  const ps = v1(['ps']);
  expectCode(ps, 0, 'docker-compose ps');
  assert.match(ps.stdout, /^demo-db-1\s.*\bUp\b/m);
  assert.match(ps.stdout, /^demo-web-1\s.*\bUp\b/m);
  const down = v1(['down', '-v', '-t', '2']);
  expectCode(down, 0, 'docker-compose down -v');
  assert.equal(env.dockerOk(['ps', '-aq', '--filter', 'label=com.docker.compose.project=demo']), '');
  assert.doesNotMatch(env.dockerOk(['network', 'ls', '--format', '{{.Name}}']), /^demo_default$/m);
  assert.doesNotMatch(env.dockerOk(['volume', 'ls', '--format', '{{.Name}}']), /^demo_data$/m);
});

test('skiff compose -p NAME ps and down -v act on a project docker-compose v1 made, without its file', { skip }, () => {
  expectCode(v1(['up', '-d'], 'vone'), 0, 'docker-compose up -d');
  const elsewhere = join(env.dir, 'elsewhere');
  mkdirSync(elsewhere, { recursive: true });
  const ps = env.run(['compose', '-p', 'vone', 'ps', '--format', '{{.Name}} {{.Service}}'], { cwd: elsewhere });
  expectCode(ps, 0, 'skiff compose -p vone ps');
  assert.equal(ps.stdout, 'vone_db_1 db\nvone_web_1 web\n');
  expectCode(env.run(['compose', '-p', 'vone', 'down', '-v', '-t', '2'], { cwd: elsewhere }), 0, 'skiff compose -p vone down -v');
  assert.equal(env.dockerOk(['ps', '-aq', '--filter', 'label=com.docker.compose.project=vone']), '');
  assert.doesNotMatch(env.dockerOk(['network', 'ls', '--format', '{{.Name}}']), /^vone_default$/m);
  assert.doesNotMatch(env.dockerOk(['volume', 'ls', '--format', '{{.Name}}']), /^vone_data$/m);
});
