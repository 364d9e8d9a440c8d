import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandAndArgs, livenessProbe } from './generate-container.js';
import { kubeDocuments } from './generate.js';
import { cpuQuantity, memoryQuantity } from './generate-quantity.js';
import type { KubeContainerSource } from './generate-types.js';
import { validateManifest } from './validate.js';

const ctr = (over: Partial<KubeContainerSource> = {}): KubeContainerSource => ({
  name: 'c',
  image: 'docker.io/library/bb:latest',
  imageConfig: {},
  opts: {},
  ports: [],
  addHosts: [],
  ...over,
});

test('command and args: only what differs from the image; an entrypoint override is the command, the rest args', () => {
  const img = { Entrypoint: ['/entry'], Cmd: ['serve'] };
  assert.deepEqual(commandAndArgs(ctr({ imageConfig: img })), {});
  assert.deepEqual(commandAndArgs(ctr({ imageConfig: img, opts: { command: ['debug'] } })), { args: ['debug'] });
  assert.deepEqual(commandAndArgs(ctr({ imageConfig: img, opts: { entrypoint: ['/bin/sh'], command: ['-c', 'x'] } })), { command: ['/bin/sh'], args: ['-c', 'x'] });
  // --entrypoint drops the image's Cmd (Docker): the command alone, no args.
  assert.deepEqual(commandAndArgs(ctr({ imageConfig: img, opts: { entrypoint: ['/bin/true'] } })), { command: ['/bin/true'] });
  // --entrypoint '' with a command: the command runs as it is.
  assert.deepEqual(commandAndArgs(ctr({ imageConfig: img, opts: { entrypoint: [''], command: ['/bin/ls'] } })), { command: ['/bin/ls'] });
  assert.deepEqual(commandAndArgs(ctr({ imageConfig: { Cmd: ['/bin/sh'] }, opts: { command: ['httpd', '-f'] } })), { command: ['httpd', '-f'] });
});

test('quantities in apimachinery canonical form', () => {
  assert.equal(memoryQuantity(64 * 1024 * 1024), '64Mi');
  assert.equal(memoryQuantity(1024 ** 3), '1Gi');
  assert.equal(memoryQuantity(1000), '1000');
  assert.equal(cpuQuantity(0.5), '500m');
  assert.equal(cpuQuantity(2), '2');
  assert.equal(cpuQuantity(1.25), '1250m');
});

test('a healthcheck is an exec probe: CMD as is, CMD-SHELL through /bin/sh -c, Docker defaults, NONE gives none', () => {
  assert.deepEqual(livenessProbe({ Test: ['CMD', '/bin/true'] }), { exec: { command: ['/bin/true'] }, periodSeconds: 30, timeoutSeconds: 30, failureThreshold: 3 });
  assert.deepEqual(livenessProbe({ Test: ['CMD-SHELL', 'exit 0'], Interval: 5e9, Timeout: 1.5e9, Retries: 2, StartPeriod: 20e9 }), {
    exec: { command: ['/bin/sh', '-c', 'exit 0'] }, initialDelaySeconds: 20, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2,
  });
  assert.equal(livenessProbe({ Test: ['NONE'] }), undefined);
});

test('privileged, read-only, binds, tmpfs, anonymous volumes and udp ports: a Pod its model accepts', () => {
  const docs = kubeDocuments([{
    name: 'p',
    ports: [{ hostIp: '', hostPort: 5353, containerPort: 53, range: 2, protocol: 'udp' }],
    addHosts: ['gw:host-gateway', 'a:10.0.0.1', 'b:10.0.0.1'],
    containers: [ctr({
      opts: {
        privileged: true,
        readOnly: true,
        user: 'nobody',
        tmpfs: ['/scratch:size=1m'],
        mounts: [
          { type: 'bind', source: '/srv/My_Data', destination: '/data', options: ['ro'] },
          { type: 'volume', name: 'f00', anonymous: true, destination: '/cache' },
        ],
      },
    })],
  }], [], { version: 't', service: true, nodePort: () => 30001 });
  for (const d of docs) validateManifest(d);
  const [svc, pod] = docs as unknown as [Record<string, any>, Record<string, any>]; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.deepEqual(svc.spec.ports, [
    { name: '53-udp', port: 53, targetPort: 53, protocol: 'UDP', nodePort: 30001 },
    { name: '54-udp', port: 54, targetPort: 54, protocol: 'UDP', nodePort: 30001 },
  ]);
  assert.deepEqual(pod.spec.hostAliases, [{ ip: '10.0.0.1', hostnames: ['a', 'b'] }]);
  const c = pod.spec.containers[0];
  assert.deepEqual(c.ports, [{ containerPort: 53, hostPort: 5353, protocol: 'UDP' }, { containerPort: 54, hostPort: 5354, protocol: 'UDP' }]);
  // A user name is not a uid: Kubernetes cannot say it, so it is left out.
  assert.deepEqual(c.securityContext, { privileged: true, readOnlyRootFilesystem: true });
  assert.deepEqual(c.volumeMounts, [
    { mountPath: '/data', name: 'srv-my-data-host-0', readOnly: true },
    { mountPath: '/cache', name: 'c-anon-1' },
    { mountPath: '/scratch', name: 'c-tmpfs-2' },
  ]);
  assert.deepEqual(pod.spec.volumes, [
    { name: 'srv-my-data-host-0', hostPath: { path: '/srv/My_Data' } },
    { name: 'c-anon-1', emptyDir: {} },
    { name: 'c-tmpfs-2', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
  ]);
});
