import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mountsInProcess, validateLocalOptions, volumeMountSpec } from './local-options.js';

test('validateLocalOptions: dockerd 20.10\'s refusals, unknown keys first', () => {
  const refused = (opts: Record<string, string>) => {
    try {
      validateLocalOptions('v', opts);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  };
  assert.equal(refused({}), undefined);
  assert.equal(refused({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m' }), undefined);
  assert.equal(refused({ type: 'tmpfs', device: 'tmpfs', bogus: '1' }), 'create v: invalid option: "bogus"');
  assert.equal(refused({ type: 'tmpfs' }), 'create v: missing required option: "device"');
  assert.equal(refused({ device: 'tmpfs' }), 'create v: missing required option: "type"');
  assert.equal(refused({ o: 'size=1m' }), 'create v: missing required option: "device"');
  assert.equal(refused({ size: '1m' }), 'create v: quota size requested but no quota support');
});

test('volumeMountSpec: a mount only with type or device; o split into words; tmpfs and binds in-process', () => {
  assert.equal(volumeMountSpec({}), undefined);
  const tmpfs = volumeMountSpec({ type: 'tmpfs', device: 'tmpfs', o: 'size=10m,uid=1000' })!;
  assert.deepEqual(tmpfs, { type: 'tmpfs', device: 'tmpfs', options: ['size=10m', 'uid=1000'] });
  assert.equal(mountsInProcess(tmpfs), true);
  assert.equal(mountsInProcess(volumeMountSpec({ type: 'none', device: '/srv/x', o: 'bind' })!), true);
  assert.equal(mountsInProcess(volumeMountSpec({ type: 'nfs', device: ':/export', o: 'addr=10.0.0.1,rw' })!), false);
  assert.equal(mountsInProcess(volumeMountSpec({ type: 'ext4', device: '/dev/loop0' })!), false);
});
