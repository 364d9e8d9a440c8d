/**
 * @module seccomp/resolve
 * Turns a Docker-format profile into the OCI `linux.seccomp` object for one container. The
 * conditions are resolved here, not by the runtime, so capabilities must be final first:
 * a rule is kept only if its `includes` all hold and none of its `excludes` do.
 */
import { invalidArgument } from '../../errdefs.js';
import type { Seccomp, SeccompSyscall } from '../spec-types.js';
import type { DockerSeccompFilter, DockerSeccompProfile, DockerSeccompRule } from './profile-types.js';

/** Go architecture name → libseccomp's. */
const SCMP_ARCH: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64',
  '386': 'SCMP_ARCH_X86',
  arm64: 'SCMP_ARCH_AARCH64',
  arm: 'SCMP_ARCH_ARM',
  mips64: 'SCMP_ARCH_MIPS64',
  mips64n32: 'SCMP_ARCH_MIPS64N32',
  mipsle64: 'SCMP_ARCH_MIPSEL64',
  mips64le: 'SCMP_ARCH_MIPSEL64',
  mipsle64n32: 'SCMP_ARCH_MIPSEL64N32',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  s390x: 'SCMP_ARCH_S390X',
  riscv64: 'SCMP_ARCH_RISCV64',
};

/** The errno names profiles use; numbers are the Linux generic ones. */
const ERRNO: Record<string, number> = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENOSPC: 28,
  ERANGE: 34,
  ENOSYS: 38,
  EOPNOTSUPP: 95,
};

export interface SeccompResolveOptions {
  /** Kernel release for `minKernel` conditions; unknown counts as new enough. */
  kernel?: string;
}

function errnoNumber(name: string | undefined, num: number | undefined): number | undefined {
  if (num !== undefined) return num;
  if (name === undefined) return undefined;
  const n = ERRNO[name];
  if (n === undefined) throw invalidArgument(`seccomp profile: unknown errno ${name}`);
  return n;
}

function kernelAtLeast(kernel: string | undefined, min: string): boolean {
  if (!kernel) return true;
  const parse = (v: string) => v.split(/[.-]/).slice(0, 2).map((x) => Number.parseInt(x, 10) || 0);
  const [a = 0, b = 0] = parse(kernel);
  const [c = 0, d = 0] = parse(min);
  return a > c || (a === c && b >= d);
}

function holds(f: DockerSeccompFilter, caps: Set<string>, arch: string, kernel: string | undefined): {
  caps: boolean;
  arches: boolean;
  kernel: boolean;
} {
  return {
    caps: (f.caps ?? []).some((c) => caps.has(c)),
    arches: (f.arches ?? []).includes(arch),
    kernel: f.minKernel !== undefined && kernelAtLeast(kernel, f.minKernel),
  };
}

function applies(rule: DockerSeccompRule, caps: Set<string>, arch: string, kernel: string | undefined): boolean {
  const inc = rule.includes;
  if (inc) {
    if (inc.caps?.length && !inc.caps.every((c) => caps.has(c))) return false;
    if (inc.arches?.length && !inc.arches.includes(arch)) return false;
    if (inc.minKernel !== undefined && !kernelAtLeast(kernel, inc.minKernel)) return false;
  }
  if (rule.excludes) {
    const h = holds(rule.excludes, caps, arch, kernel);
    if (h.caps || h.arches || h.kernel) return false;
  }
  return true;
}

function architectures(profile: DockerSeccompProfile, arch: string): string[] | undefined {
  if (profile.archMap?.length) {
    const native = SCMP_ARCH[arch];
    const entry = profile.archMap.find((m) => m.architecture === native);
    if (!entry) return undefined;
    return [entry.architecture, ...(entry.subArchitectures ?? [])];
  }
  return profile.architectures?.length ? [...profile.architectures] : undefined;
}

/**
 * The OCI seccomp object for a container with these final capabilities (bounding set) on
 * `arch` (Go name: amd64, arm64, ...).
 */
export function seccompFor(
  profile: DockerSeccompProfile,
  capabilities: string[],
  arch: string,
  opts: SeccompResolveOptions = {},
): Seccomp {
  const caps = new Set(capabilities);
  const syscalls: SeccompSyscall[] = [];
  for (const rule of profile.syscalls ?? []) {
    const names = rule.names?.length ? rule.names : rule.name ? [rule.name] : [];
    if (names.length === 0 || !applies(rule, caps, arch, opts.kernel)) continue;
    const out: SeccompSyscall = { names: [...names], action: rule.action };
    const errnoRet = errnoNumber(rule.errno, rule.errnoRet);
    if (errnoRet !== undefined) out.errnoRet = errnoRet;
    if (rule.args?.length) out.args = rule.args.map((a) => ({ ...a }));
    syscalls.push(out);
  }
  const seccomp: Seccomp = { defaultAction: profile.defaultAction };
  const defErrno = errnoNumber(profile.defaultErrno, profile.defaultErrnoRet);
  if (defErrno !== undefined) seccomp.defaultErrnoRet = defErrno;
  const archs = architectures(profile, arch);
  if (archs) seccomp.architectures = archs;
  if (profile.flags?.length) seccomp.flags = [...profile.flags];
  seccomp.syscalls = syscalls;
  return seccomp;
}

/** Checks the shape of a user-supplied profile before it reaches the resolver. */
export function parseSeccompProfile(doc: unknown, source = 'seccomp profile'): DockerSeccompProfile {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw invalidArgument(`${source}: not a JSON object`);
  const p = doc as Record<string, unknown>;
  if (typeof p.defaultAction !== 'string' || !p.defaultAction.startsWith('SCMP_ACT_')) {
    throw invalidArgument(`${source}: defaultAction is missing or not an SCMP_ACT_* value`);
  }
  if (p.syscalls !== undefined && p.syscalls !== null && !Array.isArray(p.syscalls)) {
    throw invalidArgument(`${source}: syscalls must be an array`);
  }
  for (const [i, r] of ((p.syscalls as unknown[] | null | undefined) ?? []).entries()) {
    if (r === null || typeof r !== 'object') throw invalidArgument(`${source}: syscalls[${i}] is not an object`);
    const rule = r as Record<string, unknown>;
    if (typeof rule.action !== 'string') throw invalidArgument(`${source}: syscalls[${i}] has no action`);
    if (rule.names !== undefined && !Array.isArray(rule.names)) throw invalidArgument(`${source}: syscalls[${i}].names must be an array`);
  }
  return doc as DockerSeccompProfile;
}
