import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWasmImage, wantsWasm } from './image.js';

const base = { os: 'linux', architecture: 'amd64', config: { Entrypoint: ['/bin/app'] } };

test('a wasi/wasm or wasip1/wasm platform makes an image WASM; linux/amd64 does not', () => {
  assert.equal(isWasmImage({ ...base, os: 'wasi', architecture: 'wasm' }), true);
  assert.equal(isWasmImage({ ...base, os: 'wasip1', architecture: 'wasm' }), true);
  assert.equal(isWasmImage({ ...base, os: 'wasi', architecture: 'amd64' }), false);
  assert.equal(isWasmImage(base), false);
});

test('an entrypoint, or with none a command, ending .wasm makes an image WASM', () => {
  assert.equal(isWasmImage({ ...base, config: { Entrypoint: ['/app.wasm', '-v'] } }), true);
  assert.equal(isWasmImage({ ...base, config: { Cmd: ['/app.wasm'] } }), true);
  assert.equal(isWasmImage({ ...base, config: { Entrypoint: ['/bin/sh'], Cmd: ['/app.wasm'] } }), false);
});

test("crun's module.wasm.image/variant=compat, on the manifest or as a label; compat-smart alone is not enough", () => {
  assert.equal(isWasmImage(base, { 'module.wasm.image/variant': 'compat' }), true);
  assert.equal(isWasmImage(base, { 'module.wasm.image/variant': 'compat-smart' }), false);
  assert.equal(isWasmImage(base, { 'module.wasm.image/variant': 'other' }), false);
  assert.equal(isWasmImage({ ...base, config: { Labels: { 'module.wasm.image/variant': 'compat' } } }), true);
  assert.equal(wantsWasm({ 'module.wasm.image/variant': 'compat' }), true);
  assert.equal(wantsWasm(undefined), false);
});
