/**
 * @module host-facts
 * What spec generation needs to know about the host. Read by the engine
 * (src/engine/containers/spec/host-facts.ts) so that generation itself stays pure.
 */

export interface HostRlimit {
  soft: number;
  /** `Infinity` for "unlimited". */
  hard: number;
}

export interface HostDevice {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

export interface HostFacts {
  /** Keyed by OCI rlimit type (`RLIMIT_NOFILE`): the engine's own limits, which a child cannot exceed. */
  rlimits: Record<string, HostRlimit>;
  cgroupVersion: 1 | 2;
  cgroupManager: 'cgroupfs' | 'systemd';
  /**
   * Whether the engine may make cgroups; unset = yes. A user who is not root has none on cgroup
   * v1 (and no delegated v2 tree here): the spec then names no cgroup and sets no limits.
   */
  cgroups?: boolean;
  /** The engine's own user namespace's gid map when it is not the host's (rootless). */
  ownGidMap?: { containerID: number; hostID: number; size: number }[];
  /** Character and block devices under /dev, for --privileged and --device. */
  devices: HostDevice[];
  seccomp: boolean;
  apparmor: boolean;
  /** The engine's oom_score_adj: a child may only raise it without CAP_SYS_RESOURCE. */
  oomScoreAdj: number;
  canLowerOom: boolean;
  /** Go architecture name (amd64, arm64, ...), as seccomp profiles spell it. */
  arch: string;
  /**
   * The engine's own bounding set (CapBnd): a container can never hold more. Unset = every
   * capability up to lastCap.
   */
  boundingCaps?: string[];
  /** /proc/sys/kernel/cap_last_cap: capabilities above it are unknown to this kernel. */
  lastCap: number;
  /** Kernel release ("6.1.0-13-amd64"), for seccomp `minKernel` rules. */
  kernel: string;
  /** The host's own hostname, which a container on the host network shows by default. */
  hostname: string;
}
