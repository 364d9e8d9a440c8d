/**
 * @module remotes
 * Talking to an image registry, split as containerd splits it (core/remotes/resolver.go):
 * a Resolver turns a reference into the descriptor of its top document, a Fetcher streams
 * any blob or manifest named by a descriptor, and a Pusher writes them.
 *
 * Lifecycle: `resolve` first (it also learns the registry's auth challenge), then any
 * number of `fetch` calls for the same repository. A fetch may start at an offset, so a
 * caller that kept the first part of a blob asks only for the rest; the Fetcher says
 * whether the registry honoured the offset, and the caller must verify the whole blob's
 * digest itself: nothing here trusts the bytes. What a Fetcher does bound is their number:
 * never more than the descriptor's size, and no descriptor above RegistryLimits' caps.
 *
 * Pushing is blob by blob, children before parents: `exists` (HEAD), else `mount` from a
 * sibling repository of the same registry, else `upload`; the manifest goes last.
 */
import type { Readable } from 'node:stream';
import type { Descriptor } from '../content/content.js';

export interface Resolved {
  /** the reference resolved, normalised (`host/repo:tag` or `host/repo@digest`) */
  name: string;
  descriptor: Descriptor;
  /** the document itself: resolving a manifest needs its bytes anyway */
  bytes: Buffer;
}

export interface Resolver {
  resolve(ref: string): Promise<Resolved>;
}

export interface FetchOptions {
  /** bytes already held: ask for the rest with an HTTP Range request */
  offset?: number;
}

export interface FetchResult {
  stream: Readable;
  /** where the stream starts: `offset` when the registry honoured the range, 0 when not */
  start: number;
}

export interface Fetcher {
  fetch(desc: Descriptor, opts?: FetchOptions): Promise<FetchResult>;
  /**
   * a manifest or index by digest or tag, with its bytes verified when asked by digest; `size`
   * (from the descriptor naming it) bounds the body, which is refused past it
   */
  fetchManifest(reference: string, size?: number): Promise<Resolved>;
}

export interface Pusher {
  /** HEAD: does the repository already hold this blob? */
  exists(desc: Descriptor): Promise<boolean>;
  /** Cross-repository mount from `fromRepo` (a path on the same registry); false when refused. */
  mount(desc: Descriptor, fromRepo: string): Promise<boolean>;
  /** Uploads a blob; `open` is called again if a retry needs the body from the start. */
  upload(desc: Descriptor, open: () => Readable): Promise<void>;
  /** PUTs a manifest under a tag or digest; returns the digest the registry computed. */
  putManifest(reference: string, mediaType: string, bytes: Buffer): Promise<string>;
}

/** Credentials as stored in auth.json; a token replaces user/password where the registry issued one. */
export interface Credentials {
  username: string;
  password: string;
}

/** Where credentials come from: auth.json and ~/.docker/config.json, looked up by registry host. */
export interface CredentialStore {
  get(registry: string): Credentials | undefined;
}

/**
 * Bounds on what a registry may make us hold or wait for: every byte count a peer controls is
 * checked against one of these before it is trusted, and a silent connection is given up on.
 */
export interface RegistryLimits {
  /** a connection that sends nothing for this long (waiting for headers included) fails */
  idleTimeoutMs: number;
  /** descriptors of layers and other blobs claiming more are refused before any download */
  maxBlobSize: number;
  /** manifests, indexes and image configs: read whole into memory, so held to this */
  maxManifestSize: number;
}

/** containerd's 4 MiB for documents; 32 GiB is beyond any layer a registry would sensibly hold. */
export const DEFAULT_REGISTRY_LIMITS: RegistryLimits = {
  idleTimeoutMs: 30_000,
  maxBlobSize: 32 * 1024 ** 3,
  maxManifestSize: 4 << 20,
};

export interface RegistryOptions {
  /** false: accept any certificate and fall back to plain HTTP (`--tls-verify=false`) */
  tlsVerify?: boolean;
  /** `--cert-dir`: the CAs (`*.crt`) and client pair (`*.cert` + `*.key`) for every registry, instead of certs.d/HOST:PORT */
  certDir?: string;
  credentials?: CredentialStore;
  /** a user agent string, also logged by registries */
  userAgent?: string;
  /** default DEFAULT_REGISTRY_LIMITS */
  limits?: RegistryLimits;
  /** Aborting ends every exchange of the transfer: the transfer fails as Canceled. */
  signal?: AbortSignal;
}
