/**
 * @module sys/linux/netns
 * A named network namespace made in-process, as `ip netns add NAME` makes it: a fresh namespace
 * bind-mounted at a file under a shared /run/netns, its loopback up (Podman's default). Two
 * `ip` processes per container cost more than the rest of this; the namespace switch is the
 * calling thread's only, and the thread is always put back.
 */
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { CLONE_NEWNET, MNT_DETACH, MS_BIND, MS_REC, MS_SHARED, interfaceUp, mount, setns, umount2, unshare, type SyscallError } from './syscalls.js';

const THREAD_NETNS = '/proc/thread-self/ns/net';

/** /run/netns as iproute2 leaves it: a mount point with shared propagation, so later mount namespaces see the namespaces in it. */
function sharedDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  try {
    mount('', dir, 'none', MS_SHARED | MS_REC, null);
  } catch (e) {
    if ((e as SyscallError).code !== 'EINVAL') throw e;
    // Not a mount point yet.
    mount(dir, dir, 'none', MS_BIND | MS_REC, null);
    mount('', dir, 'none', MS_SHARED | MS_REC, null);
  }
}

/** Makes the namespace at `path` (in `dir`); fails with EEXIST when the name is taken. */
export function makeNetns(dir: string, path: string): void {
  sharedDir(dir);
  closeSync(openSync(path, 'wx', 0o444));
  const home = openSync(THREAD_NETNS, 'r');
  let moved = false;
  try {
    unshare(CLONE_NEWNET);
    moved = true;
    mount(THREAD_NETNS, path, 'none', MS_BIND, null);
    interfaceUp('lo');
  } catch (e) {
    try {
      umount2(path, MNT_DETACH);
    } catch {
      // Not mounted yet.
    }
    rmSync(path, { force: true });
    throw e;
  } finally {
    try {
      if (moved) setns(home, CLONE_NEWNET);
    } catch (e) {
      // A main thread left in the new namespace would make every later socket there.
      process.stderr.write(`fatal: cannot return to the host network namespace: ${(e as Error).message}\n`);
      process.abort();
    } finally {
      closeSync(home);
    }
  }
}

/** `ip netns delete`: the bind mount detached, the file removed. Idempotent. */
export function deleteNetns(path: string): void {
  try {
    umount2(path, MNT_DETACH);
  } catch (e) {
    const code = (e as SyscallError).code;
    if (code !== 'EINVAL' && code !== 'ENOENT') throw e;
  }
  rmSync(path, { force: true });
}
