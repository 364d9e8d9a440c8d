// `docker update` against `skiff system service`: POST /containers/{id}/update answers
// {"Warnings": [...]} and the new limits are in the running container's cgroup and in inspect.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { IMAGE, apiEnv, type ApiEnv } from './fixtures.js';

let env: ApiEnv;

before(async () => {
  env = await apiEnv('skiff-api-update-');
});
after(async () => {
  await env?.stop();
});

test('docker update --memory 64m --pids-limit 50 on a running container', () => {
  env.dockerOk(['run', '-d', '--name', 'up', IMAGE, 'sleep', '300']);
  assert.equal(env.dockerOk(['update', '--memory', '64m', '--pids-limit', '50', 'up']), 'up\n');
  const inside = env.dockerOk(['exec', 'up', 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes', '/sys/fs/cgroup/pids/pids.max']);
  assert.equal(inside, `${64 * 1024 * 1024}\n50\n`);
  assert.equal(env.dockerOk(['inspect', '--format', '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}', 'up']), `${64 * 1024 * 1024} 50\n`);
  env.dockerOk(['update', '--restart', 'unless-stopped', 'up']);
  assert.equal(env.dockerOk(['inspect', '--format', '{{.HostConfig.RestartPolicy.Name}}', 'up']), 'unless-stopped\n');
});

test('the raw endpoint: Warnings, zero values left alone, errors as 400/404', async () => {
  const r = await env.api('POST', '/containers/up/update', { Memory: 0, CpuShares: 256, PidsLimit: null, RestartPolicy: { Name: '' } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json(), { Warnings: [] });
  const hc = JSON.parse(env.dockerOk(['inspect', '--format', '{{json .HostConfig}}', 'up'])) as Record<string, unknown>;
  assert.equal(hc.Memory, 64 * 1024 * 1024);
  assert.equal(hc.CpuShares, 256);
  assert.equal(hc.PidsLimit, 50);
  // dockerd drops a blkio weight the kernel cannot apply, and says so in Warnings.
  const blkio = await env.api('POST', '/containers/up/update', { BlkioWeight: 300 });
  assert.equal(blkio.status, 200, blkio.text);
  const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
  const weighted = v2
    ? readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').split(/\s+/).includes('io')
    : ['blkio.weight', 'blkio.bfq.weight'].some((f) => existsSync(`/sys/fs/cgroup/blkio/${f}`));
  assert.deepEqual(blkio.json(), { Warnings: weighted ? [] : ['Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.'] });
  assert.equal((await env.api('POST', '/containers/up/update', { Memory: 1024 })).status, 400);
  assert.equal((await env.api('POST', '/containers/up/update', { Memory: 'big' })).status, 400);
  assert.equal((await env.api('POST', '/containers/nosuch/update', { Memory: 64 * 1024 * 1024 })).status, 404);
  env.dockerOk(['rm', '-f', 'up']);
});
