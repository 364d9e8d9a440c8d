// commit: the writable layer becomes a new image layer (whiteouts included), with the
// container's config, --change, -m and -a; a container of the new image sees the change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { IMAGE, containerEnv, expectCode, type ContainerEnv } from './fixtures.js';

let env: ContainerEnv;

before(() => {
  env = containerEnv('skiff-commit-');
});
after(async () => {
  env.run(['rm', '-f', 'cm']);
  await env.teardown();
});

test('commit a running container, then run the new image', () => {
  env.ok(['run', '-d', '--name', 'cm', '-e', 'GREETING=hi', IMAGE, 'sleep', '300']);
  env.ok(['exec', 'cm', 'sh', '-c', 'echo committed > /hello.txt; rm /bin/vi; mkdir /opq; rm -rf /home; mkdir /home; touch /home/only']);
  const id = env.ok(['commit', '-m', 'a message', '-a', 'Someone <s@example.com>', '-c', 'LABEL stage=two', 'cm', 'snap:1']).trim();
  assert.match(id, /^sha256:[a-f0-9]{64}$/);
  // The container is running again (it was paused only while the layer was read).
  assert.equal(env.ok(['inspect', '-f', '{{.State.Status}}', 'cm']).trim(), 'running');

  const r = env.run(['run', '--rm', 'snap:1', 'sh', '-c', 'cat /hello.txt; echo $GREETING; ls -A /home; ls /bin/vi']);
  expectCode(r, 1, 'ls of the deleted file fails');
  assert.equal(r.stdout, 'committed\nhi\nonly\n');
  assert.match(r.stderr, /\/bin\/vi: No such file or directory/);

  const doc = JSON.parse(env.ok(['image', 'inspect', 'snap:1']))[0];
  assert.equal(doc.Id, id);
  assert.equal(doc.RootFS.Layers.length, 2);
  assert.deepEqual(doc.Config.Cmd, ['sleep', '300']);
  assert.ok(doc.Config.Env.includes('GREETING=hi'));
  assert.equal(doc.Config.Labels.stage, 'two');
  assert.equal(doc.Comment, 'a message');
  assert.equal(doc.Author, 'Someone <s@example.com>');
  const history = env.ok(['history', '--format', '{{.CreatedBy}}|{{.Comment}}', 'snap:1']).trim().split('\n');
  assert.equal(history[0], 'sleep 300|a message');
  assert.equal(history.length, 2);
});

test('commit --pause=false of a stopped container with no name gives an untagged image', () => {
  env.ok(['stop', '-t', '0', 'cm']);
  const id = env.ok(['commit', '--pause=false', 'cm']).trim();
  assert.match(id, /^sha256:[a-f0-9]{64}$/);
  assert.equal(env.ok(['run', '--rm', id, 'cat', '/hello.txt']), 'committed\n');
});
