import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Spec } from '../runtime/spec-types.js';
import { INIT_PATH } from '../runtime/spec.js';
import { wasmSpec, wasmStartOptions, WASM_HOST_DIR } from './spec.js';

const host = {
  node: '/usr/bin/node',
  loader: '/lib64/ld-linux-x86-64.so.2',
  libraries: ['/lib/x86_64-linux-gnu/libc.so.6', '/lib/x86_64-linux-gnu/libstdc++.so.6'],
  launcher: '/run/skiff/wasm/launcher-0123.mjs',
  init: '/usr/bin/catatonit',
};

function spec(args: string[], cwd = '/'): Spec {
  return {
    ociVersion: '1.0.2',
    process: { user: { uid: 0, gid: 0 }, args, env: ['A=1'], cwd },
    root: { path: '/rootfs' },
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
    linux: {},
  } as Spec;
}

test('the process becomes the loader running Node on the launcher, the module and its args after', () => {
  const s = wasmSpec(spec(['/app.wasm', 'x', 'y'], '/work'), host, ['/data']);
  const d = WASM_HOST_DIR;
  assert.deepEqual(s.process.args.slice(0, 4), [`${d}/ld-linux-x86-64.so.2`, '--library-path', d, `${d}/node`]);
  const launcher = s.process.args.indexOf(`${d}/launcher-0123.mjs`);
  assert.ok(launcher > 3);
  assert.deepEqual(JSON.parse(s.process.args[launcher + 1]!), ['/', '/work', '/data']);
  assert.deepEqual(s.process.args.slice(launcher + 2), ['/app.wasm', 'x', 'y']);
  assert.deepEqual(s.process.env, ['A=1']);
});

test("variables Node would read itself reach it renamed, so a container's NODE_OPTIONS is the module's", () => {
  const given = spec(['/app.wasm']);
  given.process.env = ['NODE_OPTIONS=--max-old-space-size=1', 'UV_THREADPOOL_SIZE=1', 'OPENSSL_CONF=/x', 'MY_NODE=1'];
  assert.deepEqual(wasmSpec(given, host, []).process.env, [
    'SKIFF_WASM_ENV_NODE_OPTIONS=--max-old-space-size=1',
    'SKIFF_WASM_ENV_UV_THREADPOOL_SIZE=1',
    'SKIFF_WASM_ENV_OPENSSL_CONF=/x',
    'MY_NODE=1',
  ]);
});

test('Node, its loader, libraries and the launcher are bound read-only by their ldd names', () => {
  const s = wasmSpec(spec(['/app.wasm']), host, []);
  const binds = s.mounts.filter((m) => m.destination.startsWith(WASM_HOST_DIR));
  assert.deepEqual(
    binds.map((m) => [m.source, m.destination]),
    [
      ['/usr/bin/node', `${WASM_HOST_DIR}/node`],
      ['/lib64/ld-linux-x86-64.so.2', `${WASM_HOST_DIR}/ld-linux-x86-64.so.2`],
      ['/lib/x86_64-linux-gnu/libc.so.6', `${WASM_HOST_DIR}/libc.so.6`],
      ['/lib/x86_64-linux-gnu/libstdc++.so.6', `${WASM_HOST_DIR}/libstdc++.so.6`],
      ['/run/skiff/wasm/launcher-0123.mjs', `${WASM_HOST_DIR}/launcher-0123.mjs`],
    ],
  );
  for (const m of binds) assert.ok(m.options!.includes('ro'));
  assert.equal(s.mounts[0]!.destination, '/proc');
});

test("an init stays PID 1 in front of Node; a container without one gets the host's", () => {
  const s = wasmSpec(spec([INIT_PATH, '--', '/app.wasm']), host, []);
  assert.deepEqual(s.process.args.slice(0, 3), [INIT_PATH, '--', `${WASM_HOST_DIR}/ld-linux-x86-64.so.2`]);
  assert.equal(s.process.args.at(-1), '/app.wasm');
  assert.equal(wasmStartOptions<{ init?: string }>({}, host).init, '/usr/bin/catatonit');
  assert.equal(wasmStartOptions({ init: '/usr/bin/tini' }, host).init, '/usr/bin/tini');
  assert.equal(wasmStartOptions<{ init?: string }>({}, { node: host.node, libraries: [], launcher: host.launcher }).init, undefined);
});

test('a static Node runs directly', () => {
  const s = wasmSpec(spec(['/app.wasm']), { node: '/opt/node', libraries: [], launcher: '/l.mjs' }, []);
  assert.equal(s.process.args[0], `${WASM_HOST_DIR}/node`);
});
