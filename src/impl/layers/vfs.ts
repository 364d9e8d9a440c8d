/**
 * vfs driver: every layer is a full copy of its parent, `<root>/vfs/dir/<id>`, and is
 * mounted with a bind. Slow and large, but works on any filesystem and kernel; the
 * fallback when overlayfs is missing (or the storage root cannot be an overlay upper).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { ApplyDiffOptions, ApplyResult, CreateOptions, LayerDriver, Mount } from '../../core/layers/driver.js';
import { alreadyExists, internal, notFound } from '../../core/errdefs.js';
import { treeSize, treeSizeAsync } from './fs-util.js';
import { assertNotMounted, isValidId, validateId, validateStoragePath } from './layer-dirs.js';
import type { ApplyTarOptions } from './tar-apply.js';

// cp keeps owners, modes, times, xattrs, devices and hard links, and clones blocks where the
// filesystem can; "src/." also carries the root directory's own metadata.
const CP_ARGS = ['-a', '--reflink=auto', '--'];

function copyTree(src: string, dst: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('cp', [...CP_ARGS, `${src}/.`, dst], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(err.trim() || `cp exited with ${code}`))));
  });
}

export class VfsDriver implements LayerDriver {
  readonly name = 'vfs' as const;
  readonly home: string;
  private readonly dirs: string;
  /** Notes live beside the trees, since a layer's directory is exactly its filesystem. */
  private readonly notes: string;
  private readonly limits: Pick<ApplyTarOptions, 'maxEntrySize' | 'maxTotalSize'>;

  constructor(storageRoot: string, limits: Pick<ApplyTarOptions, 'maxEntrySize' | 'maxTotalSize'> = {}) {
    this.home = join(resolve(storageRoot), 'vfs');
    validateStoragePath(this.home);
    this.dirs = join(this.home, 'dir');
    this.notes = join(this.home, 'notes');
    this.limits = limits;
    mkdirSync(this.dirs, { recursive: true, mode: 0o700 });
    mkdirSync(this.notes, { recursive: true, mode: 0o700 });
  }

  create(id: string, parent: string | null, opts: CreateOptions = {}): void {
    const dir = this.makeDir(id, parent);
    try {
      if (parent !== null) execFileSync('cp', [...CP_ARGS, `${this.diffPath(parent)}/.`, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
      if (opts.note !== undefined) writeFileSync(join(this.notes, id), opts.note);
    } catch (e) {
      this.remove(id);
      const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
      throw internal(`layer ${id}: copying parent ${parent}: ${stderr || (e as Error).message}`, e);
    }
  }

  /** `create` with the parent's copy in a child process the event loop does not wait on. */
  async createAsync(id: string, parent: string | null, opts: CreateOptions = {}): Promise<void> {
    const dir = this.makeDir(id, parent);
    try {
      if (parent !== null) await copyTree(this.diffPath(parent), dir);
      if (opts.note !== undefined) writeFileSync(join(this.notes, id), opts.note);
    } catch (e) {
      this.remove(id);
      throw internal(`layer ${id}: copying parent ${parent}: ${(e as Error).message}`, e);
    }
  }

  private makeDir(id: string, parent: string | null): string {
    validateId(id);
    if (parent !== null) {
      validateId(parent);
      if (!this.exists(parent)) throw notFound(`parent layer ${parent}: not found`);
    }
    const dir = this.diffPath(id);
    try {
      mkdirSync(dir, 0o755);
    } catch (e) {
      if ((e as { code?: string }).code === 'EEXIST') throw alreadyExists(`layer ${id}: already exists`);
      throw e;
    }
    return dir;
  }

  exists(id: string): boolean {
    return isValidId(id) && lstatSync(join(this.dirs, id), { throwIfNoEntry: false })?.isDirectory() === true;
  }

  remove(id: string): void {
    validateId(id);
    const dir = join(this.dirs, id);
    if (existsSync(dir)) {
      assertNotMounted(dir, `layer ${id}`);
      rmSync(dir, { recursive: true, force: true });
    }
    rmSync(join(this.notes, id), { force: true });
  }

  async removeAsync(id: string): Promise<void> {
    validateId(id);
    const dir = join(this.dirs, id);
    if (existsSync(dir)) {
      assertNotMounted(dir, `layer ${id}`);
      await rm(dir, { recursive: true, force: true });
    }
    await rm(join(this.notes, id), { force: true });
  }

  async applyDiff(id: string, tar: Readable, opts: ApplyDiffOptions = {}): Promise<ApplyResult> {
    if (!this.exists(id)) throw notFound(`layer ${id}: not found`);
    // A vfs layer already holds its parent's files; whiteouts delete from that copy.
    // Loaded on demand: the tar reader, hashing worker and decompressors are not on `images`' path.
    const { applyTar } = await import('./tar-apply.js');
    return applyTar(tar, this.diffPath(id), { whiteouts: 'delete', ...this.limits, compressedDigest: opts.compressedDigest });
  }

  diffPath(id: string): string {
    validateId(id);
    return join(this.dirs, id);
  }

  mounts(id: string, opts: { readOnly?: boolean; mountLabel?: string; volatile?: boolean } = {}): Mount[] {
    if (!this.exists(id)) throw notFound(`layer ${id}: not found`);
    return [{ type: 'bind', source: this.diffPath(id), options: ['rbind', opts.readOnly ? 'ro' : 'rw'] }];
  }

  /** The whole tree: a vfs layer's own directory is a full copy including its parents' files. */
  size(id: string): number {
    if (!this.exists(id)) throw notFound(`layer ${id}: not found`);
    return treeSize(this.diffPath(id));
  }

  async sizeAsync(id: string): Promise<number> {
    if (!this.exists(id)) throw notFound(`layer ${id}: not found`);
    return treeSizeAsync(this.diffPath(id));
  }

  list(): string[] {
    return readdirSync(this.dirs, { withFileTypes: true })
      .filter((d) => d.isDirectory() && isValidId(d.name))
      .map((d) => d.name);
  }
}
