import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkUserModePorts, isUserModeNetwork, userModeOptions } from './user-mode-net.js';

test('slirp4netns and pasta, with or without options, are user-mode networks; names and other modes are not', () => {
  for (const m of ['slirp4netns', 'slirp4netns:mtu=1500', 'pasta', 'pasta:-t,8080']) assert.equal(isUserModeNetwork(m), true, m);
  for (const m of ['bridge', 'none', 'host', 'slirp', 'mynet', 'container:x', 'slirp4netnsx']) assert.equal(isUserModeNetwork(m), false, m);
});

test("slirp4netns options in Podman's names: host loopback off and mtu 65520 by default; unknown or bad values refused by name", () => {
  assert.deepEqual(userModeOptions('slirp4netns'), { allowHostLoopback: false, mtu: 65520 });
  assert.deepEqual(userModeOptions('slirp4netns:allow_host_loopback=true,mtu=1500,port_handler=slirp4netns'), { allowHostLoopback: true, mtu: 1500 });
  assert.throws(() => userModeOptions('slirp4netns:mtu=big'), /invalid slirp4netns option "mtu=big"/);
  assert.throws(() => userModeOptions('slirp4netns:port_handler=rootlesskit'), /"port_handler=rootlesskit"/);
  assert.throws(() => userModeOptions('slirp4netns:allow_host_loopback=yes'), /"allow_host_loopback=yes"/);
  assert.throws(() => userModeOptions('pasta'), /pasta: not implemented yet/);
});

test('sctp ports are refused for user-mode forwarding; tcp and udp pass', () => {
  const p = (protocol: 'tcp' | 'udp' | 'sctp') => ({ hostIp: '', hostPort: 8080, containerPort: 80, range: 1, protocol });
  checkUserModePorts('slirp4netns', [p('tcp'), p('udp')]);
  assert.throws(() => checkUserModePorts('slirp4netns', [p('sctp')]), /cannot publish sctp port 80/);
});
