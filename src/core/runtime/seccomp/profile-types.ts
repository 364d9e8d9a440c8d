/**
 * @module seccomp/profile-types
 * Docker's seccomp profile format (moby profiles/seccomp, also containers-common's seccomp.json):
 * rules carry `includes`/`excludes` conditions that are resolved against the final capability set
 * and architecture before the OCI form is written.
 */
import type { SeccompAction, SeccompOperator } from '../spec-types.js';

export interface DockerSeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: SeccompOperator;
}

export interface DockerSeccompFilter {
  caps?: string[];
  arches?: string[];
  /** "4.8": the rule applies only on kernels at least this new. */
  minKernel?: string;
}

export interface DockerSeccompRule {
  /** Older profiles use a single `name`. */
  name?: string;
  names?: string[];
  action: SeccompAction;
  args?: DockerSeccompArg[] | null;
  errnoRet?: number;
  /** containers-common spells the errno by name ("EPERM") as well as by number. */
  errno?: string;
  comment?: string;
  includes?: DockerSeccompFilter;
  excludes?: DockerSeccompFilter;
}

export interface DockerSeccompArchMap {
  architecture: string;
  subArchitectures: string[] | null;
}

export interface DockerSeccompProfile {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  defaultErrno?: string;
  /** Older profiles: a flat list of SCMP_ARCH_* names. */
  architectures?: string[];
  archMap?: DockerSeccompArchMap[] | null;
  flags?: string[];
  syscalls?: DockerSeccompRule[] | null;
}
