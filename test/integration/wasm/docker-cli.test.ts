// The WASM image through the real docker CLI over skiff's API service: `docker build
// --platform wasi/wasm` (classic builder), `docker run` with args, env, exit code, a bind and
// --memory, as for any container.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiEnv, type ApiEnv } from '../api/fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';
import { assertRan, buildContext, compileWasm, wasmNeeds } from './fixtures.js';

const skip = unmet(tool('docker'), ...wasmNeeds());
let env: ApiEnv;

before(async () => {
  if (skip) return;
  env = await apiEnv('skiff-wasm-api-');
  const app = join(env.dir, 'app.wasm');
  compileWasm(app);
  const ctx = buildContext(join(env.dir, 'ctx'), { 'app.wasm': app }, ['FROM scratch', 'COPY app.wasm /', 'ENTRYPOINT ["/app.wasm"]']);
  env.dockerOk(['build', '-q', '--platform', 'wasi/wasm', '-t', 'hello-wasm', ctx]);
});
after(async () => {
  await env?.stop();
});

test('docker build --platform wasi/wasm makes a wasi/wasm image', { skip }, () => {
  assert.equal(env.dockerOk(['image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}', 'hello-wasm']).trim(), 'wasi/wasm');
});

test('docker run --rm: stdout, args, env and exit code of the module', { skip }, () => {
  const r = env.docker(['run', '--rm', '-e', 'GREETING=from docker', '-e', 'EXIT_CODE=5', 'hello-wasm', 'a', 'b c']);
  assertRan(r, 5, 'docker run');
  assert.equal(r.stdout, 'hello from /app.wasm\narg 1: a\narg 2: b c\nGREETING=from docker\n');
});

test('docker run -v: the module writes into the bind', { skip }, () => {
  const host = join(env.dir, 'out');
  mkdirSync(host);
  assertRan(env.docker(['run', '--rm', '-v', `${host}:/data`, '-e', 'OUT_FILE=/data/x.txt', 'hello-wasm']), 0, 'docker run -v');
  assert.equal(readFileSync(join(host, 'x.txt'), 'utf8'), 'written by /app.wasm\n');
});

test('docker run --memory: an over-allocating module is OOM-killed (137, OOMKilled true, Runtime wasm)', { skip }, () => {
  const r = env.docker(['run', '--name', 'oom', '--memory', '96m', '-e', 'ALLOC_MIB=1024', 'hello-wasm']);
  assertRan(r, 137, 'docker run --memory');
  assert.equal(env.dockerOk(['inspect', '--format', '{{.State.OOMKilled}} {{.State.ExitCode}} {{.HostConfig.Runtime}}', 'oom']).trim(), 'true 137 wasm');
  env.dockerOk(['rm', 'oom']);
});

test('docker run -d --network none, logs and stop: only lo in its namespace, stop ends it with 143', { skip }, () => {
  const id = env.dockerOk(['run', '-d', '--network', 'none', '-e', 'SLEEP_MS=60000', 'hello-wasm', 'detached']).trim();
  const pid = Number(env.dockerOk(['inspect', '--format', '{{.State.Pid}}', id]).trim());
  const ifaces = readFileSync(`/proc/${pid}/net/dev`, 'utf8').split('\n').slice(2).map((l) => l.split(':')[0]!.trim()).filter(Boolean);
  assert.deepEqual(ifaces, ['lo']);
  env.dockerOk(['stop', '-t', '30', id]);
  assert.equal(env.dockerOk(['inspect', '--format', '{{.State.ExitCode}}', id]).trim(), '143');
  assert.equal(env.dockerOk(['logs', id]), 'hello from /app.wasm\narg 1: detached\n');
  env.dockerOk(['rm', id]);
});
