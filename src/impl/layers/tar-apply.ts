/**
 * Applies one OCI/Docker layer tar to a directory in a single streaming pass, hashing the
 * bytes as received (compressed digest) and the uncompressed tar (diffID) on the way.
 */
import type { Readable } from 'node:stream';
import { extract as tarExtract } from 'tar-stream';
import type { ApplyResult } from '../../core/layers/driver.js';
import { invalidArgument } from '../../core/errdefs.js';
import { decompressed } from './decompress.js';
import { LayerWriter } from './layer-writer.js';
import type { EntryData, WhiteoutFormat } from './layer-writer.js';
import { ParallelSha256 } from './parallel-hash.js';
import { capturePaxRecords } from './pax.js';
import type { TarHeader } from './pax.js';

const GiB = 1024 ** 3;
export const DEFAULT_MAX_ENTRY_SIZE = 64 * GiB;
export const DEFAULT_MAX_TOTAL_SIZE = 512 * GiB;

export interface ApplyTarOptions {
  whiteouts: WhiteoutFormat;
  /** Overlay parents' diff dirs, nearest first (for hard links to lower files). */
  lowerDirs?: readonly string[];
  /** Largest single entry accepted (bytes); default 64 GiB. */
  maxEntrySize?: number;
  /** Largest uncompressed tar accepted (bytes); default 512 GiB. */
  maxTotalSize?: number;
}

export async function applyTar(input: Readable | AsyncIterable<unknown>, root: string, opts: ApplyTarOptions): Promise<ApplyResult> {
  const maxTotal = opts.maxTotalSize ?? DEFAULT_MAX_TOTAL_SIZE;
  const writer = new LayerWriter(root, {
    whiteouts: opts.whiteouts,
    lowerDirs: opts.lowerDirs ?? [],
    maxEntrySize: opts.maxEntrySize ?? DEFAULT_MAX_ENTRY_SIZE,
  });
  const compHash = new ParallelSha256();
  let compSize = 0;
  // Only for compressed input; a plain tar's diffID is its compressed digest.
  const diff: { hash: ParallelSha256 | null } = { hash: null };
  let diffSize = 0;

  const ex = tarExtract();
  const takePax = capturePaxRecords(ex);
  // streamx's typings for write/end/destroy differ from how they behave; this is how they behave.
  const extract = ex as unknown as {
    write(chunk: Buffer): boolean;
    end(): void;
    destroy(err?: unknown): void;
    on(event: string, fn: (...args: never[]) => void): void;
    off(event: string, fn: (...args: never[]) => void): void;
  };
  let failure: unknown = null;
  const fail = (e: unknown) => {
    failure ??= e;
    writer.abort();
    extract.destroy(e);
  };
  extract.on('entry', (header: TarHeader, stream: EntryData, next: (err?: unknown) => void) => {
    const raw = takePax();
    // The entry stream is destroyed with the extractor's error, which is reported once, from there.
    stream.on('error', () => undefined);
    if (failure) return;
    try {
      writer.entry(header, header.pax ? raw : null, stream, (err) => (err ? fail(err) : next()));
    } catch (e) {
      fail(e);
    }
  });
  const closed = new Promise<void>((resolve) => extract.on('close', resolve));
  // Errors we did not raise ourselves come from the tar parser: the input is malformed.
  extract.on('error', (e: unknown) => {
    failure ??= invalidArgument(`layer tar is malformed: ${(e as Error)?.message ?? String(e)}`, e);
  });

  const waitDrain = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        extract.off('drain', done);
        extract.off('close', done);
        resolve();
      };
      extract.on('drain', done);
      extract.on('close', done);
    });

  try {
    const chunks = decompressed(
      input as AsyncIterable<unknown>,
      (c) => {
        compHash.update(c);
        compSize += c.length;
      },
      (format) => {
        if (format !== 'none') diff.hash = new ParallelSha256();
      },
    );
    for await (const chunk of chunks) {
      if (failure) break;
      diff.hash?.update(chunk);
      diffSize += chunk.length;
      if (diffSize > maxTotal) {
        throw invalidArgument(`layer is larger than the limit of ${maxTotal} uncompressed bytes`);
      }
      if (!extract.write(chunk)) await waitDrain();
      if (compHash.behind) await compHash.drained();
      if (diff.hash?.behind) await diff.hash.drained();
    }
    if (!failure) extract.end();
    await closed;
  } catch (e) {
    fail(e);
    await closed;
  }
  if (failure) {
    compHash.dispose();
    diff.hash?.dispose();
    throw failure;
  }
  writer.finish();
  const [compressedDigest, diffId] = await Promise.all([compHash.digest(), diff.hash?.digest()]);
  return {
    diffId: diffId ?? compressedDigest,
    compressedDigest,
    compressedSize: compSize,
    uncompressedSize: diffSize,
  };
}
