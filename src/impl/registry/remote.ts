import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Descriptor } from '../../core/content/content.js';
import { EngineError, invalidArgument } from '../../core/errdefs.js';
import { MediaType } from '../../core/images/oci.js';
import type { Fetcher, FetchOptions, FetchResult, Pusher, Resolved, Resolver } from '../../core/remotes/remotes.js';
import type { RegistryClient } from './client.js';
import { readBody } from './http.js';
import { bounded, refuseOversized, tooLong } from './limits.js';

export const MANIFEST_ACCEPT = [
  MediaType.OciIndex,
  MediaType.OciManifest,
  MediaType.DockerManifestList,
  MediaType.DockerManifest,
  MediaType.DockerSchema1Signed,
  MediaType.DockerSchema1,
].join(', ');

const sha256 = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

/** The manifest media type: the header, else the document's own `mediaType`, else guessed by shape. */
function mediaTypeOf(header: string | undefined, bytes: Buffer): string {
  const h = header?.split(';')[0]?.trim();
  if (h && h !== 'application/json' && h !== 'text/plain') return h;
  try {
    const doc = JSON.parse(bytes.toString('utf8')) as { mediaType?: string; manifests?: unknown; schemaVersion?: number };
    if (doc.mediaType) return doc.mediaType;
    if (doc.schemaVersion === 1) return MediaType.DockerSchema1;
    return doc.manifests ? MediaType.OciIndex : MediaType.OciManifest;
  } catch {
    return h ?? 'application/octet-stream';
  }
}

/**
 * One repository on one registry, as Resolver, Fetcher and Pusher. `repo` is the path
 * below the host (`library/busybox`).
 */
export class RemoteRepository implements Resolver, Fetcher, Pusher {
  constructor(
    private readonly client: RegistryClient,
    readonly repo: string,
    private readonly push = false,
  ) {}

  private get scopes(): string[] {
    return [`repository:${this.repo}:${this.push ? 'pull,push' : 'pull'}`];
  }

  private what(suffix = ''): string {
    return `${this.client.registry}/${this.repo}${suffix}`;
  }

  /** Refuses, before any download, a descriptor claiming more than skiff.conf allows (`document`: read whole). */
  checkSize(desc: Descriptor, what: string, document = false): void {
    refuseOversized(desc, this.client.limits, what, document);
  }

  async resolve(reference: string): Promise<Resolved> {
    return this.fetchManifest(reference);
  }

  /**
   * A manifest or index by tag or digest, held to `registry_max_manifest_size`; `size` (from the
   * descriptor that named it) is checked against that cap first and bounds the body.
   */
  async fetchManifest(reference: string, size?: number): Promise<Resolved> {
    const sep = reference.startsWith('sha256:') ? '@' : ':';
    const what = `manifest ${this.what(sep + reference)}`;
    const max = this.client.limits.maxManifestSize;
    if (size !== undefined) refuseOversized({ mediaType: '', size }, this.client.limits, what, true);
    const res = await this.client.request({
      method: 'GET',
      path: `/v2/${this.repo}/manifests/${reference}`,
      headers: { accept: MANIFEST_ACCEPT },
      scopes: this.scopes,
      what,
    });
    const bytes =
      size === undefined
        ? await readBody(res, max, () => invalidArgument(`${what}: larger than ${max} bytes (engine.registry_max_manifest_size in skiff.conf)`))
        : await readBody(res, size, () => tooLong(what, size));
    const digest = sha256(bytes);
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw invalidArgument(`manifest ${this.what('@' + reference)}: content hashes to ${digest}`);
    }
    const mediaType = mediaTypeOf(res.headers['content-type'], bytes);
    return { name: this.what(sep + reference), descriptor: { mediaType, digest, size: bytes.length }, bytes };
  }

  /** Every tag of the repository, following the registry's `Link: <…>; rel="next"` pages. */
  async listTags(): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${this.repo}/tags/list`;
    for (let page = 0; path && page < 1000; page++) {
      const res = await this.client.request({ method: 'GET', path, scopes: this.scopes, what: `tags of ${this.what()}` });
      const doc = JSON.parse((await readBody(res, 16 << 20)).toString('utf8')) as { tags?: unknown };
      if (Array.isArray(doc.tags)) tags.push(...doc.tags.filter((t): t is string => typeof t === 'string'));
      const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(String(res.headers.link ?? ''))?.[1];
      path = next ? new URL(next, res.url).href : undefined;
    }
    return tags;
  }

  /**
   * A blob's bytes from `offset`, never more than its descriptor's size: a descriptor over the
   * configured cap is refused before asking, and the stream fails at the first byte too many.
   */
  async fetch(desc: Descriptor, opts: FetchOptions = {}): Promise<FetchResult> {
    const offset = opts.offset ?? 0;
    const what = `blob ${desc.digest} in ${this.what()}`;
    refuseOversized(desc, this.client.limits, what);
    const res = await this.client.request({
      method: 'GET',
      path: `/v2/${this.repo}/blobs/${desc.digest}`,
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
      scopes: this.scopes,
      what,
      accept: [416],
    });
    if (res.status === 416) {
      // Asked past the end: the held part is already whole (or wrong); start over.
      res.body.resume();
      return this.fetch(desc, {});
    }
    const start = res.status === 206 ? offset : 0;
    const announced = Number(res.headers['content-length']);
    if (announced > desc.size - start) {
      res.body.destroy();
      throw tooLong(what, desc.size);
    }
    return { stream: bounded(res.body as Readable, desc.size - start, what), start };
  }

  /** A small blob read whole (an image config), held to the manifest cap and verified against `desc`. */
  async fetchDocument(desc: Descriptor, what: string): Promise<Buffer> {
    refuseOversized(desc, this.client.limits, what, true);
    const { stream } = await this.fetch(desc);
    const chunks: Buffer[] = [];
    for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
    const bytes = Buffer.concat(chunks);
    if (bytes.length !== desc.size) throw invalidArgument(`${what} ${desc.digest}: ${bytes.length} bytes, its descriptor gives ${desc.size}`);
    const got = sha256(bytes);
    if (got !== desc.digest) throw invalidArgument(`${what} ${desc.digest} refused: its content hashes to ${got}`);
    return bytes;
  }

  async exists(desc: Descriptor): Promise<boolean> {
    const res = await this.client.request({
      method: 'HEAD',
      path: `/v2/${this.repo}/blobs/${desc.digest}`,
      scopes: this.scopes,
      what: `blob ${desc.digest} in ${this.what()}`,
      accept: [404],
    });
    res.body.resume();
    return res.status === 200;
  }

  async mount(desc: Descriptor, fromRepo: string): Promise<boolean> {
    const res = await this.client.request({
      method: 'POST',
      path: `/v2/${this.repo}/blobs/uploads/?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(fromRepo)}`,
      headers: { 'content-length': '0' },
      scopes: [...this.scopes, `repository:${fromRepo}:pull`],
      what: `mounting ${desc.digest} from ${fromRepo} into ${this.what()}`,
      accept: [401, 403, 404],
    });
    res.body.resume();
    if (res.status === 201) return true;
    if (res.status === 202 && res.headers.location) {
      // The registry opened an upload instead: close it rather than leave it dangling.
      await this.client
        .request({
          method: 'DELETE',
          path: new URL(res.headers.location, res.url).href,
          scopes: this.scopes,
          what: this.what(),
          accept: [400, 404, 405],
        })
        .then((r) => r.body.resume())
        .catch(() => undefined);
    }
    return false;
  }

  async upload(desc: Descriptor, open: () => Readable): Promise<void> {
    const start = await this.client.request({
      method: 'POST',
      path: `/v2/${this.repo}/blobs/uploads/`,
      headers: { 'content-length': '0' },
      scopes: this.scopes,
      what: `starting an upload to ${this.what()}`,
    });
    start.body.resume();
    const loc = start.headers.location;
    if (!loc) throw new EngineError('InvalidArgument', `registry ${this.client.registry}: upload started without a Location`);
    const url = new URL(loc, start.url);
    url.searchParams.set('digest', desc.digest);
    const done = await this.client.request({
      method: 'PUT',
      path: url.href,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) },
      body: open,
      scopes: this.scopes,
      what: `uploading ${desc.digest} to ${this.what()}`,
    });
    done.body.resume();
  }

  async putManifest(reference: string, mediaType: string, bytes: Buffer): Promise<string> {
    const res = await this.client.request({
      method: 'PUT',
      path: `/v2/${this.repo}/manifests/${reference}`,
      headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
      body: bytes,
      scopes: this.scopes,
      what: `manifest ${this.what(':' + reference)}`,
    });
    res.body.resume();
    const digest = sha256(bytes);
    const told = res.headers['docker-content-digest'];
    if (typeof told === 'string' && told !== digest) {
      throw invalidArgument(`manifest ${this.what()}: registry stored ${told}, skiff sent ${digest}`);
    }
    return digest;
  }
}
