/**
 * @module config
 * Engine defaults, read from skiff.conf (TOML, in the manner of containers.conf). Later
 * layers add their own tables; unknown keys are kept out of the typed view but do not fail.
 */

import { DEFAULT_REGISTRY_LIMITS, type RegistryLimits } from '../remotes/remotes.js';

export type StorageDriverName = 'overlay' | 'vfs';

export interface SkiffConfig {
  storage: {
    driver: StorageDriverName;
    root: string;
    runroot: string;
    /**
     * Podman's `mount_program`: a FUSE overlay (fuse-overlayfs) mounting the overlay driver's
     * layers where the kernel's overlayfs cannot be mounted (a user namespace before Linux 5.11).
     * Empty: the kernel's, with fuse-overlayfs picked by probe for a user who is not root.
     */
    mountProgram: string;
  };
  engine: {
    /** Name ("runc", "crun") or path; empty picks the first runtime that works on this host. */
    runtime: string;
    runtimes: Record<string, string[]>;
    conmonPath: string[];
    /** registry_idle_timeout, registry_max_blob_size, registry_max_manifest_size */
    registryLimits: RegistryLimits;
  };
  containers: {
    defaultCapabilities: string[];
    defaultUlimits: string[];
    seccompProfile: string;
    pidsLimit: number;
    shmSize: string;
    /** Default max-size of a container's log in bytes (conmon's --log-size-max); negative: unlimited. */
    logSizeMax: number;
  };
  network: {
    defaultNetwork: string;
    /** The default network's subnet; empty: the first free one of defaultSubnetPools. */
    defaultSubnet: string;
    /** The default network's bridge on the host; empty: the first free <interfacePrefix>N from N = 0. */
    defaultInterface: string;
    /** Host-wide claims on bridge names and subnets, shared by every skiff root of the host. */
    hostClaimsDir: string;
    /** netavark's --config (aardvark-dns's files); empty = <runroot>/networks. */
    networkConfigDir: string;
    /** Where `network create` without --subnet takes a subnet from (Podman's default_subnet_pools). */
    defaultSubnetPools: { base: string; size: number }[];
    /** Bridges of new networks are named <prefix>1, <prefix>2, … */
    interfacePrefix: string;
  };
  service: {
    /** Group (name or gid) owning the API's unix socket; empty leaves the service's own group. */
    socketGroup: string;
  };
}

export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_NET_BIND_SERVICE',
  'CAP_SETFCAP',
  'CAP_SETGID',
  'CAP_SETPCAP',
  'CAP_SETUID',
  'CAP_SYS_CHROOT',
];

export function defaultConfig(): SkiffConfig {
  return {
    storage: { driver: 'overlay', root: '/var/lib/skiff', runroot: '/run/skiff', mountProgram: '' },
    engine: {
      runtime: '',
      runtimes: {
        runc: ['/usr/sbin/runc', '/usr/bin/runc', '/usr/local/bin/runc'],
        crun: ['/usr/bin/crun', '/usr/local/bin/crun'],
      },
      conmonPath: ['/usr/bin/conmon', '/usr/libexec/podman/conmon', '/usr/local/bin/conmon'],
      registryLimits: { ...DEFAULT_REGISTRY_LIMITS },
    },
    containers: {
      defaultCapabilities: [...DEFAULT_CAPABILITIES],
      defaultUlimits: ['nofile=1024:1024', 'nproc=4096:4096'],
      seccompProfile: '',
      pidsLimit: 2048,
      shmSize: '64m',
      logSizeMax: -1,
    },
    network: {
      defaultNetwork: 'skiff',
      defaultSubnet: '',
      defaultInterface: '',
      hostClaimsDir: '/var/lib/skiff-networks',
      networkConfigDir: '',
      defaultSubnetPools: [{ base: '10.89.0.0/16', size: 24 }],
      interfacePrefix: 'skiff',
    },
    service: { socketGroup: '' },
  };
}
