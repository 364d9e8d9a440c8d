/**
 * The k8s-file log format conmon writes (CRI's): one line per chunk,
 * `<RFC 3339 nano, local offset> <stdout|stderr> <F|P> <text>`. A chunk read without a
 * trailing newline is written as `P` (and conmon adds the newline itself), so a record is
 * zero or more `P` lines of one stream followed by an `F` line.
 */

export type LogStream = 'stdout' | 'stderr';

export interface LogLine {
  /** The timestamp exactly as written (nanoseconds, offset). */
  timestamp: string;
  /** The same instant, at millisecond precision. */
  time: Date;
  stream: LogStream;
  partial: boolean;
  text: string;
}

/** One line of output as the container wrote it, without its newline. */
export interface LogRecord {
  timestamp: string;
  time: Date;
  stream: LogStream;
  text: string;
}

/** undefined for a line that is not in the format (a torn write at the end of a rotated file). */
export function parseLogLine(line: string): LogLine | undefined {
  const a = line.indexOf(' ');
  const b = a < 0 ? -1 : line.indexOf(' ', a + 1);
  const c = b < 0 ? -1 : line.indexOf(' ', b + 1);
  if (c < 0 && !(b > 0 && line.length === b + 2)) return undefined;
  const timestamp = line.slice(0, a);
  const stream = line.slice(a + 1, b);
  const tag = c < 0 ? line.slice(b + 1) : line.slice(b + 1, c);
  if ((stream !== 'stdout' && stream !== 'stderr') || (tag !== 'F' && tag !== 'P')) return undefined;
  const time = new Date(timestamp);
  if (Number.isNaN(time.getTime())) return undefined;
  return { timestamp, time, stream, partial: tag === 'P', text: c < 0 ? '' : line.slice(c + 1) };
}

/**
 * Joins `P` chunks with the `F` line that completes them. Streams are kept apart: a partial
 * stdout chunk can be followed by stderr lines before its end arrives.
 */
export class LogAssembler {
  private pending: Partial<Record<LogStream, LogLine[]>> = {};

  /** The completed record, if this line completes one. */
  push(line: LogLine): LogRecord | undefined {
    const parts = (this.pending[line.stream] ??= []);
    parts.push(line);
    if (line.partial) return undefined;
    this.pending[line.stream] = [];
    const first = parts[0]!;
    return { timestamp: first.timestamp, time: first.time, stream: line.stream, text: parts.map((p) => p.text).join('') };
  }

  /** Records still waiting for their final chunk (the container is mid-line), oldest first. */
  flush(): LogRecord[] {
    const out: LogRecord[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const parts = this.pending[stream];
      if (!parts?.length) continue;
      const first = parts[0]!;
      out.push({ timestamp: first.timestamp, time: first.time, stream, text: parts.map((p) => p.text).join('') });
      this.pending[stream] = [];
    }
    return out.sort((x, y) => x.time.getTime() - y.time.getTime());
  }
}

export interface LogFilter {
  since?: Date;
  until?: Date;
}

export function inWindow(r: LogRecord, f: LogFilter): boolean {
  if (f.since && r.time < f.since) return false;
  if (f.until && r.time > f.until) return false;
  return true;
}
