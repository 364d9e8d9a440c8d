/**
 * @module lib/images
 * `engine.images`: the local image store and registry transfers.
 */
import type { Readable, Writable } from 'node:stream';
import type { ImageEngine } from '../engine/images/index.js';
import type {
  ArchiveFormat, ImageDeleteResponseItem, ImageHistoryEntry, ImageInspect, ImageLoadResult, ImagePruneReport, ImageSummary,
} from '../engine/images/types.js';
import type { ImagePullResult, ImagePushResult, TransferEvent } from '../engine/images/remote-types.js';
import { cancellable, filterMap, type Cancellable, type Filters } from './common.js';

export type {
  ArchiveFormat, ImageDeleteResponseItem, ImageHistoryEntry, ImageInspect, ImageLoadResult, ImagePruneReport, ImageSummary,
  ImagePullResult, ImagePushResult, TransferEvent,
};
export type { LayerStatus } from '../engine/images/remote-types.js';
export type { ImageRunConfig, HealthConfig } from '../core/images/oci.js';

/** How to reach a registry: TLS, credentials. */
export interface RegistryOptions extends Cancellable {
  /** false: accept any certificate and fall back to plain HTTP. Loopback registries may always speak plain HTTP. */
  tlsVerify?: boolean;
  /** CAs (`*.crt`) and a client pair (`*.cert` + `*.key`) instead of /etc/containers/certs.d/HOST:PORT. */
  certDir?: string;
  /** A credentials file (containers-auth.json format); default as Podman's. */
  authfile?: string;
  /** Used for every registry of this transfer instead of the credentials file. */
  credentials?: { username: string; password: string };
}

/** Progress of a pull or push, one event per blob state change. */
export type TransferListener = (event: TransferEvent) => void;

export interface ImagePullOptions extends RegistryOptions {
  /** `os/arch[/variant]`; default the host's. */
  platform?: string;
  onProgress?: TransferListener;
}

export interface ImagePushOptions extends RegistryOptions {
  /** Do not try cross-repository blob mounts. */
  noMount?: boolean;
  onProgress?: TransferListener;
}

export interface ImageListOptions {
  /** Intermediate images too. */
  all?: boolean;
  /** `reference`, `label`, `dangling`, `before`, `since`, `id`. */
  filters?: Filters;
}

export interface ImageRemoveOptions {
  /** Remove the image even when several names point at it or a stopped container uses it. */
  force?: boolean;
  /** Keep untagged parents. */
  noPrune?: boolean;
}

export interface ImagePruneOptions {
  /** Every image no container uses, not only dangling ones. */
  all?: boolean;
  filters?: Filters;
}

export interface ImageImportOptions {
  /** Name for the imported image. */
  reference?: string;
  /** Dockerfile instructions applied to the config (`CMD ["sh"]`, `ENV A=b`). */
  changes?: string[];
  message?: string;
}

export interface ImageSaveOptions {
  format?: ArchiveFormat;
}

/** The local image store and registry transfers. */
export interface Images {
  list(opts?: ImageListOptions): Promise<ImageSummary[]>;
  /** Docker's inspect document; NotFound when no image has that name or id. */
  inspect(ref: string): Promise<ImageInspect>;
  exists(ref: string): Promise<boolean>;
  history(ref: string): Promise<ImageHistoryEntry[]>;
  /** Pulls `ref` (`host/repo:tag` or `@sha256:…`); progress goes to `opts.onProgress`. */
  pull(ref: string, opts?: ImagePullOptions): Promise<ImagePullResult>;
  /** Pushes `source` to `destination` (default: its own name). */
  push(source: string, destination?: string, opts?: ImagePushOptions): Promise<ImagePushResult>;
  /** Gives `source` more names. */
  tag(source: string, ...targets: string[]): Promise<void>;
  remove(ref: string, opts?: ImageRemoveOptions): Promise<ImageDeleteResponseItem[]>;
  prune(opts?: ImagePruneOptions): Promise<ImagePruneReport>;
  /** A root filesystem tar (plain or compressed) as a one-layer image; resolves with its id. */
  import(source: Readable, opts?: ImageImportOptions): Promise<string>;
  /** Writes `refs` as one docker-archive (default) or oci-archive to `out`. */
  save(refs: string[], out: Writable, opts?: ImageSaveOptions): Promise<void>;
  /** Reads a docker-archive or oci-archive. */
  load(input: Readable): Promise<ImageLoadResult>;
  /** Checks the credentials against the registry and stores them in the credentials file. */
  login(registry: string, credentials: { username: string; password: string }, opts?: RegistryOptions): Promise<void>;
  logout(registry: string, opts?: Pick<RegistryOptions, 'authfile'>): Promise<void>;
}

function remote(o: RegistryOptions) {
  return {
    ...(o.tlsVerify !== undefined ? { tlsVerify: o.tlsVerify } : {}),
    ...(o.certDir ? { certDir: o.certDir } : {}),
    ...(o.authfile ? { authfile: o.authfile } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  };
}

export function imagesOf(images: () => ImageEngine): Images {
  return {
    list: async (o = {}) => images().list({ all: o.all, filters: filterMap(o.filters) }),
    inspect: async (ref) => images().inspect(ref),
    exists: async (ref) => images().exists(ref),
    history: async (ref) => images().history(ref),
    pull: (ref, o = {}) =>
      cancellable(o.signal, `pulling ${ref}`, () =>
        images().pull(ref, { ...remote(o), ...(o.platform ? { platform: o.platform } : {}) }, o.onProgress),
      ),
    push: (source, destination, o = {}) =>
      cancellable(o.signal, `pushing ${source}`, () =>
        images().push(source, destination, { ...remote(o), ...(o.noMount ? { noMount: true } : {}) }, o.onProgress),
      ),
    tag: async (source, ...targets) => images().tag(source, targets),
    remove: async (ref, o) => images().remove(ref, o),
    prune: async (o = {}) => images().prune({ all: o.all, filters: filterMap(o.filters) }),
    import: async (source, o) => images().import(source, o),
    save: async (refs, out, o) => images().save(refs, out, o),
    load: async (input) => images().load(input),
    login: (registry, c, o = {}) => cancellable(o.signal, `logging in to ${registry}`, () => images().login(registry, { ...remote(o), ...c })),
    logout: async (registry, o = {}) => images().logout(registry, o.authfile ? { authfile: o.authfile } : {}),
  };
}
