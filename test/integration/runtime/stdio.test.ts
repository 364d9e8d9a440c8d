// Real conmon + runc: the attach socket (SOCK_SEQPACKET), exec through conmon, pty resize.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { isOciRuntimeError } from '../../../src/core/oci-runtime/errors.js';
import type { ProcessSpec } from '../../../src/core/oci-runtime/runtime.js';
import { harness, sharedRootfs, skipReason, waitFor } from './fixtures.js';

const skip = skipReason();
let shared: ReturnType<typeof sharedRootfs>;

before(() => {
  if (!skip) shared = sharedRootfs();
});
after(() => shared?.cleanup());

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString('utf8');
    cb();
  }
}

function proc(args: string[]): ProcessSpec {
  return { args, cwd: '/', env: ['PATH=/bin:/usr/bin'], user: { uid: 0, gid: 0 } };
}

test('attach: stdin reaches `cat`, its stdout comes back; half-close ends it', { skip }, async (t) => {
  const h = harness(t, shared);
  const { c, opts } = h.container({ args: ['cat'] });
  await h.runtime.create(c, { ...opts, stdin: true });
  const stdin = new PassThrough();
  const stdout = new Sink();
  const stderr = new Sink();
  // Attach before start, as Podman does, so no output is lost.
  const session = await h.runtime.attach(c, { stdin, stdout, stderr });
  await h.runtime.start(c.id);
  stdin.write('hello\n');
  await waitFor('echo from cat', () => (stdout.text.includes('hello\n') ? true : undefined));
  stdin.end();
  assert.equal(await session.done, 'exited');
  assert.equal(stdout.text, 'hello\n');
  assert.equal(stderr.text, '');
  const exit = await waitFor('exit file', () => h.runtime.readExit(c.id, opts));
  assert.equal(exit.code, 0);
  // The attached output is in the log too.
  assert.match(readFileSync(opts.logPath, 'utf8'), / stdout F hello\n/);
});

test('attach: stderr is framed apart; detach keys end the session but not the container', { skip }, async (t) => {
  const h = harness(t, shared);
  const { c, opts } = h.container({ args: ['sh', '-c', 'while read l; do echo "o:$l"; echo "e:$l" >&2; done'] });
  await h.runtime.create(c, { ...opts, stdin: true, leaveStdinOpen: true });
  const stdin = new PassThrough();
  const stdout = new Sink();
  const stderr = new Sink();
  const session = await h.runtime.attach(c, { stdin, stdout, stderr });
  await h.runtime.start(c.id);
  stdin.write('a\n');
  await waitFor('both streams', () => (stdout.text === 'o:a\n' && stderr.text === 'e:a\n' ? true : undefined));
  stdin.write(Buffer.from([0x10, 0x11])); // ctrl-p ctrl-q
  assert.equal(await session.done, 'detached');
  assert.equal((await h.runtime.state(c.id))?.status, 'running');

  // A second client still has a working stdin (--leave-stdin-open).
  const stdin2 = new PassThrough();
  const out2 = new Sink();
  const again = await h.runtime.attach(c, { stdin: stdin2, stdout: out2, detachKeys: '' });
  stdin2.write('b\n');
  await waitFor('second attach output', () => (out2.text === 'o:b\n' ? true : undefined));
  again.close();
  assert.equal(await again.done, 'closed');
  await h.runtime.kill(c.id, 'KILL');
  assert.equal((await waitFor('exit file', () => h.runtime.readExit(c.id, opts))).code, 137);
});

test('attach to a container that is not running fails as FailedPrecondition', { skip }, async (t) => {
  const h = harness(t, shared);
  const { c } = h.container({ args: ['true'] });
  await assert.rejects(h.runtime.attach(c, {}), (e: unknown) => (e as { code?: string }).code === 'FailedPrecondition');
});

test('exec: attached output and exit code; missing command is 127; detached returns a PID', { skip }, async (t) => {
  const h = harness(t, shared);
  const { c, opts } = h.container({ args: ['sleep', '100'] });
  await h.runtime.create(c, opts);
  await h.runtime.start(c.id);

  const stdout = new Sink();
  const stderr = new Sink();
  const r = await h.runtime.exec(c, proc(['sh', '-c', 'echo hi; echo oops >&2; exit 3']), {
    tty: false, stdin: false, detach: false, streams: { stdout, stderr },
  });
  assert.equal(r.detached, false);
  assert.equal(r.detached === false && r.exitCode, 3);
  assert.equal(stdout.text, 'hi\n');
  assert.equal(stderr.text, 'oops\n');
  assert.equal(existsSync(join(c.bundle, 'exec', r.sessionId)), false, 'attached session dir is removed');

  const echo = new Sink();
  const stdin = new PassThrough();
  const p = h.runtime.exec(c, proc(['cat']), { tty: false, stdin: true, detach: false, streams: { stdin, stdout: echo } });
  stdin.end('via stdin\n');
  const r2 = await p;
  assert.equal(r2.detached === false && r2.exitCode, 0);
  assert.equal(echo.text, 'via stdin\n');

  await assert.rejects(
    h.runtime.exec(c, proc(['no-such-command']), { tty: false, stdin: false, detach: false, streams: {} }),
    (e: unknown) => isOciRuntimeError(e) && e.exitCode === 127 && /not found/.test(e.message),
  );

  const d = await h.runtime.exec(c, proc(['sh', '-c', 'exit 5']), { tty: false, stdin: false, detach: true });
  assert.equal(d.detached, true);
  assert.ok(d.pid > 0);
  const exitFile = join(c.bundle, 'exec', d.sessionId, 'exit', c.id);
  const code = await waitFor('detached exec exit file', () => (existsSync(exitFile) ? readFileSync(exitFile, 'utf8') : undefined));
  assert.equal(code.trim(), '5');
  await h.runtime.kill(c.id, 'KILL');
  await waitFor('exit file', () => h.runtime.readExit(c.id, opts));
});

test('tty: resize through the ctl FIFO reaches the pty', { skip }, async (t) => {
  const h = harness(t, shared);
  const script = 'while [ "$(stty size)" != "33 77" ]; do sleep 0.1; done; echo resized $(stty size)';
  const { c, opts } = h.container({ args: ['sh', '-c', script], terminal: true });
  await h.runtime.create(c, opts);
  const stdout = new Sink();
  const session = await h.runtime.attach(c, { stdout });
  await h.runtime.start(c.id);
  await h.runtime.resizePty(c, { rows: 33, cols: 77 });
  assert.equal(await session.done, 'exited');
  assert.match(stdout.text, /resized 33 77\r\n/);
  assert.equal((await waitFor('exit file', () => h.runtime.readExit(c.id, opts))).code, 0);
});
