// stats --no-stream: docker's columns read from the container's cgroup.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { IMAGE, containerEnv, expectCode, type ContainerEnv } from './fixtures.js';

let env: ContainerEnv;

before(() => {
  env = containerEnv('skiff-stats-');
});
after(async () => {
  env.run(['rm', '-f', 'st']);
  await env.teardown();
});

test('stats --no-stream shows the container with its memory limit', () => {
  const id = env.ok(['run', '-d', '--name', 'st', '--memory', '64m', IMAGE, 'sleep', '300']).trim();
  const lines = env.ok(['stats', '--no-stream']).trimEnd().split('\n');
  assert.match(lines[0]!, /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
  assert.equal(lines.length, 2);
  const cols = lines[1]!.split(/\s{2,}/);
  assert.equal(cols[0], id.slice(0, 12));
  assert.equal(cols[1], 'st');
  assert.match(cols[2]!, /^\d+\.\d\d%$/);
  assert.match(cols[3]!, /^[\d.]+(B|KiB|MiB) \/ 64MiB$/);
  assert.match(cols[4]!, /^\d+\.\d\d%$/);
  // Bridge networking: the kernel's own IPv6 neighbour traffic counts too.
  assert.match(cols[5]!, /^[\d.]+[kMG]?B \/ [\d.]+[kMG]?B$/);
  assert.match(cols[6]!, /^[\d.]+[kMG]?B \/ [\d.]+[kMG]?B$/);
  assert.equal(cols[7], '1');
});

test('stats --format and an unknown container', () => {
  assert.match(env.ok(['stats', '--no-stream', '--format', '{{.Name}} {{.MemUsage}} {{.PIDs}}', 'st']), /^st [\d.]+\w+ \/ 64MiB 1\n$/);
  expectCode(env.run(['stats', '--no-stream', 'nope']), 125, 'unknown container');
});
