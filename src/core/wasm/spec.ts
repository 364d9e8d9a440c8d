/**
 * @module wasm/spec
 * Turns a container's OCI spec into one whose process is a WASI preview 1 host running the
 * module: Node's `node:wasi`, Node being bound read-only into the container with its loader and
 * libraries. Everything else in the spec (namespaces, cgroup limits, mounts, user, seccomp)
 * stays as for any container, so the module is isolated and limited as a native process is.
 *
 * The files go below /dev (runc's tmpfs): nothing is written into the container's layer, so
 * `diff`, `commit` and `export` do not see them.
 */
import { basename } from 'node:path/posix';
import type { Spec } from '../runtime/spec-types.js';

/** Host files the WASI host needs, found once per process (see impl/wasm/node-host.ts). */
export interface WasmHost {
  /** The Node binary. */
  node: string;
  /** Its ELF interpreter (ld-linux), absent for a static binary. */
  loader?: string;
  /** The shared libraries it loads (ldd's list, without the loader). */
  libraries: string[];
  /** The launcher script (impl/wasm/launcher-source.ts). */
  launcher: string;
}

export const WASM_HOST_DIR = '/dev/.skiff-wasm';

/**
 * The spec with its process run as a WASM module. The first argument is the module's path in the
 * container; it and the rest are the module's argv. `preopens` are container paths offered to
 * the module as directories besides `/` (volumes and binds, the working directory); the launcher
 * skips those that are not directories.
 */
export function wasmSpec(spec: Spec, host: WasmHost, preopens: readonly string[]): Spec {
  const inCtr = (p: string) => `${WASM_HOST_DIR}/${basename(p)}`;
  const files = [host.node, ...(host.loader ? [host.loader] : []), ...host.libraries, host.launcher];
  const binds = files.map((f) => ({ destination: inCtr(f), type: 'bind', source: f, options: ['rbind', 'ro', 'nosuid', 'nodev'] }));
  const dirs = [...new Set(['/', spec.process.cwd, ...preopens].filter((d) => d.startsWith('/')))];
  // ld.so run as the program: the libraries come from our directory, never from the image's own.
  const node = host.loader ? [inCtr(host.loader), '--library-path', WASM_HOST_DIR, inCtr(host.node)] : [inCtr(host.node)];
  const args = [...node, '--no-warnings', inCtr(host.launcher), JSON.stringify(dirs), ...spec.process.args];
  return {
    ...spec,
    process: { ...spec.process, args },
    mounts: [...spec.mounts, ...binds],
  };
}

/** Container paths of the mounts a user asked for (volumes, binds, tmpfs): the module's preopens. */
export function userMountPaths(mounts: readonly { destination: string }[] | undefined): string[] {
  return (mounts ?? []).map((m) => m.destination);
}
