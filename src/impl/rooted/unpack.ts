/** Tar archives into a RootDir: checked whole before the first write, then unpacked in place. */
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalidArgument } from '../../core/errdefs.js';
import { decompressed } from '../layers/decompress.js';
import { TarReader, type TarEntry, type TarSink } from '../layers/tar-reader.js';
import type { RootDir } from './root-dir.js';
import { RootedTarWriter, entryName, type RootedWriterOptions } from './tar-writer.js';

const SUPPORTED = new Set(['file', 'contiguous-file', 'directory', 'symlink', 'link', 'character-device', 'block-device', 'fifo']);

/** Everything `RootedTarWriter` would refuse from an entry's header alone. */
class CheckSink implements TarSink {
  entries = 0;

  constructor(private readonly opts: RootedWriterOptions) {}

  begin(h: TarEntry): void {
    this.entries++;
    const rel = entryName(h.name);
    if (!SUPPORTED.has(h.type)) throw invalidArgument(`archive entry "${h.name}": unsupported entry type ${JSON.stringify(h.typeflag)}`);
    if (h.size > this.opts.maxEntrySize) {
      throw invalidArgument(`archive entry "${h.name}": size ${h.size} exceeds the limit of ${this.opts.maxEntrySize} bytes`);
    }
    if (rel === '' && h.type !== 'directory') throw invalidArgument(`archive entry "${h.name}": cannot replace the destination directory`);
    if (h.type === 'symlink' && (h.linkname === '' || h.linkname.includes('\0'))) {
      throw invalidArgument(`archive entry "${h.name}": bad symlink target`);
    }
    if (h.type === 'link') {
      const target = entryName(h.linkname);
      if (target === '' || target === rel) throw invalidArgument(`archive entry "${h.name}": bad hard link target "${h.linkname}"`);
    }
  }

  data(): void {}

  end(): void {}
}

async function readTar(input: AsyncIterable<unknown>, sink: TarSink): Promise<void> {
  const reader = new TarReader(sink);
  for await (const chunk of decompressed(input, () => undefined)) reader.write(chunk);
  reader.end();
}

/**
 * Copies `input` to `spool` while checking every header, so that an archive that would be
 * refused is refused before anything of it is written (Docker's PUT archive applies nothing
 * of a bad archive either). The caller unpacks the spool file afterwards and removes it.
 */
export async function spoolChecked(input: Readable, spool: string, opts: RootedWriterOptions): Promise<void> {
  try {
    await pipeline(input, createWriteStream(spool, { mode: 0o600 }));
    await readTar(createReadStream(spool), new CheckSink(opts));
  } catch (e) {
    rmSync(spool, { force: true });
    throw e;
  }
}

/** Unpacks a tar (plain, gzip or zstd) into the directory `destFd` (`destPath` inside `root`). */
export async function unpackInRoot(
  input: AsyncIterable<unknown>,
  root: RootDir,
  destFd: number,
  destPath: string,
  opts: RootedWriterOptions,
): Promise<void> {
  const writer = new RootedTarWriter(root, destFd, destPath, opts);
  try {
    await readTar(input, writer);
  } catch (e) {
    writer.abort();
    throw e;
  }
  writer.finish();
}
