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
import { INIT_PATH } from '../runtime/spec.js';

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
  /**
   * An init for PID 1 when the container has none (`--init`): as its namespace's init, Node would
   * ignore SIGTERM (the kernel drops signals whose action is the default), and a module has no
   * signal handlers in WASI preview 1, so `stop` would always wait for SIGKILL.
   */
  init?: string;
}

export const WASM_HOST_DIR = '/dev/.skiff-wasm';

/**
 * Node 20.20's node:wasi corrupts V8's heap when a module grows its memory while the GC marks
 * incrementally or concurrently (measured with a module allocating 1 GiB in 16 MiB steps: it
 * aborted in 6 runs of 6, "Fatal error … unreachable code" in MarkCompactCollector, or exited at
 * once from ~WASI in a GC during start; with both kinds of marking off, 12 of 12 ran through). The
 * module's memory is outside V8's heap, so stop-the-world marking costs it little.
 */
export const WASM_NODE_FLAGS = ['--no-warnings', '--no-incremental-marking', '--no-concurrent-marking'];

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
  // `--init`'s `[INIT_PATH, '--', ...command]` keeps its init in front of Node.
  const given = spec.process.args;
  const [init, command] = given[0] === INIT_PATH && given[1] === '--' ? [given.slice(0, 2), given.slice(2)] : [[], given];
  const args = [...init, ...node, ...WASM_NODE_FLAGS, inCtr(host.launcher), JSON.stringify(dirs), ...command];
  return {
    ...spec,
    process: { ...spec.process, args, env: spec.process.env.map(hideFromNode) },
    mounts: [...spec.mounts, ...binds],
  };
}

/**
 * Variables Node (or libuv, OpenSSL) reads at start-up are the module's, not the host's: a
 * container's `NODE_OPTIONS=--max-old-space-size=1` must not stop Node. They reach the launcher
 * renamed (the launcher renames them back for the module).
 */
export const WASM_ENV_PREFIX = 'SKIFF_WASM_ENV_';
const NODE_READS = /^(NODE_|UV_|OPENSSL_|SSL_CERT_)/;

function hideFromNode(kv: string): string {
  return NODE_READS.test(kv) ? WASM_ENV_PREFIX + kv : kv;
}

/** The options a WASM container starts with: an init, unless it has one, for the reason above. */
export function wasmStartOptions<T extends { init?: string }>(opts: T, host: WasmHost): T {
  return opts.init || !host.init ? opts : { ...opts, init: host.init };
}

/** Container paths of the mounts a user asked for (volumes, binds, tmpfs): the module's preopens. */
export function userMountPaths(mounts: readonly { destination: string }[] | undefined): string[] {
  return (mounts ?? []).map((m) => m.destination);
}
