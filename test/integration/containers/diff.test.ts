// diff: A/C/D from the container's writable layer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { IMAGE, containerEnv, type ContainerEnv } from './fixtures.js';

let env: ContainerEnv;

before(() => {
  env = containerEnv('skiff-diff-');
});
after(async () => {
  env.run(['rm', '-f', 'df']);
  await env.teardown();
});

test('diff is empty for an untouched container and lists A/C/D after changes', () => {
  env.ok(['run', '-d', '--name', 'df', IMAGE, 'sleep', '300']);
  assert.equal(env.ok(['diff', 'df']), '');
  env.ok(['exec', 'df', 'sh', '-c', 'echo x >> /etc/passwd; rm /bin/vi; mkdir -p /new/dir; touch /new/dir/file']);
  const lines = env.ok(['diff', 'df']).trimEnd().split('\n');
  assert.deepEqual(lines, ['C /bin', 'D /bin/vi', 'C /etc', 'C /etc/passwd', 'A /new', 'A /new/dir', 'A /new/dir/file']);
});

test('diff works on a stopped container too', () => {
  env.ok(['stop', '-t', '0', 'df']);
  assert.match(env.ok(['diff', 'df']), /^D \/bin\/vi$/m);
});
