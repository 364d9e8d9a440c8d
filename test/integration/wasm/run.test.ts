// WebAssembly workloads as containers (issue 22): a C program compiled here for wasm32-wasi,
// built into a wasi/wasm image, run by `skiff run` under node:wasi inside the container's own
// namespaces and cgroup.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE, containerEnv, type ContainerEnv } from '../containers/fixtures.js';
import { unmet } from '../../helpers/requires.js';
import { assembleWat, assertRan, buildContext, compileWasm, wasmNeeds } from './fixtures.js';

const skip = unmet(...wasmNeeds());
let env: ContainerEnv;

before(() => {
  if (skip) return;
  env = containerEnv('skiff-wasm-');
  const app = join(env.dir, 'app.wasm');
  compileWasm(app);
  const ctx = buildContext(join(env.dir, 'ctx'), { 'app.wasm': app }, ['FROM scratch', 'COPY app.wasm /', 'ENTRYPOINT ["/app.wasm"]']);
  env.ok(['build', '-q', '--platform', 'wasi/wasm', '-t', 'hello-wasm', ctx]);
});
after(() => env?.teardown());

test('build --platform wasi/wasm gives the image the wasi/wasm platform and TARGETPLATFORM', { skip }, () => {
  assert.equal(env.ok(['image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}', 'hello-wasm']).trim(), 'wasi/wasm');
  const ctx = buildContext(join(env.dir, 'ctx-args'), {}, ['FROM scratch', 'ARG TARGETPLATFORM', 'ARG BUILDOS', 'LABEL target=$TARGETPLATFORM build=$BUILDOS']);
  env.ok(['build', '-q', '--platform', 'wasi/wasm', '-t', 'args-wasm', ctx]);
  assert.equal(env.ok(['image', 'inspect', '--format', '{{.Config.Labels.target}} {{.Config.Labels.build}}', 'args-wasm']).trim(), 'wasi/wasm linux');
  const bad = env.run(['build', '-q', '--platform', 'wasm', ctx]);
  assertRan(bad, 125, 'build --platform wasm');
  assert.match(bad.stderr, /Error: invalid platform "wasm"/);
});

test('run --rm passes stdout, args, env and the exit code of the module', { skip }, () => {
  const r = env.run(['run', '--rm', '-e', 'GREETING=hi there', '-e', 'EXIT_CODE=42', 'hello-wasm', 'one', 'two words']);
  assertRan(r, 42, 'run');
  assert.equal(r.stdout, 'hello from /app.wasm\narg 1: one\narg 2: two words\nGREETING=hi there\n');
});

test("a container's NODE_OPTIONS is the module's variable and does not reach Node", { skip }, () => {
  const r = env.run(['run', '--rm', '-e', 'NODE_OPTIONS=--no-such-node-flag', '-e', 'SHOW_VAR=NODE_OPTIONS', 'hello-wasm']);
  assertRan(r, 0, 'run -e NODE_OPTIONS');
  assert.equal(r.stdout, 'hello from /app.wasm\nNODE_OPTIONS=--no-such-node-flag\n');
});

test('run -i gives the module the caller\'s stdin', { skip }, () => {
  const r = env.run(['run', '--rm', '-i', '-e', 'ECHO_STDIN=1', 'hello-wasm'], { input: 'line one\nline two\n' });
  assertRan(r, 0, 'run -i');
  assert.equal(r.stdout, 'hello from /app.wasm\nline one\nline two\n');
});

test('a WASM container records the wasm runtime and its logs hold the module output', { skip }, () => {
  env.ok(['run', '--name', 'logged', 'hello-wasm', 'x']);
  assert.equal(env.ok(['inspect', '--format', '{{.HostConfig.Runtime}} {{.State.ExitCode}}', 'logged']).trim(), 'wasm 0');
  assert.equal(env.ok(['logs', 'logged']), 'hello from /app.wasm\narg 1: x\n');
  env.ok(['rm', 'logged']);
});

test('the module writes a file into a -v volume (preopened)', { skip }, () => {
  const host = join(env.dir, 'out');
  mkdirSync(host);
  const r = env.run(['run', '--rm', '-v', `${host}:/data`, '-e', 'OUT_FILE=/data/result.txt', 'hello-wasm']);
  assertRan(r, 0, 'run -v');
  assert.equal(readFileSync(join(host, 'result.txt'), 'utf8'), 'written by /app.wasm\n');
  env.ok(['volume', 'create', 'wasmvol']);
  assertRan(env.run(['run', '--rm', '-v', 'wasmvol:/vol', '-e', 'OUT_FILE=/vol/named.txt', 'hello-wasm']), 0, 'run -v named');
  const mp = env.ok(['volume', 'inspect', '--format', '{{.Mountpoint}}', 'wasmvol']).trim();
  assert.equal(readFileSync(join(mp, 'named.txt'), 'utf8'), 'written by /app.wasm\n');
  env.ok(['volume', 'rm', 'wasmvol']);
});

test('--memory kills a module allocating past it: exit 137, OOMKilled', { skip }, () => {
  const r = env.run(['run', '--name', 'oom', '--memory', '96m', '-e', 'ALLOC_MIB=1024', 'hello-wasm']);
  assertRan(r, 137, 'run --memory');
  assert.equal(env.ok(['inspect', '--format', '{{.State.OOMKilled}} {{.State.ExitCode}}', 'oom']).trim(), 'true 137');
  env.ok(['rm', 'oom']);
  // Under the limit the same module runs through.
  assertRan(env.run(['run', '--rm', '--memory', '256m', '-e', 'ALLOC_MIB=64', 'hello-wasm']), 0, 'run under the limit');
});

test('--network none: the module runs in a network namespace with only lo', { skip }, async () => {
  env.ok(['run', '-d', '--name', 'nonet', '--network', 'none', '-e', 'SLEEP_MS=60000', 'hello-wasm']);
  const pid = Number(env.ok(['inspect', '--format', '{{.State.Pid}}', 'nonet']).trim());
  assert.ok(pid > 0);
  const ifaces = readFileSync(`/proc/${pid}/net/dev`, 'utf8').split('\n').slice(2).map((l) => l.split(':')[0]!.trim()).filter(Boolean);
  assert.deepEqual(ifaces, ['lo']);
  assert.notEqual(readlinkSync(`/proc/${pid}/ns/net`), readlinkSync('/proc/self/ns/net'), 'the host network namespace');
  // stop's SIGTERM ends it (an init is its PID 1): 143, not the SIGKILL after the timeout.
  env.ok(['stop', '-t', '30', 'nonet']);
  assert.equal(env.ok(['inspect', '--format', '{{.State.ExitCode}}', 'nonet']).trim(), '143');
  env.ok(['rm', 'nonet']);
});

test('a .wasm entrypoint or the module.wasm.image/variant label makes an image WASM without a platform', { skip }, () => {
  const wat = join(env.dir, 'hello-wat.wasm');
  assembleWat(wat);
  const byName = buildContext(join(env.dir, 'ctx-wat'), { 'hello.wasm': wat }, ['FROM scratch', 'COPY hello.wasm /', 'ENTRYPOINT ["/hello.wasm"]']);
  env.ok(['build', '-q', '-t', 'wat-entry', byName]);
  const r1 = env.run(['run', '--rm', 'wat-entry']);
  assertRan(r1, 7, 'run wat-entry');
  assert.equal(r1.stdout, 'hello from wat\n');
  const byLabel = buildContext(join(env.dir, 'ctx-label'), { hello: wat }, ['FROM scratch', 'COPY hello /', 'LABEL module.wasm.image/variant=compat', 'ENTRYPOINT ["/hello"]']);
  env.ok(['build', '-q', '-t', 'wat-label', byLabel]);
  const r2 = env.run(['run', '--rm', 'wat-label']);
  assertRan(r2, 7, 'run wat-label');
  assert.equal(r2.stdout, 'hello from wat\n');
});

test('--runtime wasm runs a module that the image does not mark', { skip }, () => {
  const wat = join(env.dir, 'plain');
  assembleWat(wat);
  const ctx = buildContext(join(env.dir, 'ctx-plain'), { prog: wat }, ['FROM scratch', 'COPY prog /', 'ENTRYPOINT ["/prog"]']);
  env.ok(['build', '-q', '-t', 'wat-plain', ctx]);
  const r = env.run(['run', '--rm', '--runtime', 'wasm', 'wat-plain']);
  assertRan(r, 7, 'run --runtime wasm');
  assert.equal(r.stdout, 'hello from wat\n');
});

test('nothing of the WASI host is left in the container layer', { skip }, () => {
  env.ok(['run', '--name', 'layer', 'hello-wasm']);
  // runc's own mount points (/etc for hosts and resolv.conf, /run for the init) are there as in
  // any scratch container; the WASI host lives on /dev's tmpfs.
  assert.deepEqual(env.ok(['diff', 'layer']).trim().split('\n'), ['A /etc', 'A /run']);
  env.ok(['rm', 'layer']);
});

test('a missing module exits 127 and a file that is not WebAssembly 126, each saying why', { skip }, () => {
  const missing = env.run(['run', '--rm', '--entrypoint', '/missing.wasm', 'hello-wasm']);
  assertRan(missing, 127, 'run a missing module');
  assert.match(missing.stderr, /Error: \/missing\.wasm: no such file or directory/);
  const notWasm = env.run(['run', '--rm', '--runtime', 'wasm', IMAGE, '/bin/busybox']);
  assertRan(notWasm, 126, 'run an ELF file as WASM');
  assert.match(notWasm.stderr, /Error: \/bin\/busybox: cannot run this WebAssembly module/);
});

test('the module runs as the container user, in a user namespace and on a read-only root', { skip }, () => {
  for (const flags of [['-u', '1000:1000'], ['--uidmap', '0:200000:65536', '--gidmap', '0:200000:65536'], ['--read-only']]) {
    const r = env.run(['run', '--rm', ...flags, 'hello-wasm', 'ok']);
    assertRan(r, 0, `run ${flags.join(' ')}`);
    assert.equal(r.stdout, 'hello from /app.wasm\narg 1: ok\n');
  }
});
