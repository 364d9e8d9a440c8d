/**
 * Rootless mode's entry: a user who is not root runs skiff inside their own user + mount
 * namespace, held by a pause process (impl/userns/pause.ts) and joined by re-executing skiff
 * through util-linux's nsenter (a process joining a user namespace must be single-threaded,
 * which Node never is).
 */
import { lstatSync, mkdirSync } from 'node:fs';
import { failedPrecondition } from '../../core/errdefs.js';
import { rootlessPaths } from '../config/load.js';
import { subordinateRanges } from '../../impl/userns/subids.js';
import { ensurePause } from '../../impl/userns/pause.js';
import { inUserNamespace, userName } from '../../sys/linux/rootless-uid.js';

/**
 * For a user who is not root, outside their namespace: the command prefix that runs a program
 * inside it (starting the pause process when none lives). Undefined for root and for a process
 * already inside (conmon's exit command, the timer process).
 */
export async function userNamespaceEntry(cwd = process.cwd()): Promise<string[] | undefined> {
  const uid = process.getuid?.() ?? 0;
  if (uid === 0) return undefined;
  const paths = rootlessPaths()!;
  privateDir(paths.runroot, uid);
  const ranges = subordinateRanges(uid, process.getgid?.() ?? uid, userName(uid));
  const pid = await ensurePause({ pauseFile: paths.pauseFile, uid, subuid: ranges.uid, subgid: ranges.gid });
  return ['nsenter', '--user', '--mount', '--preserve-credentials', `--target=${pid}`, `--wd=${cwd}`, '--'];
}

/** Whether this process runs inside the user namespace of a rootless user (skiff re-executed there). */
export function insideUserNamespace(): boolean {
  return (process.getuid?.() ?? 0) === 0 && inUserNamespace();
}

/**
 * The run dir holds the pause pid that every command joins: it must be the user's own, never a
 * directory another user made first in /tmp (whose pid file would lead us into their namespace).
 */
function privateDir(dir: string, uid: number): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) {
    throw failedPrecondition(`run directory ${dir} must be a directory of uid ${uid} with mode 0700 (it is not): remove it or set XDG_RUNTIME_DIR`);
  }
}
