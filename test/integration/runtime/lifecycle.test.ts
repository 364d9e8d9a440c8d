// Real conmon + runc: create/start, exit files, k8s-file logs, signals, start errors, pause.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isEngineError } from '../../../src/core/errdefs.js';
import { isOciRuntimeError } from '../../../src/core/oci-runtime/errors.js';
import { readLogs } from '../../../src/impl/runtime/logs.js';
import type { LogRecord } from '../../../src/core/oci-runtime/k8s-log.js';
import { harness, monitorPidSync, sharedRootfs, skipReason, waitFor } from './fixtures.js';

const skip = skipReason();
let shared: ReturnType<typeof sharedRootfs>;

before(() => {
  if (!skip) shared = sharedRootfs();
});
after(() => shared?.cleanup());

async function collect(path: string): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const r of readLogs(path)) out.push(r);
  return out;
}

test('detached run: exit code from the exit file, stdout and stderr in the log', { skip }, async (t) => {
  const h = harness(t, shared);
  const { c, opts } = h.container({ args: ['sh', '-c', 'echo out; echo err >&2; exit 7'] });
  const created = await h.runtime.create(c, opts);
  assert.ok(created.pid > 0 && created.monitorPid > 0);
  assert.equal((await h.runtime.state(c.id))?.status, 'created');
  await h.runtime.start(c.id);
  const exit = await waitFor('exit file', () => h.runtime.readExit(c.id, opts));
  assert.equal(exit.code, 7);
  assert.equal(exit.oomKilled, false);
  assert.ok(Math.abs(exit.exitedAt.getTime() - Date.now()) < 60_000);
  const logs = await collect(opts.logPath);
  assert.deepEqual(
    logs.map((r) => [r.stream, r.text]).sort(),
    [['stderr', 'err'], ['stdout', 'out']],
  );
  assert.equal((await h.runtime.state(c.id))?.status, 'stopped');
  await h.runtime.delete(c.id);
  assert.equal(await h.runtime.state(c.id), undefined);
  await waitFor('conmon to exit', () => h.runtime.monitorPid(c).then((p) => p === undefined || undefined));
});

test('a long-running container outlives its creator: conmon is in its own session, reparented', { skip }, async (t) => {
  const h = harness(t, shared);
  const { c, opts } = h.container({ args: ['sleep', '100'] });
  const { pid, monitorPid } = await h.runtime.create(c, opts);
  await h.runtime.start(c.id);
  const st = await h.runtime.state(c.id);
  assert.equal(st?.status, 'running');
  assert.equal(st?.pid, pid);
  // /proc/<pid>/stat: "pid (comm) state ppid pgrp session …"
  const fields = readFileSync(`/proc/${monitorPid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const [ppid, pgrp, session] = [Number(fields[1]), Number(fields[2]), Number(fields[3])];
  assert.notEqual(ppid, process.pid, 'conmon must not be our child');
  assert.notEqual(pgrp, process.pid);
  assert.equal(session, monitorPid, 'conmon leads its own session');
  assert.equal(await h.runtime.monitorPid(c), monitorPid);
  assert.ok((await h.runtime.pids(c.id)).includes(pid));

  // PID 1 without a handler ignores SIGTERM (as with Docker); SIGKILL is 128+9.
  await h.runtime.kill(c.id, 'TERM');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await h.runtime.state(c.id))?.status, 'running');
  const waiting = h.runtime.wait(c, opts);
  await h.runtime.kill(c.id, 'KILL');
  const exit = await waiting;
  assert.equal(exit.code, 137);
  assert.deepEqual(await h.runtime.wait(c, opts), exit, 'an exited container answers at once');
});

test('wait: canceled by its signal; Unavailable when conmon dies without an exit file', { skip }, async (t) => {
  const h = harness(t, shared);
  const { c, opts } = h.container({ args: ['sleep', '100'] });
  const { monitorPid } = await h.runtime.create(c, opts);
  await h.runtime.start(c.id);
  const ac = new AbortController();
  const waiting = h.runtime.wait(c, opts, { signal: ac.signal });
  ac.abort();
  await assert.rejects(waiting, (e: unknown) => isEngineError(e, 'Canceled'));
  process.kill(monitorPid, 'SIGKILL');
  await assert.rejects(h.runtime.wait(c, opts), (e: unknown) => isEngineError(e, 'Unavailable'));
});

test('SIGTERM kills a process that is not PID 1: exit 143', { skip }, async (t) => {
  const h = harness(t, shared);
  const { c, opts } = h.container({ args: ['sleep', '100'], hostPid: true });
  await h.runtime.create(c, opts);
  await h.runtime.start(c.id);
  await h.runtime.kill(c.id, 15);
  const exit = await waitFor('exit file', () => h.runtime.readExit(c.id, opts));
  assert.equal(exit.code, 143);
});

test('command not found: create fails with 127 and the runtime\'s words; not executable: 126', { skip }, async (t) => {
  const h = harness(t, shared);
  const missing = h.container({ args: ['no-such-command'] });
  await assert.rejects(h.runtime.create(missing.c, missing.opts), (e: unknown) => {
    assert.ok(isOciRuntimeError(e), String(e));
    assert.equal(e.exitCode, 127);
    assert.equal(e.code, 'InvalidArgument');
    assert.match(e.message, /executable file not found/);
    return true;
  });
  const dir = h.container({ args: ['/etc'] });
  await assert.rejects(h.runtime.create(dir.c, dir.opts), (e: unknown) => {
    assert.ok(isOciRuntimeError(e), String(e));
    assert.equal(e.exitCode, 126, e.message);
    return true;
  });
  assert.equal(await h.runtime.state(missing.c.id), undefined);
  await waitFor('conmon to exit after the failed create', () => (monitorPidSync(missing.c) === undefined ? true : undefined));
});

test('pause and resume change the runtime state', { skip }, async (t) => {
  const h = harness(t, shared);
  const { c, opts } = h.container({ args: ['sleep', '100'] });
  await h.runtime.create(c, opts);
  await h.runtime.start(c.id);
  await h.runtime.pause(c.id);
  assert.equal((await h.runtime.state(c.id))?.status, 'paused');
  await assert.rejects(h.runtime.pause(c.id), (e: unknown) => isOciRuntimeError(e) && e.code === 'FailedPrecondition');
  await h.runtime.resume(c.id);
  assert.equal((await h.runtime.state(c.id))?.status, 'running');
  await h.runtime.delete(c.id, true);
  assert.equal(await h.runtime.state(c.id), undefined);
  const exit = await waitFor('exit file', () => h.runtime.readExit(c.id, opts));
  assert.equal(exit.code, 137);
});

test('unknown containers: state is undefined, kill is NotFound, delete is a no-op', { skip }, async (t) => {
  const h = harness(t, shared);
  assert.equal(await h.runtime.state('skiff-rt-nope'), undefined);
  await assert.rejects(h.runtime.kill('skiff-rt-nope', 9), (e: unknown) => isOciRuntimeError(e) && e.code === 'NotFound');
  await h.runtime.delete('skiff-rt-nope', true);
});

test('the exit command runs after the exit file is written', { skip }, async (t) => {
  const h = harness(t, shared);
  const { c, opts } = h.container({ args: ['sh', '-c', 'exit 4'] });
  const marker = `${c.runDir}/exit-command.out`;
  // Written aside and renamed: the shell's redirect creates the file before cat fills it.
  await h.runtime.create(c, { ...opts, exitCommand: ['/bin/sh', '-c', `cat ${opts.exitDir}/${c.id} > ${marker}.tmp && mv ${marker}.tmp ${marker}`] });
  await h.runtime.start(c.id);
  const seen = await waitFor('exit command', () => {
    try {
      return readFileSync(marker, 'utf8');
    } catch {
      return undefined;
    }
  });
  assert.equal(seen, '4');
});
