import { test } from 'node:test';
import assert from 'node:assert/strict';
import { portAllocated, portOverlap } from './ports.js';
import type { PortRequest } from './types.js';

const p = (hostIp: string, hostPort: number, range = 1, protocol: PortRequest['protocol'] = 'tcp'): PortRequest => ({
  hostIp, hostPort, containerPort: 80, range, protocol,
});

test('portOverlap: same protocol, intersecting ranges, the same IP or either on every address', () => {
  assert.equal(portOverlap(p('127.0.0.1', 8080), p('127.0.0.1', 8080)), 8080);
  assert.equal(portOverlap(p('', 8080), p('127.0.0.1', 8080)), 8080);
  assert.equal(portOverlap(p('127.0.0.1', 8080), p('0.0.0.0', 8080)), 8080);
  assert.equal(portOverlap(p('127.0.0.1', 8080), p('127.0.0.2', 8080)), undefined);
  assert.equal(portOverlap(p('127.0.0.1', 8080), p('127.0.0.1', 8080, 1, 'udp')), undefined);
  assert.equal(portOverlap(p('', 8078, 3), p('', 8080, 5)), 8080);
  assert.equal(portOverlap(p('', 8080, 5), p('', 8078, 3)), 8080);
  assert.equal(portOverlap(p('', 8070, 3), p('', 8080, 5)), undefined);
});

test('portAllocated: dockerd\'s words, 0.0.0.0 for every address', () => {
  assert.equal(portAllocated(p('', 8080), 8080), 'Bind for 0.0.0.0:8080 failed: port is already allocated');
  assert.equal(portAllocated(p('127.0.0.1', 9000, 3), 9001), 'Bind for 127.0.0.1:9001 failed: port is already allocated');
});
