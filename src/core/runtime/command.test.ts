import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEnv, commandArgs, DEFAULT_PATH, mergeEnv, workingDir } from './command.js';
import { isEngineError } from '../errdefs.js';

const image = { Entrypoint: ['/entry'], Cmd: ['cmd', 'arg'] };

test('args follow Docker: entrypoint + cmd, with overrides', () => {
  assert.deepEqual(commandArgs(image, {}), ['/entry', 'cmd', 'arg']);
  assert.deepEqual(commandArgs(image, { command: ['x'] }), ['/entry', 'x']);
  // --entrypoint drops the image's CMD.
  assert.deepEqual(commandArgs(image, { entrypoint: ['/new'] }), ['/new']);
  assert.deepEqual(commandArgs(image, { entrypoint: ['/new'], command: ['x'] }), ['/new', 'x']);
  // --entrypoint "" clears it.
  assert.deepEqual(commandArgs(image, { entrypoint: [''], command: ['x'] }), ['x']);
  assert.deepEqual(commandArgs(image, { entrypoint: [], command: ['x'] }), ['x']);
  assert.deepEqual(commandArgs({ Cmd: ['sh'] }, {}), ['sh']);
  assert.deepEqual(commandArgs({ Cmd: ['sh'], Entrypoint: null }, { command: [] }), ['sh']);
  assert.deepEqual(commandArgs({ Entrypoint: ['/e'], Cmd: null }, {}), ['/e']);
});

test('no command at all is an InvalidArgument', () => {
  assert.throws(() => commandArgs({}, {}), (e) => isEngineError(e, 'InvalidArgument'));
  assert.throws(() => commandArgs(image, { entrypoint: [''] }), (e) => isEngineError(e, 'InvalidArgument'));
});

test('env: PATH default, image then env-file then -e, HOSTNAME, TERM only with a tty, HOME', () => {
  const env = buildEnv({ image: { Env: ['A=image', 'B=image'] }, opts: { envFile: ['B=file'], env: ['A=flag'] }, hostname: 'abc', home: '/root' });
  assert.deepEqual(env, [DEFAULT_PATH, 'container=skiff', 'HOSTNAME=abc', 'A=flag', 'B=file', 'HOME=/root']);
  const tty = buildEnv({ image: { Env: ['PATH=/bin', 'HOME=/h'] }, opts: { tty: true }, hostname: 'h', home: '/root' });
  assert.deepEqual(tty, ['PATH=/bin', 'TERM=xterm', 'container=skiff', 'HOSTNAME=h', 'HOME=/h']);
  assert.deepEqual(mergeEnv(['A=1', 'B=2'], ['A=3']), ['A=3', 'B=2']);
});

test('working directory', () => {
  assert.equal(workingDir({}, undefined), '/');
  assert.equal(workingDir({ WorkingDir: 'app' }, undefined), '/app');
  assert.equal(workingDir({ WorkingDir: '/app' }, '/w'), '/w');
  assert.throws(() => workingDir({}, 'rel'), (e) => isEngineError(e, 'InvalidArgument'));
});
