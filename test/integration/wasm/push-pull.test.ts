// A WASM image through a real registry (docker-registry on loopback): push, remove, pull back,
// and it is the same image (config, platform, manifest digest) and runs as WASM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerEnv, type ContainerEnv } from '../containers/fixtures.js';
import { startRegistry, type Registry } from '../registry/fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';
import { assertRan, buildContext, compileWasm, wasmNeeds } from './fixtures.js';

const skip = unmet(tool('docker-registry'), ...wasmNeeds());
let env: ContainerEnv;
let reg: Registry;

before(async () => {
  if (skip) return;
  env = containerEnv('skiff-wasm-reg-');
  reg = await startRegistry(join(env.dir, 'registry'));
  const app = join(env.dir, 'app.wasm');
  compileWasm(app);
  const ctx = buildContext(join(env.dir, 'ctx'), { 'app.wasm': app }, ['FROM scratch', 'COPY app.wasm /', 'ENTRYPOINT ["/app.wasm"]']);
  env.ok(['build', '-q', '--platform', 'wasi/wasm', '-t', 'hello-wasm', ctx]);
});
after(async () => {
  reg?.stop();
  await env?.teardown();
});

test('push then pull carries a wasi/wasm image unchanged, and the pulled image runs as WASM', { skip }, () => {
  const ref = `${reg.host}/wasm/hello:1`;
  const id = env.ok(['image', 'inspect', '--format', '{{.Id}}', 'hello-wasm']).trim();
  const digestFile = join(env.dir, 'digest');
  env.ok(['push', '--digestfile', digestFile, 'hello-wasm', ref]);
  const pushed = readFileSync(digestFile, 'utf8');
  env.ok(['rmi', 'hello-wasm']);
  env.ok(['pull', '-q', ref]);
  const [img] = JSON.parse(env.ok(['image', 'inspect', ref])) as { Id: string; Os: string; Architecture: string; RepoDigests: string[] }[];
  assert.equal(img!.Id, id);
  assert.equal(`${img!.Os}/${img!.Architecture}`, 'wasi/wasm');
  assert.deepEqual(img!.RepoDigests, [`${reg.host}/wasm/hello@${pushed}`]);
  const r = env.run(['run', '--rm', ref, 'pulled']);
  assertRan(r, 0, 'run the pulled image');
  assert.equal(r.stdout, 'hello from /app.wasm\narg 1: pulled\n');
});
