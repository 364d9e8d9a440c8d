import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalBytes, goDurationString } from './units.js';
import { normalizeProject } from './normalize.js';

const ctx = { name: 'proj', workingDir: '/p', lookup: () => undefined, readEnvFile: () => undefined };

test("durations print as Go's time.Duration.String()", () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [1e9, '1s'],
    [90e9, '1m30s'],
    [3600e9, '1h0m0s'],
    [1.5e9, '1.5s'],
    [300e6, '300ms'],
    [2.5e3, '2.5µs'],
    [7, '7ns'],
    [-30e9, '-30s'],
    [3723.25e9, '1h2m3.25s'],
  ];
  for (const [ns, s] of cases) assert.equal(goDurationString(ns), s, String(ns));
});

test("sizes are go-units' RAMInBytes (binary multiples) as a decimal string", () => {
  assert.equal(canonicalBytes('64m', 'shm_size'), '67108864');
  assert.equal(canonicalBytes('1g', 'k'), '1073741824');
  assert.equal(canonicalBytes('512MB', 'k'), '536870912');
  assert.equal(canonicalBytes('1.5k', 'k'), '1536');
  assert.equal(canonicalBytes(1024, 'k'), '1024');
  assert.equal(canonicalBytes('-1', 'k'), '-1');
  assert.throws(() => canonicalBytes('lots', 'mem_limit'), /mem_limit: invalid size: 'lots'/);
});

test('a service in compose-go\'s printed shape: sizes, durations, CPU numbers, devices long form', () => {
  const p = normalizeProject(
    {
      services: {
        s: {
          image: 'i',
          shm_size: '64m',
          mem_limit: '1g',
          memswap_limit: -1,
          cpus: '0.5',
          pids_limit: '100',
          stop_grace_period: '90s',
          healthcheck: { test: 'true', interval: '1m30s', timeout: '500ms', start_period: '0s' },
          devices: ['/dev/fuse', '/dev/sda:/dev/xvda:r'],
          volumes: [{ type: 'tmpfs', target: '/t', tmpfs: { size: '10m' } }],
          deploy: { resources: { limits: { memory: '256M', cpus: '1.5' }, reservations: { memory: '128m' } }, restart_policy: { delay: '5s' } },
        },
      },
    },
    ctx,
  );
  const s = p.services.s!;
  assert.equal(s.shm_size, '67108864');
  assert.equal(s.mem_limit, '1073741824');
  assert.equal(s.memswap_limit, '-1');
  assert.equal(s.cpus, 0.5);
  assert.equal(s.pids_limit, 100);
  assert.equal(s.stop_grace_period, '1m30s');
  assert.deepEqual(s.healthcheck, { test: ['CMD-SHELL', 'true'], interval: '1m30s', timeout: '500ms', start_period: '0s' });
  assert.deepEqual(s.devices, [
    { source: '/dev/fuse', target: '/dev/fuse', permissions: 'rwm' },
    { source: '/dev/sda', target: '/dev/xvda', permissions: 'r' },
  ]);
  assert.equal(s.volumes![0]!.tmpfs!.size, '10485760');
  assert.deepEqual(s.deploy, { resources: { limits: { memory: '268435456', cpus: 1.5 }, reservations: { memory: '134217728' } }, restart_policy: { delay: '5s' } });
  assert.throws(() => normalizeProject({ services: { s: { image: 'i', stop_grace_period: 'soon' } } }, ctx), /stop_grace_period: time: invalid duration "soon"/);
});

test('sysctls in list form become the mapping compose-go prints, values strings', () => {
  const p = normalizeProject({ services: { s: { image: 'i', sysctls: ['net.core.somaxconn=1024', 'net.ipv4.tcp_syncookies=0'] }, t: { image: 'i', sysctls: { 'net.core.somaxconn': 512 } } } }, ctx);
  assert.deepEqual(p.services.s!.sysctls, { 'net.core.somaxconn': '1024', 'net.ipv4.tcp_syncookies': '0' });
  assert.deepEqual(p.services.t!.sysctls, { 'net.core.somaxconn': '512' });
});
