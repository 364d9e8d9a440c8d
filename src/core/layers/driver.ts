/**
 * @module layers
 * Storage drivers: where unpacked layers live on disk and how a stack of them becomes a root
 * filesystem. Modelled on containers/storage's graph drivers (and containerd's snapshotters):
 * a driver owns one directory per layer id and knows each layer's parent, but holds no image
 * or reference knowledge; the metadata store holds the graph, sharing and reference counts.
 *
 * Lifecycle: `create(id, parent)` makes an empty layer above `parent`; `applyDiff` unpacks a
 * layer tar into it (whiteouts in the driver's own format); afterwards the layer is read-only
 * by convention and may be the parent of others. A container's writable layer is just
 * another `create` whose `mounts()` are given to the runtime. `remove` deletes one layer's
 * directory and never touches its parents.
 *
 * Methods return mounts as data and never mount anything themselves; src/sys/mount does.
 */
import type { Readable } from 'node:stream';

export interface Mount {
  type: string;
  source: string;
  options: string[];
}

export interface ApplyResult {
  /** sha256 of the uncompressed tar stream: the layer's diffID. */
  diffId: string;
  /** sha256 and size of the bytes as received (compressed or not). */
  compressedDigest: string;
  compressedSize: number;
  /** bytes of the uncompressed tar */
  uncompressedSize: number;
}

export interface ApplyDiffOptions {
  /**
   * The digest of the bytes as received, when something else verifies it (the content store
   * commits the download being unpacked only if it matches): returned as `compressedDigest`
   * without hashing the stream a second time.
   */
  compressedDigest?: string;
}

export interface CreateOptions {
  /** Extra label kept in the layer directory for humans (not read back). */
  note?: string;
}

export interface LayerDriver {
  readonly name: 'overlay' | 'vfs';
  /** Driver's directory under the storage root. */
  readonly home: string;
  create(id: string, parent: string | null, opts?: CreateOptions): void;
  /** `create` without stopping the event loop for long (vfs copies the parent in a child process). */
  createAsync(id: string, parent: string | null, opts?: CreateOptions): Promise<void>;
  exists(id: string): boolean;
  /** Deletes the layer's directory (and, for overlay, its short link). Missing is fine. */
  remove(id: string): void;
  /** remove() with the tree deleted on libuv's pool (the API service's loop stays free). */
  removeAsync(id: string): Promise<void>;
  /**
   * Unpacks a tar (plain, gzip or zstd; detected from its first bytes) into layer `id`, which
   * must have been created empty. Refuses hostile entries with InvalidArgument; on any error
   * the layer is left empty-or-partial and the caller removes it.
   */
  applyDiff(id: string, tar: Readable, opts?: ApplyDiffOptions): Promise<ApplyResult>;
  /** The directory that holds this layer's own changes (overlay: `diff/`; vfs: the full tree). */
  diffPath(id: string): string;
  /**
   * What to mount to see layer `id` with all its parents as one tree. With `readOnly` the
   * result has no upper dir (overlay lowerdir-only, vfs read-only bind). `volatile` is for a
   * layer thrown away after one use (a `--rm` container): writes are never synced (overlay's
   * `volatile`, as Podman mounts `--rm` containers), so unmounting skips the sync.
   */
  mounts(id: string, opts?: { readOnly?: boolean; mountLabel?: string; volatile?: boolean }): Mount[];
  /** Bytes used by this layer's own directory (not its parents). */
  size(id: string): number;
  /** `size`, walking asynchronously (for callers on the API service's event loop). */
  sizeAsync(id: string): Promise<number>;
  /** Ids whose directories exist, whether or not any metadata points at them (for GC). */
  list(): string[];
}
