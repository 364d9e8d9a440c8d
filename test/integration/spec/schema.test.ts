// Generated config.json documents for several option sets validate against the OCI runtime-spec
// schemas (test/vendor/oci-runtime), using this host's real facts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSpec } from '../../../src/core/runtime/spec.js';
import type { ContainerCreateOptions } from '../../../src/core/runtime/create-options.js';
import { defaultConfig } from '../../../src/core/config/types.js';
import { readHostFacts } from '../../../src/engine/containers/spec/host-facts.js';
import { validateRuntimeSpec } from '../../helpers/oci-runtime-schema.js';

const host = readHostFacts();
const cfg = defaultConfig().containers;
const defaults = { capabilities: cfg.defaultCapabilities, ulimits: cfg.defaultUlimits, pidsLimit: cfg.pidsLimit, shmSize: cfg.shmSize };
const ID = 'f'.repeat(64);

const CASES: Record<string, ContainerCreateOptions> = {
  default: {},
  tty: { tty: true, stdinOpen: true, env: ['A=1'], workdir: '/tmp', hostname: 'x' },
  privileged: { privileged: true },
  userns: {
    userns: { mode: 'private', uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }] },
  },
  'read-only + tmpfs + binds': {
    readOnly: true,
    tmpfs: ['/scratch:size=64m'],
    mounts: [
      { type: 'bind', source: '/etc', destination: '/hostetc', options: ['ro', 'rslave'] },
      { type: 'tmpfs', destination: '/cache', options: ['mode=1777'] },
    ],
    init: '/usr/bin/catatonit',
    devices: [{ hostPath: '/dev/null', containerPath: '/dev/mynull', permissions: 'rw' }],
  },
  resources: {
    resources: { memory: 256 << 20, memorySwap: -1, memoryReservation: 128 << 20, cpus: 1.5, cpuShares: 512, cpusetCpus: '0', pidsLimit: 100, blkioWeight: 300 },
    ulimits: ['nofile=1048576:1048576', 'core=-1'],
    oomScoreAdj: 100,
  },
  'host namespaces + caps': {
    network: { mode: 'host' },
    pid: 'host',
    ipc: 'host',
    capAdd: ['NET_ADMIN', 'SYS_ADMIN'],
    capDrop: ['CHOWN'],
    security: { noNewPrivileges: true, seccomp: 'unconfined' },
    user: '1000:1000',
  },
  'user seccomp profile': {
    security: {
      seccomp: { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: null }], syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }] },
    },
  },
};

for (const [name, opts] of Object.entries(CASES)) {
  test(`spec validates: ${name}`, () => {
    const spec = generateSpec({
      image: { Cmd: ['sh'], Env: ['PATH=/bin'] },
      opts,
      rootfs: '/tmp/rootfs',
      host,
      containerId: ID,
      defaults,
      files: { hosts: '/run/x/hosts', resolvConf: '/run/x/resolv.conf', hostname: '/run/x/hostname' },
    });
    // Through JSON, as runc will read it.
    validateRuntimeSpec(JSON.parse(JSON.stringify(spec)));
  });
}

test('the validator rejects a broken spec', () => {
  assert.throws(() => validateRuntimeSpec({ ociVersion: '1.0.2', process: { args: ['x'] }, linux: { namespaces: [{ type: 'bogus' }] } }), /invalid OCI runtime spec/);
});
