// top: the host's ps, filtered to the container's processes, in docker's -ef columns.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { IMAGE, containerEnv, expectCode, type ContainerEnv } from './fixtures.js';

let env: ContainerEnv;

before(() => {
  env = containerEnv('skiff-top-');
});
after(async () => {
  env.run(['rm', '-f', 'tp', 'tp-stopped']);
  await env.teardown();
});

test('top lists the container sleep process with the -ef columns', () => {
  env.ok(['run', '-d', '--name', 'tp', IMAGE, 'sleep', '271']);
  const pid = env.ok(['inspect', '-f', '{{.State.Pid}}', 'tp']).trim();
  const lines = env.ok(['top', 'tp']).trimEnd().split('\n');
  assert.match(lines[0]!, /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
  assert.equal(lines.length, 2, lines.join('\n'));
  const cols = lines[1]!.split(/\s{2,}/);
  assert.equal(cols[0], 'root');
  assert.equal(cols[1], pid);
  assert.equal(cols.at(-1), 'sleep 271');
});

test('top passes ps options through, and refuses a stopped container', () => {
  const out = env.ok(['top', 'tp', '-o', 'pid,comm']).trimEnd().split('\n');
  assert.match(out[0]!, /^PID\s+COMMAND$/);
  assert.match(out[1]!, /^\d+\s+sleep$/);
  env.ok(['create', '--name', 'tp-stopped', IMAGE, 'true']);
  expectCode(env.run(['top', 'tp-stopped']), 125, 'top of a created container');
});
