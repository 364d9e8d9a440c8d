/**
 * @module content
 * A sha256 content-addressed blob store in the OCI image-layout style (`blobs/sha256/<hex>`).
 *
 * Lifecycle of a blob: a writer streams bytes into a private ingest file while hashing them;
 * `commit` checks the size and digest it was promised, fsyncs, and renames the file into
 * `blobs/`. Until that rename nothing is visible to readers, so a reader never sees a blob
 * whose bytes do not match its name. Committing a digest that already exists is a no-op.
 * Blobs are removed only by garbage collection (engine-level mark and sweep over the
 * metadata store's references).
 */
import type { Readable } from 'node:stream';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
  urls?: string[];
}

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

export interface BlobInfo {
  digest: string;
  size: number;
  /** ms since epoch of the blob file's mtime */
  createdAt: number;
}

export interface Expected {
  digest?: string;
  size?: number;
}

export interface ContentWriter {
  /** Bytes already held for this ref (non-zero when an earlier ingest is resumed). */
  readonly offset: number;
  /** Resolves once the chunk is taken (not necessarily on disk yet: see `written`). */
  write(chunk: Buffer): Promise<void>;
  /** Digest of everything written; asked once all is written (no write may follow). */
  digest(): Promise<string>;
  /** Verifies, fsyncs and makes the blob visible; returns its digest and size. */
  commit(expected?: Expected): Promise<{ digest: string; size: number }>;
  /** Drops the ingest file. */
  abort(): Promise<void>;
  /**
   * Lets go of the ingest but keeps what it holds, for a later writer of the same ref to resume
   * (a download cut by the network). A no-op after commit or abort.
   */
  release(): Promise<void>;
  /**
   * Reads the bytes written so far, before or after commit (a resumed ingest's earlier part
   * included), so a consumer can follow a blob while it arrives. Stores that keep no file
   * may leave it out; their blobs are read once committed.
   */
  openWritten?(): WrittenReader;
  /**
   * Bytes readable through `openWritten` (the resumed part included): writes land on disk
   * after `write` resolved, so this trails what was written while a write is in flight.
   */
  readonly written?: number;
  /** Calls `listener` with the new `written` each time it grows. */
  watchWritten?(listener: (bytes: number) => void): void;
}

/** Positional reads of an ingest in progress; close when done. */
export interface WrittenReader {
  /** Fills `buf` from `position`; returns the bytes read (0 at the end of what is written). */
  read(buf: Buffer, position: number): number;
  close(): void;
}

export interface ContentStore {
  readonly root: string;
  has(digest: string): boolean;
  info(digest: string): BlobInfo | undefined;
  /** Absolute path of a committed blob, for readers that want a file (tar, mmap). */
  blobPath(digest: string): string;
  openRead(digest: string, start?: number): Readable;
  readBytes(digest: string): Promise<Buffer>;
  /**
   * `ref` names the ingest; writing again under the same ref resumes it. One writer holds a ref
   * at a time, across processes too: another waits until the first commits, aborts or releases
   * (or its process dies), so two downloads of one blob never append to the same file.
   */
  writer(ref: string): Promise<ContentWriter>;
  /** Stores a stream in one call, verifying against `expected` when given. */
  ingest(ref: string, stream: AsyncIterable<Buffer>, expected?: Expected): Promise<{ digest: string; size: number }>;
  /** Stores bytes already in memory (manifests, configs). */
  put(data: Buffer, expected?: Expected): Promise<{ digest: string; size: number }>;
  delete(digest: string): Promise<void>;
  list(): BlobInfo[];
}
