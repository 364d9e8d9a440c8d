// Many `run --rm` on the default network, some in parallel: distinct addresses while they
// overlap, and afterwards no veth, netns, iptables rule or lease of theirs left.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { IMAGE, expectCode, leaseCount, netEnv, type NetEnv } from './fixtures.js';

let env: NetEnv;

before(() => {
  env = netEnv('skiff-netcycle-');
});
after(async () => {
  await env.teardownNet();
});

test('100 run --rm cycles (80 of them 5 at a time) leave nothing behind', async () => {
  for (let i = 0; i < 20; i++) {
    const r = env.run(['run', '--rm', IMAGE, 'sh', '-c', 'ip -o -4 addr show eth0']);
    expectCode(r, 0, `sequential run ${i}`);
    assert.match(r.stdout, /inet 10\./);
  }
  const seen: string[] = [];
  for (let round = 0; round < 16; round++) {
    const rs = await Promise.all(
      Array.from({ length: 5 }, () => env.runAsync(['run', '--rm', IMAGE, 'sh', '-c', 'ip -o -4 addr show eth0; sleep 0.5'])),
    );
    const ips = rs.map((r, i) => {
      expectCode(r, 0, `parallel run ${round}/${i}`);
      return /inet (\S+)\//.exec(r.stdout)![1]!;
    });
    // They ran at the same time: IPAM must have given each its own address.
    assert.equal(new Set(ips).size, ips.length, `duplicate addresses ${ips.join(' ')}`);
    seen.push(...ips);
  }
  assert.equal(env.ok(['ps', '-aq']), '');
  assert.equal(leaseCount(env), 0, 'leases left');
  assert.equal(seen.length, 80);
});

test('a crash (conmon and the container SIGKILLed) is cleaned up by the next ps, and rm', async () => {
  const id = env.track(env.ok(['run', '-d', '--name', 'crash', '-p', '127.0.0.1::80', IMAGE, 'sleep', '300']));
  const [conmon, pid] = env.ok(['inspect', '-f', '{{.State.ConmonPid}} {{.State.Pid}}', 'crash']).trim().split(' ').map(Number);
  process.kill(conmon!, 'SIGKILL');
  process.kill(pid!, 'SIGKILL');
  assert.match(env.ok(['ps', '-a', '--format', '{{.Names}} {{.Status}}']), /crash Exited/);
  assert.equal(leaseCount(env), 0, 'the lease outlived the crash');
  assert.ok(!existsSync(`/run/netns/skiff-${id}`), 'netns outlived the crash');
  env.ok(['rm', 'crash']);
});
