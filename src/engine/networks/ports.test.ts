import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerPorts, parsePublish, publishExposed } from './ports.js';
import { hostRange, intToIp, ipToInt, overlaps, parseCidr } from './ip.js';

test('parsePublish: Docker -p forms', () => {
  assert.deepEqual(parsePublish('8080:80'), [{ hostIp: '', hostPort: 8080, containerPort: 80, range: 1, protocol: 'tcp' }]);
  assert.deepEqual(parsePublish('127.0.0.1:8080:80/udp'), [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, range: 1, protocol: 'udp' }]);
  assert.deepEqual(parsePublish('0.0.0.0::80'), [{ hostIp: '', hostPort: 0, containerPort: 80, range: 1, protocol: 'tcp' }]);
  assert.deepEqual(parsePublish('80'), [{ hostIp: '', hostPort: 0, containerPort: 80, range: 1, protocol: 'tcp' }]);
  assert.deepEqual(parsePublish('9000-9002:80-82'), [{ hostIp: '', hostPort: 9000, containerPort: 80, range: 3, protocol: 'tcp' }]);
  assert.equal(parsePublish('80-81').length, 2);
  assert.deepEqual(parsePublish('[::1]:8080:80')[0]!.hostIp, '::1');
  assert.throws(() => parsePublish('9000-9001:80-82'), /differ in size/);
  assert.throws(() => parsePublish('80/icmp'), /invalid protocol/);
  assert.throws(() => parsePublish('70000'), /invalid container port/);
});

test('publishExposed and the Docker Ports map', () => {
  const ports = publishExposed({ '80/tcp': {}, '53/udp': {} });
  assert.deepEqual(ports.map((p) => `${p.containerPort}/${p.protocol}:${p.hostPort}`), ['80/tcp:0', '53/udp:0']);
  assert.deepEqual(
    dockerPorts([{ hostIp: '', hostPort: 9000, containerPort: 80, range: 2, protocol: 'tcp' }], { '443/tcp': {} }),
    { '443/tcp': null, '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '9000' }], '81/tcp': [{ HostIp: '0.0.0.0', HostPort: '9001' }] },
  );
});

test('IPv4 subnet arithmetic', () => {
  assert.equal(intToIp(ipToInt('10.89.0.7')), '10.89.0.7');
  const c = parseCidr('10.89.0.77/24');
  assert.equal(intToIp(c.base), '10.89.0.0');
  assert.deepEqual(hostRange(c), { first: ipToInt('10.89.0.1'), last: ipToInt('10.89.0.254') });
  assert.deepEqual(hostRange(c, parseCidr('10.89.0.128/25')), { first: ipToInt('10.89.0.128'), last: ipToInt('10.89.0.254') });
  assert.ok(overlaps(parseCidr('10.89.0.0/16'), c));
  assert.ok(!overlaps(parseCidr('10.90.0.0/24'), c));
  assert.throws(() => ipToInt('10.89.0.256'), /invalid IPv4/);
});
