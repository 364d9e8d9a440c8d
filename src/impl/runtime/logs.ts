/**
 * Reading a container's k8s-file log (see core/oci-runtime/k8s-log.ts for the format): the
 * whole history with since/until/tail, then, when following, what conmon appends. conmon
 * rotates by writing `<log>.tmp` and renaming it over the log, so a new inode or a shorter file
 * means "start again from the top".
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { LogAssembler, inWindow, parseLogLine } from '../../core/oci-runtime/k8s-log.js';
import type { LogFilter, LogRecord } from '../../core/oci-runtime/k8s-log.js';

export interface ReadLogsOptions extends LogFilter {
  /** Only the last N records (of those in the since/until window). */
  tail?: number;
  follow?: boolean;
  /** While following: polled after each idle wait; false ends the stream (after a last read). */
  isRunning?: () => Promise<boolean>;
  signal?: AbortSignal;
  /** Idle poll interval while following. */
  pollMs?: number;
}

class LogFile {
  private offset = 0;
  private ino = -1;
  private rest = '';

  constructor(private readonly path: string) {}

  /** Complete lines appended since the last call. */
  async readLines(): Promise<string[]> {
    let st;
    try {
      st = await stat(this.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    if (st.ino !== this.ino || st.size < this.offset) {
      this.ino = st.ino;
      this.offset = 0;
      this.rest = '';
    }
    if (st.size === this.offset) return [];
    const fh = await open(this.path, 'r');
    try {
      const buf = Buffer.alloc(st.size - this.offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
      this.offset += bytesRead;
      const text = this.rest + buf.toString('utf8', 0, bytesRead);
      const lines = text.split('\n');
      // The last piece has no newline yet: conmon is mid-write.
      this.rest = lines.pop() ?? '';
      return lines;
    } finally {
      await fh.close();
    }
  }
}

function* records(lines: string[], asm: LogAssembler, f: LogFilter): Generator<LogRecord> {
  for (const l of lines) {
    const parsed = parseLogLine(l);
    const r = parsed && asm.push(parsed);
    if (r && inWindow(r, f)) yield r;
  }
}

export async function* readLogs(path: string, opts: ReadLogsOptions = {}): AsyncGenerator<LogRecord> {
  const file = new LogFile(path);
  const asm = new LogAssembler();
  const first = [...records(await file.readLines(), asm, opts)];
  // Without follow, a line the container never finished is as final as it gets.
  if (!opts.follow) first.push(...asm.flush().filter((r) => inWindow(r, opts)));
  yield* opts.tail !== undefined ? (opts.tail > 0 ? first.slice(-opts.tail) : []) : first;
  if (!opts.follow) return;
  let wake: (() => void) | null = null;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(path, () => wake?.());
  } catch {
    // no inotify for this file: polling alone will do
  }
  const onAbort = () => wake?.();
  opts.signal?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      if (opts.signal?.aborted) return;
      if (opts.until && Date.now() > opts.until.getTime()) return;
      const lines = await file.readLines();
      if (lines.length) {
        yield* records(lines, asm, opts);
        continue;
      }
      if (opts.isRunning && !(await opts.isRunning())) {
        // The process is gone: whatever conmon flushed before the exit file is final.
        yield* records(await file.readLines(), asm, opts);
        for (const r of asm.flush()) if (inWindow(r, opts)) yield r;
        return;
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, opts.pollMs ?? 250);
        wake = () => (clearTimeout(t), r());
      });
      wake = null;
    }
  } finally {
    watcher?.close();
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
