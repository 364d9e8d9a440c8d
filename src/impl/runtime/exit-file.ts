/**
 * conmon's record of how a container ended: `<exitDir>/<id>` and `<persistDir>/exit` hold the
 * status as decimal text (128+N after signal N, -1 if unknown), `<persistDir>/oom` exists
 * after an OOM kill. The exit file's mtime is the exit time.
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readFile, stat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../../core/errdefs.js';
import type { ExitInfo, ExitPaths } from '../../core/oci-runtime/runtime.js';

async function readStatus(path: string): Promise<{ code: number; at: Date } | undefined> {
  try {
    const [text, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    const code = Number.parseInt(text.trim(), 10);
    // An empty file is conmon mid-write: not exited yet as far as we can tell.
    if (Number.isNaN(code)) return undefined;
    return { code, at: st.mtime };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export async function readExitFile(id: string, paths: ExitPaths): Promise<ExitInfo | undefined> {
  const s = (await readStatus(join(paths.exitDir, id))) ?? (await readStatus(join(paths.persistDir, 'exit')));
  if (!s) return undefined;
  return { code: s.code, exitedAt: s.at, oomKilled: await exists(join(paths.persistDir, 'oom')) };
}

/** Before a (re)start: a stale status must not be read as this run's. */
export async function clearExitFiles(id: string, paths: ExitPaths): Promise<void> {
  await Promise.all([
    rm(join(paths.exitDir, id), { force: true }),
    rm(join(paths.persistDir, 'exit'), { force: true }),
    rm(join(paths.persistDir, 'oom'), { force: true }),
  ]);
}

/**
 * Waits for the exit status: inotify on the exit dir wakes us early, a slow poll covers file
 * systems without it and checks that the monitor is still there to write the file.
 */
export async function waitForExit(
  id: string,
  paths: ExitPaths,
  opts: { signal?: AbortSignal; monitorAlive: () => Promise<boolean>; pollMs?: number },
): Promise<ExitInfo> {
  let wake: (() => void) | null = null;
  // An event that arrives while we read (wake unset) must not be lost, or we sleep a whole poll
  // and an exit command that removes the file meanwhile (--rm) leaves us with nothing.
  let fired = false;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(paths.exitDir, (_event, name) => {
      if (name !== null && name !== id) return;
      fired = true;
      wake?.();
    });
  } catch {
    // polling alone will do
  }
  const onAbort = () => wake?.();
  opts.signal?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      if (opts.signal?.aborted) throw new EngineError('Canceled', `waiting for ${id} was canceled`);
      fired = false;
      const info = await readExitFile(id, paths);
      if (info) return info;
      if (!(await opts.monitorAlive())) {
        // The monitor writes the file before it exits: read once more to close the race.
        const last = await readExitFile(id, paths);
        if (last) return last;
        throw new EngineError('Unavailable', `the monitor of ${id} exited without recording an exit status`);
      }
      if (fired) continue;
      await new Promise<void>((r) => {
        const t = setTimeout(r, opts.pollMs ?? 1000);
        wake = () => (clearTimeout(t), r());
      });
      wake = null;
    }
  } finally {
    watcher?.close();
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
