/**
 * @module compose/types
 * The Compose application model after loading: Docker Compose v2's canonical form (compose-go's
 * `types.Project`), the shape `docker compose config` prints. Every short syntax is expanded
 * (ports, volumes, depends_on, environment, networks), paths are absolute, names of networks
 * and volumes carry the project prefix. Keys are the Compose file's own (snake_case), so the
 * model serialises as it is; fields the loader does not rewrite stay as the file wrote them
 * (`[key: string]: unknown`).
 */

/** Environment and labels: a variable without a value (`- FOO`, unset in the environment) is null. */
export type Mapping = Record<string, string | null>;

export interface ComposeProject {
  name: string;
  services: Record<string, ServiceConfig>;
  networks?: Record<string, NetworkConfig>;
  volumes?: Record<string, VolumeConfig>;
  secrets?: Record<string, FileObjectConfig>;
  configs?: Record<string, FileObjectConfig>;
  models?: Record<string, Record<string, unknown>>;
  /** `x-*` top-level extensions, kept as written. */
  [extension: `x-${string}`]: unknown;
}

/** What the loader knows beyond the model: where the project lives, the profiles it saw. */
export interface LoadedProject {
  project: ComposeProject;
  workingDir: string;
  /** The Compose files, in merge order (includes not listed). */
  files: string[];
  /** Every profile any service declares, enabled or not. */
  allProfiles: string[];
  /** Services left out because none of their profiles is active. */
  disabledServices: Record<string, ServiceConfig>;
  /** The variables interpolation used (the OS environment over the `.env`/`--env-file` ones). */
  environment: Record<string, string>;
  warnings: string[];
}

export interface ServiceConfig {
  build?: BuildConfig;
  command?: string[] | null;
  container_name?: string;
  depends_on?: Record<string, DependsOnConfig>;
  entrypoint?: string[] | null;
  environment?: Mapping;
  expose?: string[];
  extends?: never;
  healthcheck?: HealthcheckConfig;
  image?: string;
  labels?: Record<string, string>;
  network_mode?: string;
  networks?: Record<string, ServiceNetworkConfig | null>;
  ports?: ServicePortConfig[];
  profiles?: string[];
  restart?: string;
  secrets?: ServiceFileReference[];
  configs?: ServiceFileReference[];
  volumes?: ServiceVolumeConfig[];
  [key: string]: unknown;
}

export interface BuildConfig {
  context: string;
  dockerfile?: string;
  dockerfile_inline?: string;
  args?: Mapping;
  target?: string;
  [key: string]: unknown;
}

export type DependsOnCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface DependsOnConfig {
  condition: DependsOnCondition;
  restart?: boolean;
  required: boolean;
}

export interface HealthcheckConfig {
  test?: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  start_interval?: string;
  disable?: boolean;
}

export interface ServiceNetworkConfig {
  aliases?: string[];
  ipv4_address?: string;
  ipv6_address?: string;
  [key: string]: unknown;
}

/** A port in long syntax: `published` is a string (it may be a range), as compose-go keeps it. */
export interface ServicePortConfig {
  name?: string;
  mode: 'ingress' | 'host';
  host_ip?: string;
  target: number;
  published?: string;
  protocol: 'tcp' | 'udp' | string;
  app_protocol?: string;
}

export type VolumeType = 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster' | 'image';

export interface ServiceVolumeConfig {
  type: VolumeType;
  /** A host path (bind, absolute) or a volume's key in the top-level `volumes`; absent for an anonymous volume. */
  source?: string;
  target: string;
  read_only?: boolean;
  consistency?: string;
  bind?: { propagation?: string; create_host_path?: boolean; selinux?: 'z' | 'Z'; recursive?: string };
  volume?: { nocopy?: boolean; subpath?: string; labels?: Mapping };
  tmpfs?: { size?: number | string; mode?: number };
  image?: { subpath?: string };
}

export interface ServiceFileReference {
  source: string;
  target?: string;
  uid?: string;
  gid?: string;
  mode?: number | string;
}

export interface NetworkConfig {
  /** The engine's name for it: `<project>_<key>` unless `name:` or external. */
  name: string;
  driver?: string;
  driver_opts?: Record<string, string>;
  external?: boolean;
  internal?: boolean;
  attachable?: boolean;
  enable_ipv6?: boolean;
  ipam?: Record<string, unknown>;
  labels?: Record<string, string>;
  [key: string]: unknown;
}

export interface VolumeConfig {
  name: string;
  driver?: string;
  driver_opts?: Record<string, string>;
  external?: boolean;
  labels?: Record<string, string>;
  [key: string]: unknown;
}

/** A top-level secret or config: `file` absolute, or `environment`/`content`/`external`. */
export interface FileObjectConfig {
  name: string;
  file?: string;
  environment?: string;
  content?: string;
  external?: boolean;
  [key: string]: unknown;
}

/** What the loader reads through: the caller decides where files come from (core does no I/O). */
export interface ComposeFiles {
  /** The file's text, or undefined when it does not exist. */
  read(path: string): string | undefined;
  /** True for an existing directory (a bind source is not checked: Compose creates it). */
  isDirectory?(path: string): boolean;
}

export interface ComposeLoadOptions {
  /** Absolute paths of the Compose files in merge order (`-f`, or what discovery found). */
  files: string[];
  /** `--project-directory`; by default the first file's directory. */
  projectDirectory?: string;
  /** `-p`. */
  projectName?: string;
  /** `--env-file`, absolute; by default `<project dir>/.env` when it exists. */
  envFiles?: string[];
  /** `--profile`; COMPOSE_PROFILES from the environment when empty. */
  profiles?: string[];
  /** Services named on the command line: enabled whatever their profiles, with their dependencies. */
  services?: string[];
  /** The OS environment (process.env). */
  environment: Record<string, string | undefined>;
  /** The user's home, for `~` in bind sources. */
  home?: string;
  /** Told each warning as it arises (also listed in the result), so a load that fails still shows them. */
  onWarning?: (msg: string) => void;
}
