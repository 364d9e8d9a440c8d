import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_CAPABILITIES, allCapabilities, capabilityMask, mergeCapabilities, normalizeCapability } from './capabilities.js';
import { DEFAULT_CAPABILITIES } from '../config/types.js';

test('names normalise', () => {
  assert.equal(normalizeCapability('NET_ADMIN'), 'CAP_NET_ADMIN');
  assert.equal(normalizeCapability('cap_net_admin'), 'CAP_NET_ADMIN');
  assert.equal(normalizeCapability('all'), 'ALL');
  assert.throws(() => normalizeCapability('FLY'), /unknown capability/);
});

test("the default set is Podman's, CapBnd 00000000800405fb", () => {
  assert.equal(capabilityMask(DEFAULT_CAPABILITIES), 0x800405fbn);
  assert.equal(ALL_CAPABILITIES[40], 'CAP_CHECKPOINT_RESTORE');
  assert.equal(allCapabilities(37).length, 38);
});

test('add, drop and ALL', () => {
  const base = DEFAULT_CAPABILITIES;
  assert.deepEqual(mergeCapabilities(base, ['NET_ADMIN'], ['CHOWN']).filter((c) => !base.includes(c)), ['CAP_NET_ADMIN']);
  assert.ok(!mergeCapabilities(base, [], ['CAP_CHOWN']).includes('CAP_CHOWN'));
  assert.deepEqual(mergeCapabilities(base, ['NET_RAW'], ['ALL']), ['CAP_NET_RAW']);
  assert.deepEqual(mergeCapabilities(base, ['ALL'], ['SYS_ADMIN']).length, ALL_CAPABILITIES.length - 1);
  assert.throws(() => mergeCapabilities(base, ['CHOWN'], ['CHOWN']), /both added and dropped/);
  assert.throws(() => mergeCapabilities(base, ['ALL'], ['ALL']), /all capabilities/);
});
