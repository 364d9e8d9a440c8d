// network connect/disconnect on a running container: eth1 appears and goes; the first network stays.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { IMAGE, netEnv, type NetEnv } from './fixtures.js';

let env: NetEnv;

before(() => {
  env = netEnv('skiff-netconn-');
});
after(async () => {
  await env.teardownNet();
});

test('network connect adds a second interface; disconnect removes it', () => {
  env.createNetwork('one', 1);
  env.createNetwork('two', 2);
  env.track(env.ok(['run', '-d', '--name', 'c1', '--network', 'one', IMAGE, 'sleep', '300']));
  assert.doesNotMatch(env.ok(['exec', 'c1', 'ip', '-o', 'addr']), /eth1/);
  env.ok(['network', 'connect', '--alias', 'c1two', '--ip', env.subnet(2).replace('0/24', '77'), 'two', 'c1']);
  const addrs = env.ok(['exec', 'c1', 'ip', '-o', '-4', 'addr']);
  assert.match(addrs, new RegExp(`eth1\\s+inet ${env.subnet(2).replace('0/24', '77').replace(/\./g, '\\.')}/24`));
  assert.match(addrs, /eth0\s+inet /);
  const nets = JSON.parse(env.ok(['inspect', '-f', '{{json .NetworkSettings.Networks}}', 'c1']));
  assert.deepEqual(Object.keys(nets).sort(), ['one', 'two']);
  assert.equal(nets.two.IPAddress, env.subnet(2).replace('0/24', '77'));
  // A second container on `two` reaches the new interface by its alias.
  const r = env.run(['run', '--rm', '--network', 'two', '--cap-add', 'NET_RAW', IMAGE, 'ping', '-c', '1', '-W', '3', 'c1two']);
  assert.equal(r.code, 0, `ping c1two: ${r.stdout}${r.stderr}`);

  env.ok(['network', 'disconnect', 'two', 'c1']);
  assert.doesNotMatch(env.ok(['exec', 'c1', 'ip', '-o', 'addr']), /eth1/);
  assert.match(env.ok(['exec', 'c1', 'ip', '-o', 'addr']), /eth0/);
  assert.deepEqual(Object.keys(JSON.parse(env.ok(['inspect', '-f', '{{json .NetworkSettings.Networks}}', 'c1']))), ['one']);
  assert.deepEqual(JSON.parse(env.ok(['network', 'inspect', 'two']))[0].Containers, {});
});

test('network rm refuses a network in use; --network a,b gives two interfaces', () => {
  const r = env.run(['network', 'rm', 'one']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /associated containers/);
  env.track(env.ok(['run', '-d', '--name', 'c2', '--network', 'one,two', IMAGE, 'sleep', '300']));
  const addrs = env.ok(['exec', 'c2', 'ip', '-o', '-4', 'addr']);
  assert.match(addrs, /eth0\s+inet 10\./);
  assert.match(addrs, /eth1\s+inet 10\./);
  env.ok(['rm', '-f', 'c2', 'c1']);
  env.ok(['network', 'rm', 'one', 'two']);
  assert.doesNotMatch(env.ok(['network', 'ls']), /\bone\b|\btwo\b/);
});
