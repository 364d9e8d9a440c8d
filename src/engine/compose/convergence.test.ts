import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadedProject, ServiceConfig } from '../../core/compose/types.js';
import { serviceHash } from './config-hash.js';
import { startOrder } from './order.js';
import { serviceCreateInput } from './service-input.js';

const svc = (deps: string[] = []): ServiceConfig => ({
  image: 'busybox',
  depends_on: Object.fromEntries(deps.map((d) => [d, { condition: 'service_started' as const, required: true }])),
});

test('startOrder puts every service after what it depends on', () => {
  assert.deepEqual(startOrder({ web: svc(['db', 'cache']), db: svc(), cache: svc(['db']), worker: svc(['web']) }), ['db', 'cache', 'web', 'worker']);
});

test('startOrder refuses a dependency cycle, naming it', () => {
  assert.throws(() => startOrder({ a: svc(['b']), b: svc(['a']) }), /dependency cycle detected: a -> b -> a/);
});

test('serviceHash ignores replicas and depends_on but not the environment', () => {
  const base: ServiceConfig = { image: 'busybox', environment: { A: '1' }, deploy: { replicas: 1, resources: {} } };
  const h = serviceHash(base);
  assert.equal(serviceHash({ ...base, deploy: { replicas: 3, resources: {} } }), h);
  assert.equal(serviceHash({ ...base, depends_on: { db: { condition: 'service_started', required: true } } }), h);
  assert.equal(serviceHash({ environment: { A: '1' }, image: 'busybox', deploy: { resources: {}, replicas: 2 } }), h, 'key order');
  assert.notEqual(serviceHash({ ...base, environment: { A: '2' } }), h);
});

test('serviceCreateInput gives Compose labels, the service name as alias, binds and named volumes by engine name', () => {
  const loaded = {
    project: {
      name: 'demo',
      services: {
        db: {
          image: 'busybox',
          environment: { A: '1', UNSET: null },
          networks: { back: { aliases: ['database'] }, default: null },
          volumes: [
            { type: 'volume', source: 'data', target: '/data' },
            { type: 'bind', source: '/srv/site', target: '/site', read_only: true },
          ],
          ports: [{ mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' }],
          restart: 'unless-stopped',
          extra_hosts: ['h1:1.2.3.4', 'h2=5.6.7.8'],
          ulimits: { nofile: { soft: 100, hard: 200 }, nproc: 50 },
          mem_limit: '64m',
          logging: { driver: 'json-file', options: { 'max-size': '1m' } },
          healthcheck: { test: ['CMD', 'true'], interval: '1s', retries: 3 },
        },
      },
      networks: { back: { name: 'demo_back' }, default: { name: 'demo_default' } },
      volumes: { data: { name: 'demo_data' } },
    },
    workingDir: '/srv',
    files: ['/srv/compose.yaml'],
    allProfiles: [],
    disabledServices: {},
    environment: {},
    warnings: [],
  } as LoadedProject;
  const input = serviceCreateInput(loaded, { service: 'db', number: 2, hash: 'h' });
  assert.equal(input.name, 'demo-db-2');
  assert.equal(input.network, 'demo_back');
  assert.deepEqual(input.networkOpts?.aliases, ['db', 'database']);
  assert.deepEqual(input.opts.env, ['A=1']);
  assert.deepEqual(input.binds, ['/srv/site:/site:ro']);
  assert.deepEqual(input.mountSpecs, [{ type: 'volume', source: 'demo_data', target: '/data', readOnly: false }]);
  assert.deepEqual(input.networkOpts?.publish, [{ hostIp: '', hostPort: 8080, containerPort: 80, range: 1, protocol: 'tcp' }]);
  assert.equal(input.restart, 'unless-stopped');
  assert.deepEqual(input.netFiles?.addHosts, ['h1:1.2.3.4', 'h2:5.6.7.8']);
  assert.deepEqual(input.opts.ulimits, ['nofile=100:200', 'nproc=50']);
  assert.equal(input.opts.resources?.memory, 64 * 1024 * 1024);
  assert.deepEqual(input.logConfig, { type: 'json-file', config: { 'max-size': '1m' } });
  assert.deepEqual(input.healthcheck, { Test: ['CMD', 'true'], Interval: 1e9, Retries: 3 });
  assert.equal(input.opts.labels?.['com.docker.compose.container-number'], '2');
  assert.equal(input.opts.labels?.['com.docker.compose.project.config_files'], '/srv/compose.yaml');
});
