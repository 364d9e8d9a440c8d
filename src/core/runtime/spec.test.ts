import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSpec, INIT_PATH, MASKED_PATHS, parseIdMap, type GenerateSpecInput } from './spec.js';
import type { HostFacts } from './host-facts.js';
import type { ContainerCreateOptions } from './create-options.js';
import { DEFAULT_CAPABILITIES } from '../config/types.js';
import { ALL_CAPABILITIES } from './capabilities.js';
import { isEngineError } from '../errdefs.js';

const ID = 'a'.repeat(8) + '0123456789abcdef'.repeat(3) + 'b'.repeat(8);

export const HOST: HostFacts = {
  rlimits: { RLIMIT_NOFILE: { soft: 20000, hard: 20000 }, RLIMIT_NPROC: { soft: 96551, hard: 96551 } },
  cgroupVersion: 1,
  cgroupManager: 'cgroupfs',
  devices: [
    { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
    { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o600, uid: 0, gid: 0 },
    { path: '/dev/sda', type: 'b', major: 8, minor: 0, fileMode: 0o660, uid: 0, gid: 6 },
  ],
  seccomp: true,
  apparmor: false,
  oomScoreAdj: 0,
  canLowerOom: false,
  arch: 'amd64',
  lastCap: 40,
  kernel: '6.1.0',
  hostname: 'buildhost',
};

const DEFAULTS = { capabilities: DEFAULT_CAPABILITIES, ulimits: ['nofile=1024:1024', 'nproc=4096:4096'], pidsLimit: 2048, shmSize: '64m' };

function gen(opts: ContainerCreateOptions = {}, extra: Partial<GenerateSpecInput> = {}) {
  return generateSpec({
    image: { Cmd: ['sh'], Env: ['PATH=/usr/bin:/bin'] },
    opts,
    rootfs: '/var/lib/skiff/overlay/x/merged',
    host: HOST,
    containerId: ID,
    defaults: DEFAULTS,
    ...extra,
  });
}

test('default container: Podman rootful defaults', () => {
  const s = gen();
  assert.equal(s.hostname, ID.slice(0, 12));
  assert.deepEqual(s.process.user, { uid: 0, gid: 0, umask: 0o022, additionalGids: [0] });
  assert.deepEqual(s.process.args, ['sh']);
  assert.equal(s.process.cwd, '/');
  assert.equal(s.process.terminal, false);
  assert.ok(s.process.env.includes(`HOSTNAME=${ID.slice(0, 12)}`));
  assert.ok(!s.process.env.some((e) => e.startsWith('TERM=')));
  const caps = s.process.capabilities!;
  assert.deepEqual([...caps.bounding!].sort(), [...DEFAULT_CAPABILITIES].sort());
  assert.equal(caps.bounding!.length, 11);
  assert.deepEqual(caps.effective, caps.bounding);
  assert.deepEqual(caps.permitted, caps.bounding);
  assert.equal(caps.inheritable, undefined);
  assert.equal(caps.ambient, undefined);
  assert.deepEqual(s.process.rlimits, [
    { type: 'RLIMIT_NOFILE', soft: 1024, hard: 1024 },
    { type: 'RLIMIT_NPROC', soft: 4096, hard: 4096 },
  ]);
  assert.equal(s.process.noNewPrivileges, undefined);
  assert.equal(s.process.oomScoreAdj, undefined);
  assert.deepEqual(s.linux.namespaces.map((n) => n.type), ['pid', 'network', 'ipc', 'uts', 'mount']);
  assert.deepEqual(s.linux.sysctl, { 'net.ipv4.ping_group_range': '0 2147483647' });
  assert.deepEqual(s.linux.maskedPaths, MASKED_PATHS);
  assert.ok(s.linux.readonlyPaths!.includes('/proc/sys'));
  assert.deepEqual(s.linux.resources, { devices: [{ allow: false, access: 'rwm' }], pids: { limit: 2048 } });
  assert.equal(s.linux.cgroupsPath, `/skiff_parent/skiff-${ID}`);
  assert.equal(s.linux.devices, undefined);
  assert.equal(s.linux.seccomp?.defaultAction, 'SCMP_ACT_ERRNO');
  assert.deepEqual(s.mounts.map((m) => `${m.destination}:${m.type}`), [
    '/proc:proc', '/dev:tmpfs', '/sys:sysfs', '/dev/pts:devpts', '/dev/mqueue:mqueue', '/dev/shm:tmpfs', '/sys/fs/cgroup:cgroup',
  ]);
  assert.deepEqual(s.mounts.find((m) => m.destination === '/dev/pts')!.options, ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']);
  assert.deepEqual(s.mounts.find((m) => m.destination === '/sys')!.options, ['nosuid', 'noexec', 'nodev', 'ro']);
  assert.ok(s.mounts.find((m) => m.destination === '/dev/shm')!.options!.includes(`size=${64 * 1024 * 1024}`));
  assert.equal(s.annotations!['io.container.manager'], 'skiff');
});

test('run files are bind-mounted; cgroup v2 adds a cgroup namespace', () => {
  const s = gen({}, { files: { hosts: '/run/x/hosts', resolvConf: '/run/x/resolv.conf', hostname: '/run/x/hostname', containerEnv: '/run/x/.containerenv', shm: '/b/shm' }, host: { ...HOST, cgroupVersion: 2 } });
  assert.deepEqual(s.mounts.map((m) => m.destination), [
    '/proc', '/dev', '/sys', '/dev/pts', '/dev/mqueue', '/etc/resolv.conf', '/etc/hosts', '/etc/hostname', '/run/.containerenv', '/dev/shm', '/sys/fs/cgroup',
  ]);
  assert.deepEqual(s.mounts.find((m) => m.destination === '/dev/shm'), { destination: '/dev/shm', type: 'bind', source: '/b/shm', options: ['bind', 'rprivate', 'nosuid', 'noexec', 'nodev'] });
  assert.ok(s.linux.namespaces.some((n) => n.type === 'cgroup'));
  assert.ok(!gen({ cgroupns: 'host' }, { host: { ...HOST, cgroupVersion: 2 } }).linux.namespaces.some((n) => n.type === 'cgroup'));
});

test('cap-add/cap-drop/ALL and the seccomp profile follow the final set', () => {
  const s = gen({ capAdd: ['NET_ADMIN', 'sys_admin'], capDrop: ['CAP_CHOWN'] });
  const b = s.process.capabilities!.bounding!;
  assert.ok(b.includes('CAP_NET_ADMIN') && b.includes('CAP_SYS_ADMIN') && !b.includes('CAP_CHOWN'));
  assert.ok(s.linux.seccomp!.syscalls!.some((r) => r.names.includes('unshare')));
  assert.deepEqual(gen({ capDrop: ['ALL'] }).process.capabilities!.bounding, []);
  assert.equal(gen({ capAdd: ['ALL'] }).process.capabilities!.bounding!.length, ALL_CAPABILITIES.length);
  assert.equal(gen({ capAdd: ['ALL'] }, { host: { ...HOST, lastCap: 37 } }).process.capabilities!.bounding!.length, 38);
  assert.throws(() => gen({ capAdd: ['WINGS'] }), (e) => isEngineError(e, 'InvalidArgument'));
});

test('a non-root user gets only the bounding set, plus explicitly added caps as ambient', () => {
  const s = gen({ user: '1000' });
  assert.deepEqual(s.process.user, { uid: 1000, gid: 0, umask: 0o022, additionalGids: [0] });
  assert.equal(s.process.capabilities!.bounding!.length, 11);
  assert.deepEqual(s.process.capabilities!.effective, []);
  assert.deepEqual(s.process.capabilities!.permitted, []);
  const t = gen({ user: '1000:1000', capAdd: ['NET_BIND_SERVICE'] });
  assert.deepEqual(t.process.capabilities!.ambient, ['CAP_NET_BIND_SERVICE']);
  assert.deepEqual(t.process.capabilities!.effective, ['CAP_NET_BIND_SERVICE']);
});

test('users come from the image passwd/group; unknown names fail', () => {
  const passwd = 'root:x:0:0::/root:/bin/sh\nweb:x:33:33::/var/www:/bin/sh\n';
  const group = 'root:x:0:\nweb:x:33:\nlog:x:4:web\n';
  const s = gen({}, { image: { Cmd: ['sh'], User: 'web' }, passwd, group });
  assert.deepEqual(s.process.user, { uid: 33, gid: 33, umask: 0o022, additionalGids: [33, 4] });
  assert.ok(s.process.env.includes('HOME=/var/www'));
  assert.throws(() => gen({ user: 'ghost' }, { passwd, group }), /unable to find user ghost: no matching entries in passwd file/);
});

test('--privileged: all caps, no seccomp, no masked paths, host devices, rw /sys', () => {
  const s = gen({ privileged: true });
  assert.equal(s.process.capabilities!.bounding!.length, ALL_CAPABILITIES.length);
  assert.equal(s.linux.seccomp, undefined);
  assert.equal(s.linux.maskedPaths, undefined);
  assert.equal(s.linux.readonlyPaths, undefined);
  assert.deepEqual(s.linux.devices!.map((d) => d.path), ['/dev/null', '/dev/fuse', '/dev/sda']);
  assert.deepEqual(s.linux.resources!.devices, [{ allow: true, access: 'rwm' }]);
  assert.ok(s.mounts.find((m) => m.destination === '/sys')!.options!.includes('rw'));
  assert.ok(s.mounts.find((m) => m.destination === '/sys/fs/cgroup')!.options!.includes('rw'));
  // Only what the engine itself holds: here no CAP_SYS_RESOURCE.
  const noRes = ALL_CAPABILITIES.filter((c) => c !== 'CAP_SYS_RESOURCE');
  const warnings: string[] = [];
  assert.deepEqual(gen({ privileged: true }, { host: { ...HOST, boundingCaps: noRes } }).process.capabilities!.bounding, noRes);
  assert.ok(!gen({ capAdd: ['SYS_RESOURCE'] }, { host: { ...HOST, boundingCaps: noRes }, warnings }).process.capabilities!.bounding!.includes('CAP_SYS_RESOURCE'));
  assert.match(warnings.join(), /CAP_SYS_RESOURCE/);
  // An explicit profile still applies under --privileged.
  assert.ok(gen({ privileged: true, security: { seccomp: { defaultAction: 'SCMP_ACT_ALLOW' } } }).linux.seccomp);
});

test('security options', () => {
  const s = gen({ security: { seccomp: 'unconfined', noNewPrivileges: true, apparmor: 'myprofile' } });
  assert.equal(s.linux.seccomp, undefined);
  assert.equal(s.process.noNewPrivileges, true);
  assert.equal(s.process.apparmorProfile, undefined, 'no AppArmor on this host');
  const warnings: string[] = [];
  assert.equal(gen({ security: { apparmor: 'p' } }, { host: { ...HOST, apparmor: true }, warnings }).process.apparmorProfile, 'p');
  assert.equal(gen({}, { host: { ...HOST, seccomp: false } }).linux.seccomp, undefined);
});

test('oom-score-adj: raising works, lowering needs CAP_SYS_RESOURCE', () => {
  assert.equal(gen({ oomScoreAdj: 500 }).process.oomScoreAdj, 500);
  const warnings: string[] = [];
  assert.equal(gen({ oomScoreAdj: -500 }, { warnings }).process.oomScoreAdj, undefined);
  assert.equal(warnings.length, 1);
  assert.equal(gen({ oomScoreAdj: -500 }, { host: { ...HOST, canLowerOom: true } }).process.oomScoreAdj, -500);
});

test('network modes: host shares /sys and the hostname, no ping sysctl; container joins a path', () => {
  const h = gen({ network: { mode: 'host' } });
  assert.ok(!h.linux.namespaces.some((n) => n.type === 'network'));
  assert.equal(h.hostname, 'buildhost');
  assert.equal(h.linux.sysctl, undefined);
  assert.deepEqual(h.mounts.find((m) => m.destination === '/sys'), { destination: '/sys', type: 'bind', source: '/sys', options: ['rprivate', 'nosuid', 'noexec', 'nodev', 'ro', 'rbind'] });
  assert.throws(() => gen({ network: { mode: 'host' }, sysctls: { 'net.ipv4.ip_forward': '1' } }), /shares its net namespace/);
  const c = gen({ network: { mode: 'container', path: '/proc/42/ns/net' } });
  assert.deepEqual(c.linux.namespaces.find((n) => n.type === 'network'), { type: 'network', path: '/proc/42/ns/net' });
  assert.equal(c.linux.sysctl, undefined);
  const b = gen({ network: { mode: 'bridge', path: '/run/netns/x' }, sysctls: { 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1000' } });
  assert.deepEqual(b.linux.sysctl, { 'net.ipv4.ping_group_range': '0 2147483647', 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1000' });
  assert.throws(() => gen({ sysctls: { 'vm.swappiness': '1' } }), /not namespaced/);
});

test('pid/ipc/uts host', () => {
  const s = gen({ pid: 'host', ipc: 'host', uts: 'host' });
  assert.deepEqual(s.linux.namespaces.map((n) => n.type), ['network', 'mount']);
  assert.equal(s.hostname, undefined);
  assert.ok(s.process.env.includes('HOSTNAME=buildhost'));
  assert.equal(s.mounts.find((m) => m.destination === '/dev/shm')!.source, '/dev/shm');
  assert.equal(s.mounts.find((m) => m.destination === '/dev/mqueue')!.type, 'bind');
  assert.throws(() => gen({ uts: 'host', hostname: 'x' }), /UTS namespace/);
  assert.deepEqual(gen({ pid: { path: '/proc/9/ns/pid' } }).linux.namespaces[0], { type: 'pid', path: '/proc/9/ns/pid' });
});

test('user namespace mappings', () => {
  const s = gen({ userns: { mode: 'private', uidMappings: [parseIdMap('0:100000:65536')], gidMappings: [parseIdMap('0:100000:65536')] } });
  assert.ok(s.linux.namespaces.some((n) => n.type === 'user'));
  assert.deepEqual(s.linux.uidMappings, [{ containerID: 0, hostID: 100000, size: 65536 }]);
  // the kernel refuses a ping range beyond the namespace's gids
  assert.deepEqual(s.linux.sysctl, { 'net.ipv4.ping_group_range': '0 65535' });
  const narrow = gen({ userns: { mode: 'private', uidMappings: [parseIdMap('0:100000:1')], gidMappings: [parseIdMap('0:100000:1')] } });
  assert.ok(!narrow.mounts.find((m) => m.destination === '/dev/pts')!.options!.includes('gid=5'));
  assert.throws(() => gen({ user: '1000', userns: { mode: 'private', uidMappings: [parseIdMap('0:100000:1')], gidMappings: [parseIdMap('0:100000:1')] } }), /not mapped/);
  assert.throws(() => parseIdMap('0:1'), /container:host:size/);
});

test('read-only root, tmpfs, binds, init, devices', () => {
  const s = gen({
    readOnly: true,
    tmpfs: ['/run:rw,size=64m,exec'],
    mounts: [
      { type: 'bind', source: '/srv/data', destination: '/data', options: ['ro', 'Z'] },
      { type: 'bind', source: '/srv/share', destination: '/data/share', options: ['rshared'] },
      { type: 'tmpfs', destination: '/cache', options: ['size=1m'] },
    ],
    init: '/usr/bin/catatonit',
    devices: [{ hostPath: '/dev/fuse', containerPath: '/dev/fuse', permissions: 'rwm' }],
  });
  assert.equal(s.root.readonly, true);
  assert.deepEqual(s.process.args, [INIT_PATH, '--', 'sh']);
  const by = (d: string) => s.mounts.find((m) => m.destination === d)!;
  assert.deepEqual(by('/run').options, ['rw', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup', 'size=64m', 'exec']);
  assert.deepEqual(by('/tmp').options, ['rw', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup']);
  assert.deepEqual(by('/data'), { destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'ro', 'rprivate'] });
  assert.deepEqual(by('/data/share').options, ['rbind', 'rshared']);
  assert.deepEqual(by('/cache').options, ['rw', 'rprivate', 'noexec', 'nosuid', 'nodev', 'tmpcopyup', 'size=1m']);
  assert.deepEqual(by(INIT_PATH), { destination: INIT_PATH, type: 'bind', source: '/usr/bin/catatonit', options: ['bind', 'ro', 'rprivate'] });
  assert.ok(s.mounts.indexOf(by('/data')) < s.mounts.indexOf(by('/data/share')));
  assert.equal(s.linux.rootfsPropagation, 'shared');
  assert.deepEqual(s.linux.devices, [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o600, uid: 0, gid: 0 }]);
  assert.deepEqual(s.linux.resources!.devices, [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 10, minor: 229, access: 'rwm' }]);
  assert.throws(() => gen({ devices: [{ hostPath: '/dev/nope', containerPath: '/dev/nope', permissions: 'r' }] }), (e) => isEngineError(e, 'NotFound'));
  assert.throws(() => gen({ mounts: [{ type: 'tmpfs', destination: '/x' }, { type: 'tmpfs', destination: '/x/' }] }), /duplicate mount/);
  // A user mount at a default destination replaces the default.
  assert.equal(gen({ mounts: [{ type: 'bind', source: '/h/shm', destination: '/dev/shm' }] }).mounts.filter((m) => m.destination === '/dev/shm').length, 1);
});

test('resources map to linux.resources as in the brief (v1)', () => {
  const s = gen({
    resources: { memory: 256 * 1024 * 1024, memoryReservation: 128 * 1024 * 1024, cpus: 1.5, cpuShares: 512, cpusetCpus: '0', cpusetMems: '0', pidsLimit: 100, blkioWeight: 300 },
    cgroupParent: 'mygroup',
  });
  assert.deepEqual(s.linux.resources, {
    devices: [{ allow: false, access: 'rwm' }],
    memory: { limit: 268435456, swap: 536870912, reservation: 134217728 },
    cpu: { period: 100000, quota: 150000, shares: 512, cpus: '0', mems: '0' },
    pids: { limit: 100 },
    blockIO: { weight: 300 },
  });
  assert.equal(s.linux.cgroupsPath, `/mygroup/skiff-${ID}`);
  assert.equal(gen({ resources: { memory: 64 << 20, memorySwap: -1 } }).linux.resources!.memory!.swap, -1);
  assert.equal(gen({ resources: { pidsLimit: 0 } }).linux.resources!.pids, undefined);
  assert.throws(() => gen({ resources: { memorySwap: 1 << 30 } }), /set the Memory limit/);
  assert.throws(() => gen({ resources: { memory: 1 << 30, memorySwap: 1 << 29 } }), /larger than memory/);
  assert.throws(() => gen({ resources: { blkioWeight: 5 } }), /blkio/);
  assert.throws(() => gen({ resources: { cpus: 1, cpuQuota: 5000 } }), /Nano CPUs and CPU Quota cannot both be set/);
  assert.equal(gen({}, { host: { ...HOST, cgroupManager: 'systemd' } }).linux.cgroupsPath, `machine.slice:skiff:${ID}`);
});

test('tty, env, workdir, labels, stop signal', () => {
  const s = gen({ tty: true, env: ['A=1'], workdir: '/srv', hostname: 'web', stopSignal: 'SIGINT' }, { image: { Cmd: ['sh'], StopSignal: 'SIGQUIT' } });
  assert.equal(s.process.terminal, true);
  assert.ok(s.process.env.includes('TERM=xterm') && s.process.env.includes('A=1') && s.process.env.includes('HOSTNAME=web'));
  assert.equal(s.process.cwd, '/srv');
  assert.equal(s.hostname, 'web');
  assert.equal(s.annotations!['org.opencontainers.image.stopSignal'], 'SIGINT');
});
