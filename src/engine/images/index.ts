/**
 * @module engine/images
 * Local images: the verbs `images`, `image inspect`, `tag`, `rmi`, `image prune`, `history`,
 * `import`, `save` and `load`, as one small facade over the stores. The CLI and the API
 * service both call this; neither holds image logic.
 */
import type { Readable, Writable } from 'node:stream';
import type { EngineContext } from '../context.js';
import { listImages } from './list.js';
import { imageHistory, imageRecord, inspectImage } from './read.js';
import { pruneImages, removeImage } from './remove.js';
import { resolveImage } from './resolve.js';
import { tagImage, untagImage } from './tag.js';
import type {
  ImageDeleteResponseItem,
  ImageHistoryEntry,
  ImageImportOptions,
  ImageInspect,
  ImageListOptions,
  ImageLoadResult,
  ImagePruneOptions,
  ImagePruneReport,
  ImageRemoveOptions,
  ImageSaveOptions,
  ImageSummary,
} from './types.js';

import type {
  ImagePullOptions,
  ImagePullResult,
  ImagePushOptions,
  ImagePushResult,
  LoginOptions,
  ProgressListener,
  RemoteOptions,
} from './remote-types.js';

import type { ImageCopyOptions, ImageCopyResult, ImageTree, RemoteDistribution, RemoteImageInspect, RemoteManifest } from './copy-types.js';
import { imageTree } from './tree.js';
import type { TrustSetOptions, TrustShow } from './trust.js';
import type { KeyGenerateOptions, KeyGenerateResult } from './keys.js';
import type { ImageLoadOptions } from './save-load.js';
import type { ImageSignOptions, ImageSignResult, ImageVerifyOptions, ImageVerifyResult } from './sign-pushed.js';

export type * from './types.js';
export type * from './remote-types.js';
export type * from './copy-types.js';

export class ImageEngine {
  constructor(private readonly ctx: EngineContext) {}

  /** Remote options with skiff.conf's bounds on what a registry may send. */
  private limited<T extends RemoteOptions>(opts: T | undefined): T {
    return { ...(opts ?? ({} as T)), limits: this.ctx.config.engine.registryLimits };
  }

  list(opts?: ImageListOptions): Promise<ImageSummary[]> {
    return listImages(this.ctx, opts);
  }

  inspect(ref: string): Promise<ImageInspect> {
    return inspectImage(this.ctx, imageRecord(this.ctx, resolveImage(this.ctx.records, ref).id));
  }

  /** Full image id for a reference, or NotFound. */
  resolve(ref: string): string {
    return resolveImage(this.ctx.records, ref).id;
  }

  exists(ref: string): boolean {
    try {
      this.resolve(ref);
      return true;
    } catch {
      return false;
    }
  }

  history(ref: string): Promise<ImageHistoryEntry[]> {
    return imageHistory(this.ctx, imageRecord(this.ctx, resolveImage(this.ctx.records, ref).id));
  }

  tag(source: string, targets: string[]): void {
    tagImage(this.ctx, source, targets);
  }

  untag(source: string, targets: string[]): string[] {
    return untagImage(this.ctx, source, targets);
  }

  remove(ref: string, opts?: ImageRemoveOptions): ImageDeleteResponseItem[] {
    return removeImage(this.ctx, ref, opts);
  }

  prune(opts?: ImagePruneOptions): Promise<ImagePruneReport> {
    return pruneImages(this.ctx, opts);
  }

  // Writers load on demand: listing and inspecting never pay for tar and archive code.
  async import(source: Readable, opts?: ImageImportOptions): Promise<string> {
    return (await import('./import.js')).importImage(this.ctx, source, opts);
  }

  async save(refs: string[], out: Writable, opts?: ImageSaveOptions): Promise<void> {
    return (await import('./save-load.js')).saveImages(this.ctx, refs, out, opts);
  }

  async load(input: Readable, opts?: ImageLoadOptions): Promise<ImageLoadResult> {
    return (await import('./save-load.js')).loadImages(this.ctx, input, opts);
  }

  async pull(ref: string, opts?: ImagePullOptions, onProgress?: ProgressListener): Promise<ImagePullResult> {
    return (await import('./pull.js')).pullImage(this.ctx, ref, this.limited(opts), onProgress);
  }

  async push(source: string, destination?: string, opts?: ImagePushOptions, onProgress?: ProgressListener): Promise<ImagePushResult> {
    return (await import('./push.js')).pushImage(this.ctx, source, destination, this.limited(opts), onProgress);
  }

  /** `image copy SRC DST` between docker://, oci:, oci-archive:, docker-archive: and the local store. */
  async copy(src: string, dst: string, opts?: ImageCopyOptions, onProgress?: ProgressListener): Promise<ImageCopyResult> {
    const o = opts ?? {};
    return (await import('./copy.js')).copyImage(this.ctx, src, dst, { ...o, src: this.limited(o.src), dest: this.limited(o.dest) }, onProgress);
  }

  /** The manifest or index a registry reference names, as the registry holds it. */
  async inspectRemoteManifest(ref: string, opts?: RemoteOptions): Promise<RemoteManifest> {
    return (await import('./remote-inspect.js')).inspectRemoteManifest(ref, this.limited(opts));
  }

  /** The descriptor and platforms a registry reference names (dockerd's distribution endpoint). */
  async inspectRemoteDistribution(ref: string, opts?: RemoteOptions): Promise<RemoteDistribution> {
    return (await import('./remote-inspect.js')).inspectRemoteDistribution(ref, this.limited(opts));
  }

  /** `image inspect --remote`: a registry image's config and layers, without pulling it. */
  async inspectRemote(ref: string, opts?: RemoteOptions & { platform?: string }): Promise<RemoteImageInspect> {
    return (await import('./remote-inspect.js')).inspectRemoteImage(ref, this.limited(opts));
  }

  /** `image trust set`: one scope of the policy file set to accept, reject, signedBy or sigstoreSigned keys. */
  async trustSet(scope: string, opts: TrustSetOptions): Promise<string> {
    return (await import('./trust.js')).trustSet(scope, opts);
  }

  /** `image sign`: GPG signatures for images already pushed (lookaside or --directory). */
  async sign(images: string[], opts: ImageSignOptions): Promise<ImageSignResult[]> {
    return (await import('./sign-pushed.js')).signPushedImages(images, this.limited(opts));
  }

  /** `image verify`: a registry image checked against the signature policy, without pulling it. */
  async verify(image: string, opts?: ImageVerifyOptions): Promise<ImageVerifyResult> {
    return (await import('./sign-pushed.js')).verifyImage(image, this.limited(opts));
  }

  /** `key generate`: a new sigstore key pair (the private key encrypted with the passphrase). */
  async generateKey(opts: KeyGenerateOptions): Promise<KeyGenerateResult> {
    return (await import('./keys.js')).generateKey(opts);
  }

  /** `image trust show`: the signature policy in force, scope by scope. */
  async trustShow(opts?: { policy?: string; registriesDir?: string }): Promise<TrustShow> {
    return (await import('./trust.js')).trustShow(opts);
  }

  tree(ref: string, opts?: { whatRequires?: boolean }): ImageTree {
    return imageTree(this.ctx, ref, opts);
  }

  async login(registry: string, opts: LoginOptions): Promise<void> {
    return (await import('./registry-login.js')).registryLogin(registry, opts);
  }

  async logout(registry: string | undefined, opts: RemoteOptions = {}): Promise<void> {
    (await import('./registry-login.js')).registryLogout(registry, opts);
  }
}
