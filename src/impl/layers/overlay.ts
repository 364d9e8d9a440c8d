/**
 * overlayfs driver, laid out like containers/storage's:
 *
 *   <root>/overlay/<id>/diff     the layer's own files (upperdir while it is writable)
 *   <root>/overlay/<id>/work     overlay's workdir
 *   <root>/overlay/<id>/merged   conventional mount point for the caller
 *   <root>/overlay/<id>/link     the layer's short link name
 *   <root>/overlay/<id>/lower    "l/SHORT:l/SHORT2…" for every parent, nearest first
 *   <root>/overlay/<id>/empty    lowerdir for a writable layer with no parent
 *   <root>/overlay/l/<SHORT>  →  ../<id>/diff
 *
 * Short links keep lowerdir lists short; src/sys/mount handles chains too long for one page.
 */
import { inUserNamespace } from '../../sys/linux/rootless-uid.js';
import {
  existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { ApplyDiffOptions, ApplyResult, CreateOptions, LayerDriver, Mount } from '../../core/layers/driver.js';
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from '../../core/errdefs.js';
import { treeSize, treeSizeAsync } from './fs-util.js';
import { assertNotMounted, isValidId, randomLinkName, validateId, validateStoragePath } from './layer-dirs.js';
import type { ApplyTarOptions } from './tar-apply.js';

/** overlayfs refuses more lower layers than this. */
export const MAX_LOWERS = 500;
const LINK_DIR = 'l';

export class OverlayDriver implements LayerDriver {
  readonly name = 'overlay' as const;
  readonly home: string;
  private readonly limits: Pick<ApplyTarOptions, 'maxEntrySize' | 'maxTotalSize'>;

  /** A FUSE overlay program (fuse-overlayfs) that mounts instead of the kernel. */
  readonly mountProgram: string | undefined;

  constructor(storageRoot: string, limits: Pick<ApplyTarOptions, 'maxEntrySize' | 'maxTotalSize'> = {}, opts: { mountProgram?: string } = {}) {
    this.mountProgram = opts.mountProgram || undefined;
    this.home = join(resolve(storageRoot), 'overlay');
    validateStoragePath(this.home);
    this.limits = limits;
    mkdirSync(join(this.home, LINK_DIR), { recursive: true, mode: 0o700 });
  }

  /** Directories and a lower file only: quick, so the same as `create`. */
  async createAsync(id: string, parent: string | null, opts: CreateOptions = {}): Promise<void> {
    this.create(id, parent, opts);
  }

  create(id: string, parent: string | null, opts: CreateOptions = {}): void {
    validateId(id);
    if (id === LINK_DIR) throw invalidArgument(`invalid layer id "${id}": reserved by the overlay driver`);
    let lower = '';
    if (parent !== null) {
      validateId(parent);
      if (!this.exists(parent)) throw notFound(`parent layer ${parent}: not found`);
      const parentLower = this.readMeta(parent, 'lower');
      lower = `${LINK_DIR}/${this.readMeta(parent, 'link')}${parentLower ? ':' + parentLower : ''}`;
      if (lower.split(':').length > MAX_LOWERS - 1) {
        throw failedPrecondition(`layer ${id}: parent ${parent} already has the most lower layers overlayfs can stack`);
      }
    }
    const dir = join(this.home, id);
    try {
      mkdirSync(dir, 0o700);
    } catch (e) {
      if ((e as { code?: string }).code === 'EEXIST') throw alreadyExists(`layer ${id}: already exists`);
      throw e;
    }
    try {
      mkdirSync(join(dir, 'diff'), 0o755);
      mkdirSync(join(dir, 'work'), 0o700);
      mkdirSync(join(dir, 'merged'), 0o700);
      if (parent === null) mkdirSync(join(dir, 'empty'), 0o700);
      else writeFileSync(join(dir, 'lower'), lower);
      if (opts.note !== undefined) writeFileSync(join(dir, 'note'), opts.note);
      writeFileSync(join(dir, 'link'), this.makeLink(id));
    } catch (e) {
      this.remove(id);
      throw e;
    }
  }

  exists(id: string): boolean {
    return isValidId(id) && id !== LINK_DIR && lstatSync(join(this.home, id, 'diff'), { throwIfNoEntry: false })?.isDirectory() === true;
  }

  remove(id: string): void {
    const dir = this.unlinkForRemoval(id);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }

  async removeAsync(id: string): Promise<void> {
    const dir = this.unlinkForRemoval(id);
    if (dir) await rm(dir, { recursive: true, force: true });
  }

  /** The checks and the short link's removal before a layer's tree goes; undefined when it is gone. */
  private unlinkForRemoval(id: string): string | undefined {
    validateId(id);
    const dir = join(this.home, id);
    if (!existsSync(dir)) return undefined;
    assertNotMounted(dir, `layer ${id}`);
    const link = this.readMeta(id, 'link');
    if (link) {
      try {
        unlinkSync(join(this.home, LINK_DIR, link));
      } catch (e) {
        if ((e as { code?: string }).code !== 'ENOENT') throw e;
      }
    }
    return dir;
  }

  async applyDiff(id: string, tar: Readable, opts: ApplyDiffOptions = {}): Promise<ApplyResult> {
    if (!this.exists(id)) throw notFound(`layer ${id}: not found`);
    const diff = this.diffPath(id);
    if (readdirSync(diff).length > 0) throw failedPrecondition(`layer ${id}: already has content`);
    // Loaded on demand: the tar reader, hashing worker and decompressors are not on `images`' path.
    const { applyTar } = await import('./tar-apply.js');
    return applyTar(tar, diff, { whiteouts: 'overlay', lowerDirs: this.parentDiffs(id), ...this.limits, compressedDigest: opts.compressedDigest });
  }

  diffPath(id: string): string {
    validateId(id);
    return join(this.home, id, 'diff');
  }

  mounts(id: string, opts: { readOnly?: boolean; mountLabel?: string; volatile?: boolean } = {}): Mount[] {
    if (!this.exists(id)) throw notFound(`layer ${id}: not found`);
    const dir = join(this.home, id);
    const parents = this.lowerLinks(id).map((l) => join(this.home, l));
    if (this.mountProgram) return this.fuseMounts(id, parents, !!opts.readOnly);
    const label = opts.mountLabel ? [`context="${opts.mountLabel}"`] : [];
    // In a user namespace overlayfs keeps its own xattrs as user.overlay.* (see fs-util opaqueXattr).
    if (inUserNamespace()) label.push('userxattr');
    if (opts.readOnly) {
      // overlayfs needs two lowers when there is no upper; one layer alone is a read-only bind.
      if (parents.length === 0) return [{ type: 'bind', source: join(dir, 'diff'), options: ['rbind', 'ro'] }];
      const own = join(this.home, LINK_DIR, this.readMeta(id, 'link'));
      return [{ type: 'overlay', source: 'overlay', options: ['ro', 'index=off', `lowerdir=${[own, ...parents].join(':')}`, ...label] }];
    }
    const lowers = parents.length > 0 ? parents : [join(dir, 'empty')];
    const volatile: string[] = [];
    if (opts.volatile) {
      // The kernel leaves this marker after every volatile mount and refuses the next one while
      // it exists. A caller mounts a layer that is not mounted now, so the last use ended with an
      // unmount (a crash ends a throw-away layer's life: it is removed, never mounted again).
      rmSync(join(dir, 'work', 'work', 'incompat'), { recursive: true, force: true });
      volatile.push('volatile');
    }
    return [
      {
        type: 'overlay',
        source: 'overlay',
        options: ['index=off', `lowerdir=${lowers.join(':')}`, `upperdir=${join(dir, 'diff')}`, `workdir=${join(dir, 'work')}`, ...volatile, ...label],
      },
    ];
  }

  /** fuse-overlayfs reads the same layers (0/0 whiteouts, user.overlay.opaque); lowers alone mount read-only. */
  private fuseMounts(id: string, parents: string[], readOnly: boolean): Mount[] {
    const dir = join(this.home, id);
    const source = this.mountProgram!;
    if (readOnly) return [{ type: 'fuse-overlayfs', source, options: [`lowerdir=${[join(dir, 'diff'), ...parents].join(':')}`] }];
    const lowers = parents.length > 0 ? parents : [join(dir, 'empty')];
    return [{ type: 'fuse-overlayfs', source, options: [`lowerdir=${lowers.join(':')}`, `upperdir=${join(dir, 'diff')}`, `workdir=${join(dir, 'work')}`] }];
  }

  size(id: string): number {
    if (!this.exists(id)) throw notFound(`layer ${id}: not found`);
    return treeSize(this.diffPath(id));
  }

  async sizeAsync(id: string): Promise<number> {
    if (!this.exists(id)) throw notFound(`layer ${id}: not found`);
    return treeSizeAsync(this.diffPath(id));
  }

  list(): string[] {
    return readdirSync(this.home, { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== LINK_DIR && isValidId(d.name))
      .map((d) => d.name);
  }

  /** Parents' diff directories, nearest first. */
  parentDiffs(id: string): string[] {
    return this.lowerLinks(id).map((l) => resolve(this.home, LINK_DIR, readlinkSync(join(this.home, l))));
  }

  private lowerLinks(id: string): string[] {
    const lower = this.readMeta(id, 'lower');
    return lower ? lower.split(':') : [];
  }

  private readMeta(id: string, file: 'link' | 'lower'): string {
    try {
      return readFileSync(join(this.home, id, file), 'utf8').trim();
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return '';
      throw e;
    }
  }

  private makeLink(id: string): string {
    for (;;) {
      const name = randomLinkName();
      try {
        symlinkSync(`../${id}/diff`, join(this.home, LINK_DIR, name));
        return name;
      } catch (e) {
        if ((e as { code?: string }).code !== 'EEXIST') throw e;
      }
    }
  }
}
