/**
 * The local driver's options as dockerd's (moby volume/local) takes them: `type`, `device` and
 * `o` describe a mount of the volume's `_data` made at first use; `size` asks for a quota, which
 * needs xfs project quotas (skiff has none, as dockerd has none on other filesystems).
 */
import { invalidArgument } from '../../core/errdefs.js';

const VALID = new Set(['type', 'o', 'device', 'size']);

// dockerd's mandatoryOpts, in a fixed order (Go's map order is random; one missing key is named).
const REQUIRES: [string, string][] = [
  ['device', 'type'],
  ['type', 'device'],
  ['o', 'device'],
];

/** Refuses what dockerd refuses at `volume create`, with its messages (400). */
export function validateLocalOptions(name: string, opts: Record<string, string>): void {
  for (const k of Object.keys(opts)) {
    if (!VALID.has(k)) throw invalidArgument(`create ${name}: invalid option: "${k}"`);
  }
  if (Object.hasOwn(opts, 'size')) throw invalidArgument(`create ${name}: quota size requested but no quota support`);
  for (const [key, needs] of REQUIRES) {
    if (Object.hasOwn(opts, key) && !Object.hasOwn(opts, needs)) {
      throw invalidArgument(`create ${name}: missing required option: "${needs}"`);
    }
  }
}

/** What is mounted on the volume's `_data`, or undefined for a plain directory. */
export interface VolumeMountSpec {
  type: string;
  device: string;
  /** The `o` option's words: mount flags (bind, ro, …) and filesystem data (size=10m, addr=…). */
  options: string[];
}

export function volumeMountSpec(opts: Record<string, string>): VolumeMountSpec | undefined {
  if (!opts.type && !opts.device) return undefined;
  return { type: opts.type ?? '', device: opts.device ?? '', options: (opts.o ?? '').split(',').filter(Boolean) };
}

/**
 * Mounts made by a syscall in-process: a tmpfs or a bind touches no device or network, so it
 * cannot stall the API service's event loop. Anything else (nfs, ext4 on a device or an image
 * file, cifs) goes through mount(8) in a child process, which also runs the filesystem's helper
 * (mount.nfs) and sets up a loop device for an image file.
 */
export function mountsInProcess(s: VolumeMountSpec): boolean {
  return s.type === 'tmpfs' || s.options.includes('bind') || s.options.includes('rbind');
}
