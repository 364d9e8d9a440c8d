import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exitCodeForStartError, startError } from './errors.js';
import { DetachKeyMatcher, parseDetachKeys } from './detach-keys.js';
import { LogAssembler, parseLogLine } from './k8s-log.js';

test('exitCodeForStartError: runc and crun wording', () => {
  const runc = 'runc create failed: unable to start container process: exec: ';
  assert.equal(exitCodeForStartError(`${runc}"nope": executable file not found in $PATH`), 127);
  assert.equal(exitCodeForStartError(`${runc}"/x": stat /x: no such file or directory`), 127);
  assert.equal(exitCodeForStartError(`${runc}"/etc": permission denied`), 126);
  assert.equal(exitCodeForStartError('executable file `nope` not found in $PATH: No such file or directory'), 127);
  assert.equal(exitCodeForStartError('open executable: Permission denied'), 126);
  assert.equal(exitCodeForStartError('error setting rlimit type 7: operation not permitted'), undefined);
  assert.equal(exitCodeForStartError(`${runc}error during container init: error mounting "/gone" to rootfs at "/x": stat /gone: no such file or directory`), undefined);
  assert.equal(exitCodeForStartError('mount `/gone` to `/x`: No such file or directory'), undefined);
  const e = startError(`${runc}"nope": executable file not found in $PATH`);
  assert.equal(e.code, 'InvalidArgument');
  assert.equal(e.exitCode, 127);
  assert.equal(startError('cgroups in hybrid mode not supported').code, 'Internal');
});

test('detach keys: parse Docker notation; held-back bytes are released when the sequence breaks', () => {
  assert.deepEqual([...parseDetachKeys('ctrl-p,ctrl-q')], [16, 17]);
  assert.deepEqual([...parseDetachKeys('ctrl-@,ctrl-[,ctrl-_,a')], [0, 27, 31, 97]);
  assert.throws(() => parseDetachKeys('ctrl-1'), /invalid detach keys/);
  const m = new DetachKeyMatcher(parseDetachKeys('ctrl-p,ctrl-q'));
  assert.deepEqual(m.feed(Buffer.from('ab\x10')), { forward: Buffer.from('ab'), detach: false });
  assert.deepEqual(m.feed(Buffer.from('c')), { forward: Buffer.from('\x10c'), detach: false });
  assert.deepEqual(m.feed(Buffer.from('\x10\x10')), { forward: Buffer.from('\x10'), detach: false });
  assert.deepEqual(m.feed(Buffer.from('\x11rest')), { forward: Buffer.alloc(0), detach: true });
  const none = new DetachKeyMatcher(parseDetachKeys(''));
  assert.deepEqual(none.feed(Buffer.from('\x10\x11')), { forward: Buffer.from('\x10\x11'), detach: false });
});

test('k8s-file lines: F and P, partial chunks joined per stream, odd lines ignored', () => {
  const l = parseLogLine('2026-11-28T17:05:13.564839225+00:00 stdout F hello world');
  assert.equal(l?.stream, 'stdout');
  assert.equal(l?.partial, false);
  assert.equal(l?.text, 'hello world');
  assert.equal(l?.time.toISOString(), '2026-11-28T17:05:13.564Z');
  assert.equal(parseLogLine('2026-11-28T17:05:13.564839225+00:00 stderr F ')?.text, '');
  assert.equal(parseLogLine('garbage'), undefined);
  assert.equal(parseLogLine('2026-11-28T17:05:13Z stdin F x'), undefined);
  const asm = new LogAssembler();
  const ts = '2026-11-28T17:05:13.000000001+01:00';
  assert.equal(asm.push(parseLogLine(`${ts} stdout P abc`)!), undefined);
  assert.equal(asm.push(parseLogLine(`${ts} stderr F err`)!)?.text, 'err');
  assert.equal(asm.push(parseLogLine(`${ts} stdout P def`)!), undefined);
  const r = asm.push(parseLogLine(`${ts} stdout F ghi`)!);
  assert.deepEqual([r?.stream, r?.text, r?.timestamp], ['stdout', 'abcdefghi', ts]);
  asm.push(parseLogLine(`${ts} stdout P tail`)!);
  assert.deepEqual(asm.flush().map((x) => x.text), ['tail']);
});
