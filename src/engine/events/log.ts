/**
 * @module engine/events/log
 * The engine's event log, as Podman's `file` events backend keeps it: one JSON object per line
 * in `<runroot>/events/events.jsonl`, appended by whichever process acts (the CLI, the API
 * service, conmon's cleanup command), so `events --since` sees what every process did and a
 * follower sees them live (inotify on the directory, a slow poll as a fallback). Past 4 MiB the
 * file is renamed to `events.jsonl.1` (one older generation is kept); followers read the old
 * file to its end through their open descriptor before moving on.
 */
import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EngineEvent, EventInput, EventQuery } from './types.js';
import { matchEvent } from './filter.js';

const MAX_BYTES = 4 * 1024 * 1024;
const POLL_MS = 1000;

function parseLines(text: string): EngineEvent[] {
  const out: EngineEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as EngineEvent);
    } catch {
      // a torn line from a crash mid-append
    }
  }
  return out;
}

function readIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

// drain() reads synchronously to the end before returning, so every follower can share it.
const drainBuffer = Buffer.allocUnsafe(64 * 1024);

/** Appends to and follows one file; see the module comment. */
export class EventLog {
  readonly dir: string;
  readonly path: string;
  /** Followers in this process, woken at once by our own appends. */
  private readonly wakers = new Set<() => void>();

  constructor(dir: string, private readonly maxBytes = MAX_BYTES) {
    this.dir = dir;
    this.path = join(dir, 'events.jsonl');
  }

  /**
   * The run root may not exist yet: made here with `recursive` it would be 0700 like the events
   * dir, and a container with a user namespace could no longer reach its rootfs under it.
   */
  private ensureDir(): void {
    mkdirSync(dirname(this.dir), { recursive: true, mode: 0o711 });
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  /** Records an event; never fails the operation that reports it. */
  emit(input: EventInput): EngineEvent {
    const ms = Date.now();
    const ev: EngineEvent = { ...input, scope: 'local', time: Math.floor(ms / 1000), timeNano: ms * 1e6 };
    try {
      this.ensureDir();
      // One write(2) with O_APPEND per event: lines from several processes do not interleave.
      appendFileSync(this.path, JSON.stringify(ev) + '\n');
      this.rotateIfLarge();
    } catch {
      // an event log that cannot be written (full disk) does not stop a container
    }
    for (const w of this.wakers) w();
    return ev;
  }

  private rotateIfLarge(): void {
    const st = statSync(this.path, { throwIfNoEntry: false });
    if (st && st.size > this.maxBytes) renameSync(this.path, `${this.path}.1`);
  }

  /** Recorded events matching the query, oldest first. */
  read(q: EventQuery = {}): EngineEvent[] {
    return parseLines(readIfExists(`${this.path}.1`) + readIfExists(this.path)).filter((e) => matchEvent(e, q));
  }

  /**
   * Calls `onEvent` for each matching event appended from now on; with `q.since`, recorded
   * events from that instant come first. Stops when the returned function is called or, with
   * `q.until`, once that instant has passed (then `onEnd` runs).
   */
  follow(q: EventQuery, onEvent: (e: EngineEvent) => void, onEnd?: () => void): () => void {
    let fd = -1;
    let ino = -1;
    let offset = 0;
    let rest = '';
    let stopped = false;
    let watcher: FSWatcher | undefined;
    const deliver = (events: EngineEvent[]) => {
      for (const e of events) if (!stopped && matchEvent(e, q)) onEvent(e);
    };
    const open = (fromStart: boolean): boolean => {
      try {
        fd = openSync(this.path, 'r');
      } catch {
        fd = -1;
        return false;
      }
      const st = fstatSync(fd);
      ino = st.ino;
      offset = fromStart ? 0 : st.size;
      rest = '';
      return true;
    };
    const drain = () => {
      const buf = drainBuffer;
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, offset);
        if (n <= 0) break;
        offset += n;
        const text = rest + buf.toString('utf8', 0, n);
        const cut = text.lastIndexOf('\n');
        rest = text.slice(cut + 1);
        deliver(parseLines(text.slice(0, cut + 1)));
      }
    };
    // Every append wakes every follower twice (this process's emit, then inotify), and each
    // event of a burst once more: with 50 `docker run` waiting at once that was thousands of
    // reads per second on the service's loop. One read per follower per turn of the loop.
    let scheduled = false;
    const schedule = () => {
      if (scheduled || stopped) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        wake();
      });
    };
    const wake = () => {
      if (stopped) return;
      try {
        if (fd < 0) {
          // The file appeared after we began: everything in it is new.
          if (open(true)) drain();
        } else {
          drain();
          const now = statSync(this.path, { throwIfNoEntry: false });
          if (now && now.ino !== ino) {
            closeSync(fd);
            fd = -1;
            if (open(true)) drain();
          }
        }
      } catch {
        // read again at the next wake
      }
      if (q.until && Date.now() > q.until.getTime()) stop(true);
    };
    const stop = (ended = false) => {
      if (stopped) return;
      stopped = true;
      this.wakers.delete(schedule);
      watcher?.close();
      clearInterval(timer);
      if (fd >= 0) closeSync(fd);
      if (ended) onEnd?.();
    };
    this.ensureDir();
    if (q.since) {
      deliver(parseLines(readIfExists(`${this.path}.1`)));
      if (open(true)) drain();
    } else {
      open(false);
    }
    this.wakers.add(schedule);
    try {
      watcher = watch(this.dir, schedule);
    } catch {
      // polling alone will do
    }
    const timer = setInterval(schedule, POLL_MS);
    timer.unref();
    if (q.until) wake();
    return () => stop(false);
  }
}
