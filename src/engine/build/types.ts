import type { Readable } from 'node:stream';
import type { ResourceOptions } from '../../core/runtime/create-options.js';
import type { TransferEvent } from '../images/remote-types.js';

/** Where the build context comes from. */
export type BuildContextSource =
  /** A directory on this host, read in place. */
  | { kind: 'dir'; path: string }
  /**
   * A stream (a tar file, `-` on stdin, the API's request body): a tar archive (plain, gzip or
   * zstd) is the context; anything else is taken as the Dockerfile itself, with an empty context.
   */
  | { kind: 'stream'; stream: Readable };

export interface BuildSecret {
  id: string;
  /** Host file with the secret's value. */
  src?: string;
  /** Or an environment variable of the caller holding it. */
  env?: string;
}

/** The resource limits docker build gives every RUN container (Docker's zero values are left out). */
export type BuildResources = Pick<ResourceOptions, 'memory' | 'memorySwap' | 'cpuShares' | 'cpuQuota' | 'cpuPeriod' | 'cpusetCpus' | 'cpusetMems'>;

/** What every RUN container gets besides its network: `--add-host`, `--ulimit`, `--shm-size`, the resource flags. */
export interface BuildRunSettings {
  /** `name:ip`, written to each RUN container's /etc/hosts. */
  addHosts?: string[];
  /** `nofile=1024:2048`. */
  ulimits?: string[];
  /** Bytes of /dev/shm. */
  shmSize?: number;
  resources?: BuildResources;
}

/** `build` flags, as docker build and podman build name them. */
export interface BuildOptions {
  context: BuildContextSource;
  /**
   * `-f`: for a directory context a host path (relative to the caller's cwd, resolved by the
   * front); for a stream context a path inside it. Default: Containerfile, then Dockerfile.
   */
  dockerfile?: string;
  /** `-f -`: the Dockerfile's text itself. */
  dockerfileText?: string;
  /** `-t`: names for the result. */
  tags?: string[];
  /** `--target`: the stage to build (default: the last). */
  target?: string;
  buildArgs?: Record<string, string>;
  /** `--label`: added to the final image's labels. */
  labels?: Record<string, string>;
  noCache?: boolean;
  /** missing (default), always, never. */
  pull?: 'missing' | 'always' | 'never';
  /** Default network of RUN instructions: bridge (default), none, host, or a network name. */
  network?: string;
  secrets?: BuildSecret[];
  /** Limits and /etc/hosts entries of RUN containers (made by normalizeBuildRun). */
  run?: BuildRunSettings;
  /**
   * `--cache-from`: when given, only these images (by name or id) prime the cache, as in Docker's
   * classic builder: a step is taken from the cache only when the result is one of their
   * ancestors (their history and layers continue it); the other builds' cache is not used.
   */
  cacheFrom?: string[];
  /**
   * `--platform os/arch[/variant]`: the platform of the image built (its config's os and
   * architecture for FROM scratch, the one pulled for other bases) and of TARGETPLATFORM.
   * Default: this host's. RUN still runs on the host, as it does for the classic builder.
   */
  platform?: string;
  /** Image format: oci (default) or docker (schema 2 media types). */
  format?: 'oci' | 'docker';
  /** false: neither read nor write the build cache (podman's --layers=false). */
  layers?: boolean;
  /** The caller's environment, for `--secret id=X,env=VAR` and secrets without a source. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export interface BuildResult {
  /** sha256:… of the image built. */
  id: string;
  /** The names it got (fully qualified). */
  names: string[];
  /** How many layer-producing steps came from the cache, and how many ran. */
  cached: number;
  executed: number;
}

/**
 * What a build reports while it runs, in the order podman prints it. The CLI renders these as
 * text; the API service's /build turns them into Docker's JSON stream.
 */
export type BuildEvent =
  /** `[stage/stages] STEP n/N: INSTRUCTION` (stage numbers only shown for multi-stage files). */
  | {
      type: 'step';
      stage: number;
      stages: number;
      /** within the stage */
      step: number;
      steps: number;
      /** over every stage the build runs, as Docker's classic builder numbers them */
      index: number;
      total: number;
      instruction: string;
    }
  /** `--> Using cache <id>`: the step's result came from the build cache. */
  | { type: 'cache-hit'; id: string }
  /** `--> <id>`: the step's result (the cache entry id). */
  | { type: 'step-done'; id: string }
  /** A RUN instruction's output, as it comes. */
  | { type: 'output'; stream: 'stdout' | 'stderr'; data: Buffer }
  /** `COMMIT name`: the final image is being written. */
  | { type: 'commit'; name?: string }
  /** `--> <id>`: the image is written (before its names are listed). */
  | { type: 'committed'; id: string }
  | { type: 'tagged'; name: string }
  | { type: 'warning'; message: string }
  /** Base image pulls report through the pull's own events. */
  | { type: 'pull'; image: string; progress: TransferEvent };

export type BuildListener = (e: BuildEvent) => void;

export interface BuildCacheEntry {
  /** The cache key (hex). */
  Id: string;
  /** Bytes of the entry's own layer (0 for instructions without one). */
  Size: number;
  /** The layer is also part of an image. */
  Shared: boolean;
  InUse: boolean;
  CreatedAt: number;
  LastUsedAt: number;
  Description: string;
}

export interface BuildPruneOptions {
  /** Only entries last used before this time (ms since the epoch). */
  until?: number;
  /** dockerd's build cache prune filters (`until`, `id`, `type`, `description`, `inuse`, `shared`, `private`). */
  filters?: ReadonlyMap<string, string[]>;
}

export interface BuildPruneReport {
  /** Cache keys removed. */
  removed: string[];
  bytesReclaimed: number;
}
