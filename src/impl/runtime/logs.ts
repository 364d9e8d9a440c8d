/**
 * Reading a container's k8s-file log (see core/oci-runtime/k8s-log.ts for the format) in
 * bounded memory, whatever its size: since/until stream the file a chunk at a time, `tail N`
 * finds where the last N records begin by reading backwards from the end, and following reads
 * what conmon appends, across its rotations (log_size_max).
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { LogAssembler, inWindow, parseLogLine } from '../../core/oci-runtime/k8s-log.js';
import type { LogFilter, LogRecord, LogStream } from '../../core/oci-runtime/k8s-log.js';
import { LogCursor } from './log-cursor.js';

export interface ReadLogsOptions extends LogFilter {
  /** Only the last N records (of those in the since/until window). */
  tail?: number;
  follow?: boolean;
  /** While following: polled after each idle wait; false ends the stream (after a last read). */
  isRunning?: () => Promise<boolean>;
  signal?: AbortSignal;
  /** Idle poll interval while following. */
  pollMs?: number;
  /** The log of the container's previous run (kept aside at start when its size is capped), read first. */
  previous?: string;
}

/**
 * How far past the Nth record from the end the backward scan looks for the start of a record
 * split into `P` chunks (its first chunk before the cut): one such record is at most a few
 * chunks of 8 KiB, interleaved with the other stream's lines.
 */
const SPLIT_LOOKBACK = 256 * 1024;

/**
 * Where to start reading forwards so that the last `n` records in the window are all read
 * whole. Counts `F` lines (each ends a record) from the end; with `since`, stops at the
 * first older line, as conmon's timestamps only grow. The offset is then moved back over any
 * record whose first chunks lie before it.
 */
async function tailStart(cur: LogCursor, end: number, n: number, f: LogFilter): Promise<{ offset: number; found: number }> {
  let found = 0;
  let start: number | undefined;
  let seen = new Set<LogStream>();
  let past = 0;
  for await (const { line, offset } of cur.backwards(end)) {
    const l = parseLogLine(line);
    if (!l) continue;
    if (start === undefined) {
      if (f.until && l.time > f.until) continue;
      // Everything before is older still: no need to look further, even in an earlier file.
      if (f.since && l.time < f.since) return { offset, found: n };
      if (!l.partial && ++found >= n) start = offset;
      continue;
    }
    past += line.length + 1;
    if (!seen.has(l.stream)) {
      seen.add(l.stream);
      // The nearest earlier line of this stream is a chunk of a record that ends after `start`.
      if (l.partial) {
        start = offset;
        seen = new Set();
        past = 0;
      }
    }
    if (seen.size === 2 || past > SPLIT_LOOKBACK) return { offset: start, found };
  }
  return { offset: start ?? 0, found };
}

function* records(lines: string[], asm: LogAssembler, f: LogFilter): Generator<LogRecord> {
  for (const l of lines) {
    const parsed = parseLogLine(l);
    const r = parsed && asm.push(parsed);
    if (r && inWindow(r, f)) yield r;
  }
}

/** The last `n` records from `cur`'s offset to the end of the file as it is now. */
async function lastRecords(cur: LogCursor, n: number, asm: LogAssembler, f: LogFilter, final: boolean): Promise<LogRecord[]> {
  let kept: LogRecord[] = [];
  const keep = (r: LogRecord) => {
    kept.push(r);
    if (kept.length >= 2 * n) kept = kept.slice(-n);
  };
  for await (const batch of cur.batches()) for (const r of records(batch, asm, f)) keep(r);
  if (final) for (const r of asm.flush()) if (inWindow(r, f)) keep(r);
  return kept.slice(-n);
}

export async function* readLogs(path: string, opts: ReadLogsOptions = {}): AsyncGenerator<LogRecord> {
  const cur = new LogCursor(path);
  const prev = opts.previous ? new LogCursor(opts.previous) : undefined;
  const asm = new LogAssembler();
  try {
    if (opts.tail !== undefined) {
      if (opts.tail > 0) yield* await tailRecords(cur, prev, opts.tail, opts);
      // Nothing read yet; a tail of 0 starts following at the end.
      else if (await cur.open()) cur.seek(await cur.size());
    } else {
      if (prev) {
        for await (const batch of prev.batches()) yield* records(batch, new LogAssembler(), opts);
      }
      for await (const batch of cur.batches()) yield* records(batch, asm, opts);
      // Without follow, a line the container never finished is as final as it gets.
      if (!opts.follow) for (const r of asm.flush()) if (inWindow(r, opts)) yield r;
    }
    if (opts.follow) yield* follow(cur, asm, opts);
  } finally {
    await cur.close();
    await prev?.close();
  }

  /** The last n records of the previous run's file and the current one; `cur` is left at the end it read. */
  async function tailRecords(cur: LogCursor, prev: LogCursor | undefined, n: number, f: LogFilter): Promise<LogRecord[]> {
    let kept: LogRecord[] = [];
    let start = { offset: 0, found: 0 };
    if (await cur.open()) {
      start = await tailStart(cur, await cur.size(), n, f);
      cur.seek(start.offset);
    }
    if (prev && start.found < n && (await prev.open())) {
      const p = await tailStart(prev, await prev.size(), n - start.found, f);
      prev.seek(p.offset);
      kept = await lastRecords(prev, n, new LogAssembler(), f, true);
    }
    const own = await lastRecords(cur, n, asm, f, !opts.follow);
    return [...kept, ...own].slice(-n);
  }
}

async function* follow(cur: LogCursor, asm: LogAssembler, opts: ReadLogsOptions): AsyncGenerator<LogRecord> {
  let wake: (() => void) | null = null;
  let watcher: FSWatcher | undefined;
  const watchFile = () => {
    watcher?.close();
    try {
      // The watch is on the inode: it is renewed when conmon replaces the file.
      watcher = watch(cur.path, () => wake?.());
    } catch {
      watcher = undefined; // no file yet, or no inotify: polling alone will do
    }
  };
  watchFile();
  const onAbort = () => wake?.();
  opts.signal?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      if (opts.signal?.aborted) return;
      if (opts.until && Date.now() > opts.until.getTime()) return;
      let read = false;
      for await (const batch of cur.batches()) {
        read = true;
        yield* records(batch, asm, opts);
      }
      if (read) continue;
      const replaced = await cur.replaced();
      if (replaced !== 'no') {
        if (replaced === 'renamed') {
          // What conmon wrote to the old file between our last read and its rename.
          for await (const batch of cur.batches()) yield* records(batch, asm, opts);
          await cur.reopen();
        }
        else cur.seek(0);
        watchFile();
        continue;
      }
      if (opts.isRunning && !(await opts.isRunning())) {
        // The process is gone: whatever conmon flushed before the exit file is final.
        for await (const batch of cur.batches()) yield* records(batch, asm, opts);
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
