/**
 * @module archive/tar-pack
 * A promise-shaped tar writer over tar-stream, with the fixed owner/mode/mtime podman uses
 * so that saving the same images twice gives the same bytes.
 */
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';

const EPOCH = new Date(0);

export class TarWriter {
  private readonly pack = tar.pack();
  private readonly done: Promise<unknown>;

  constructor(out: Writable) {
    // Held as a value so a failure is reported by finish()/abort(), never as an unhandled rejection.
    this.done = pipeline(this.pack, out).then(
      () => undefined,
      (e: unknown) => e ?? new Error('tar output failed'),
    );
  }

  addBytes(name: string, data: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pack.entry(this.header(name, 'file', data.length), data, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** `size` goes into the header before any byte is read; a stream of another length fails. */
  addStream(name: string, size: number, src: Readable): Promise<void> {
    return new Promise((resolve, reject) => {
      const sink = this.pack.entry(this.header(name, 'file', size), (err) => (err ? reject(err) : resolve()));
      pipeline(src, sink).catch((e: unknown) => {
        src.destroy();
        reject(e instanceof Error ? e : new Error(String(e)));
      });
    });
  }

  addSymlink(name: string, target: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pack.entry({ ...this.header(name, 'symlink', 0), linkname: target, mode: 0o777 }, (err) =>
        err ? reject(err) : resolve(),
      );
    });
  }

  addDirectory(name: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pack.entry({ ...this.header(name, 'directory', 0), mode: 0o755 }, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Writes the archive's closing entries, then ends it; if they fail, the output is left truncated. */
  async finishWith(closing: () => Promise<void>): Promise<void> {
    try {
      await closing();
    } catch (e) {
      await this.abort();
      throw e;
    }
    await this.finish();
  }

  async finish(): Promise<void> {
    this.pack.finalize();
    const err = await this.done;
    if (err !== undefined) throw err;
  }

  /** Stops writing after a failure; the output is left truncated, which readers will reject. */
  async abort(): Promise<void> {
    this.pack.destroy();
    await this.done;
  }

  private header(name: string, type: 'file' | 'symlink' | 'directory', size: number): tar.Header {
    return {
      name,
      type,
      size,
      mode: 0o444,
      mtime: EPOCH,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
      linkname: '',
      devmajor: 0,
      devminor: 0,
    };
  }
}
