/**
 * Reading a k8s-file log by the chunk, never the whole file: forwards from an offset (what is
 * there now, then what conmon appends), and backwards from the end for `--tail`. Reads go
 * through one open descriptor, so a rotation (conmon writes `<log>.tmp` and renames it over
 * the log) never loses the old file's last lines: they are drained before switching.
 */
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

export const CHUNK = 64 * 1024;
/**
 * conmon writes at most its 8 KiB read buffer per line, so a longer line is not its output
 * (a torn or foreign file): it is dropped rather than held without bound.
 */
export const MAX_LINE = 1024 * 1024;
const EMPTY = Buffer.alloc(0);
const NL = 0x0a;

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'ENOENT';
}

export class LogCursor {
  private fh: FileHandle | undefined;
  private ino = -1;
  private rest: Buffer = EMPTY;
  private readonly buf = Buffer.allocUnsafe(CHUNK);
  offset = 0;

  constructor(readonly path: string) {}

  /** Opens the file as it is now; false when there is none (yet). */
  async open(): Promise<boolean> {
    if (this.fh) return true;
    try {
      this.fh = await open(this.path, 'r');
    } catch (e) {
      if (isMissing(e)) return false;
      throw e;
    }
    this.ino = (await this.fh.stat()).ino;
    this.offset = 0;
    this.rest = EMPTY;
    return true;
  }

  /** The open file's size (0 when there is none). */
  async size(): Promise<number> {
    return this.fh ? (await this.fh.stat()).size : 0;
  }

  seek(offset: number): void {
    this.offset = offset;
    this.rest = EMPTY;
  }

  /**
   * The complete lines from the cursor to the current end of the open file, one batch per
   * chunk read. A last line without its newline stays behind until conmon finishes it.
   */
  async *batches(): AsyncGenerator<string[]> {
    if (!(await this.open())) return;
    for (;;) {
      const { bytesRead } = await this.fh!.read(this.buf, 0, CHUNK, this.offset);
      if (!bytesRead) return;
      this.offset += bytesRead;
      const data = this.rest.length ? Buffer.concat([this.rest, this.buf.subarray(0, bytesRead)]) : this.buf.subarray(0, bytesRead);
      const lines: string[] = [];
      let from = 0;
      for (let nl = data.indexOf(NL, from); nl >= 0; nl = data.indexOf(NL, from)) {
        if (nl - from <= MAX_LINE) lines.push(data.toString('utf8', from, nl));
        from = nl + 1;
      }
      // Copied: `buf` is read into again.
      this.rest = from < data.length && data.length - from <= MAX_LINE ? Buffer.from(data.subarray(from)) : EMPTY;
      if (lines.length) yield lines;
    }
  }

  /**
   * Whether the path now names another file (conmon rotated it) or the file shrank below the
   * cursor (truncated in place). For a new file, the caller drains `batches()` first: the old
   * file is complete once renamed over, as conmon closed it before.
   */
  async replaced(): Promise<'no' | 'renamed' | 'truncated'> {
    let st;
    try {
      st = await stat(this.path);
    } catch (e) {
      if (isMissing(e)) return 'no';
      throw e;
    }
    // Not open yet: the next `batches()` opens whatever is there, from its start.
    if (!this.fh) return 'no';
    if (st.ino !== this.ino) return 'renamed';
    return st.size < this.offset ? 'truncated' : 'no';
  }

  /** Moves to the file the path names now, from its start. */
  async reopen(): Promise<void> {
    await this.close();
    await this.open();
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close();
  }

  /**
   * The lines before `end`, last first, each with the offset where it starts; the piece after
   * the last newline (a line being written) is skipped.
   */
  async *backwards(end: number): AsyncGenerator<{ line: string; offset: number }> {
    if (!(await this.open())) return;
    let pos = end;
    let carry: Buffer = EMPTY;
    let trailing = true;
    while (pos > 0) {
      const n = Math.min(CHUNK, pos);
      pos -= n;
      await this.fh!.read(this.buf, 0, n, pos);
      const data = carry.length ? Buffer.concat([this.buf.subarray(0, n), carry]) : this.buf.subarray(0, n);
      let stop = data.length;
      for (let nl = data.lastIndexOf(NL, stop - 1); nl >= 0; nl = stop > 0 ? data.lastIndexOf(NL, stop - 1) : -1) {
        if (trailing) trailing = false;
        else if (stop - nl - 1 <= MAX_LINE) yield { line: data.toString('utf8', nl + 1, stop), offset: pos + nl + 1 };
        stop = nl;
      }
      carry = stop <= MAX_LINE ? Buffer.from(data.subarray(0, stop)) : EMPTY;
    }
    if (!trailing && carry.length) yield { line: carry.toString('utf8'), offset: 0 };
  }
}
