import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatImageLocation, parseImageLocation } from './transport.js';

test('transports are parsed as skopeo names them', () => {
  assert.deepEqual(parseImageLocation('docker://busybox'), { transport: 'docker', ref: 'docker.io/library/busybox:latest' });
  assert.deepEqual(parseImageLocation('docker://127.0.0.1:5000/a/b@sha256:' + 'a'.repeat(64)), {
    transport: 'docker',
    ref: '127.0.0.1:5000/a/b@sha256:' + 'a'.repeat(64),
  });
  assert.deepEqual(parseImageLocation('oci:/tmp/dir'), { transport: 'oci', path: '/tmp/dir' });
  assert.deepEqual(parseImageLocation('oci:/tmp/dir:v1'), { transport: 'oci', path: '/tmp/dir', refName: 'v1' });
  assert.deepEqual(parseImageLocation('oci-archive:x.tar:repo:tag'), { transport: 'oci-archive', path: 'x.tar', refName: 'repo:tag' });
  assert.deepEqual(parseImageLocation('docker-archive:x.tar'), { transport: 'docker-archive', path: 'x.tar' });
  assert.deepEqual(parseImageLocation('docker-archive:x.tar:app:1'), { transport: 'docker-archive', path: 'x.tar', name: 'docker.io/library/app:1' });
  assert.deepEqual(parseImageLocation('docker-archive:x.tar:@1'), { transport: 'docker-archive', path: 'x.tar', index: 1 });
  assert.deepEqual(parseImageLocation('containers-storage:app'), { transport: 'local', name: 'app' });
  assert.deepEqual(parseImageLocation('containers-storage:[overlay@/var/lib/x]app'), { transport: 'local', name: 'app' });
  assert.deepEqual(parseImageLocation('containers-storage:'), { transport: 'local' });
  assert.deepEqual(parseImageLocation('localhost:5000/app:1'), { transport: 'local', name: 'localhost:5000/app:1' });
  assert.deepEqual(parseImageLocation('3cd5ad47fa66'), { transport: 'local', name: '3cd5ad47fa66' });
});

test('malformed locations are refused', () => {
  for (const bad of ['docker://', 'docker:busybox', 'oci:', 'oci-archive::tag', 'docker-archive:x:@a', 'docker-archive:x:UPPER', 'docker://Bad']) {
    assert.throws(() => parseImageLocation(bad), /./, bad);
  }
});

test('locations format back', () => {
  for (const s of ['docker://docker.io/library/busybox:latest', 'oci:/d:v1', 'oci-archive:/f', 'docker-archive:/f:@2', 'containers-storage:app']) {
    assert.equal(formatImageLocation(parseImageLocation(s)), s);
  }
});
