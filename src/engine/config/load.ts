import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { invalidArgument } from '../../core/errdefs.js';
import { defaultConfig, type SkiffConfig, type StorageDriverName } from '../../core/config/types.js';
import { registryLimits } from './registry-limits.js';
import { userPaths, type UserPaths } from '../../core/config/user-paths.js';
import { rootlessUid, userHome } from '../../sys/linux/rootless-uid.js';

export const SYSTEM_CONFIG_PATH = '/etc/skiff/skiff.conf';

export interface LoadConfigOptions {
  /**
   * Explicit file; otherwise SKIFF_CONFIG, otherwise /etc/skiff/skiff.conf if present and, for a
   * user who is not root, their ~/.config/skiff/skiff.conf over it.
   */
  path?: string;
  env?: NodeJS.ProcessEnv;
  /** The user skiff runs for when not root (default: this process's, see sys/linux/rootless-uid). */
  rootlessUid?: number | null;
  /** The system-wide file (tests); default /etc/skiff/skiff.conf. */
  systemPath?: string;
}

/** The config files read, in order (later ones win), and the defaults they start from. */
export function configFiles(opts: LoadConfigOptions = {}): { files: { path: string; required: boolean; userLevel: boolean }[]; rootless?: number } {
  const env = opts.env ?? process.env;
  const rootless = opts.rootlessUid === null ? undefined : (opts.rootlessUid ?? rootlessUid());
  const explicit = opts.path ?? env.SKIFF_CONFIG;
  if (explicit) return { files: [{ path: explicit, required: true, userLevel: true }], rootless };
  const files = [{ path: opts.systemPath ?? SYSTEM_CONFIG_PATH, required: false, userLevel: rootless === undefined }];
  if (rootless !== undefined) files.push({ path: userPaths(rootless, userHome(rootless, env), env).configFile, required: false, userLevel: true });
  return { files, rootless };
}

type Table = Record<string, unknown>;

function table(v: unknown): Table {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Table) : {};
}
function str(t: Table, key: string, fallback: string): string {
  const v = t[key];
  return typeof v === 'string' ? v : fallback;
}
function strList(t: Table, key: string, fallback: string[]): string[] {
  const v = t[key];
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : fallback;
}

/** Reads skiff.conf over the built-in defaults; a missing default file is not an error. */
export function loadConfig(opts: LoadConfigOptions = {}): SkiffConfig {
  const env = opts.env ?? process.env;
  const { files, rootless } = configFiles(opts);
  const cfg = defaultConfig();
  if (rootless !== undefined) {
    const paths = userPaths(rootless, userHome(rootless, env), env);
    cfg.storage.root = paths.root;
    cfg.storage.runroot = paths.runroot;
    cfg.network.hostClaimsDir = join(paths.runroot, 'network-claims');
  }
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f.path, 'utf8');
    } catch (e) {
      if (!f.required && (e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw invalidArgument(`reading config ${f.path}: ${(e as Error).message}`, e);
    }
    applyFile(cfg, text, f.path, f.userLevel);
  }
  return cfg;
}

/**
 * One file over what earlier ones set. The system file's storage paths are root's: a user who is
 * not root keeps their own (Podman ignores the system storage.conf's graphroot the same way).
 */
function applyFile(cfg: SkiffConfig, text: string, path: string, userLevel: boolean): void {
  let doc: Table;
  try {
    doc = parse(text) as Table;
  } catch (e) {
    throw invalidArgument(`parsing config ${path}: ${(e as Error).message}`, e);
  }
  const storage = table(doc.storage);
  const driver = str(storage, 'driver', cfg.storage.driver);
  if (driver !== 'overlay' && driver !== 'vfs') {
    throw invalidArgument(`config ${path}: storage.driver must be "overlay" or "vfs", not "${driver}"`);
  }
  cfg.storage = {
    driver: driver as StorageDriverName,
    root: userLevel ? str(storage, 'root', cfg.storage.root) : cfg.storage.root,
    runroot: userLevel ? str(storage, 'runroot', cfg.storage.runroot) : cfg.storage.runroot,
    mountProgram: str(storage, 'mount_program', cfg.storage.mountProgram),
  };
  if (cfg.storage.mountProgram && !cfg.storage.mountProgram.startsWith('/')) throw invalidArgument(`config ${path}: storage.mount_program must be an absolute path`);
  const engine = table(doc.engine);
  cfg.engine.runtime = str(engine, 'runtime', cfg.engine.runtime);
  cfg.engine.conmonPath = strList(engine, 'conmon_path', cfg.engine.conmonPath);
  for (const [name, paths] of Object.entries(table(engine.runtimes))) {
    if (Array.isArray(paths)) cfg.engine.runtimes[name] = paths.filter((p): p is string => typeof p === 'string');
  }
  cfg.engine.registryLimits = registryLimits(engine, cfg.engine.registryLimits, path);
  const containers = table(doc.containers);
  cfg.containers.defaultCapabilities = strList(containers, 'default_capabilities', cfg.containers.defaultCapabilities);
  cfg.containers.defaultUlimits = strList(containers, 'default_ulimits', cfg.containers.defaultUlimits);
  cfg.containers.seccompProfile = str(containers, 'seccomp_profile', cfg.containers.seccompProfile);
  cfg.containers.shmSize = str(containers, 'shm_size', cfg.containers.shmSize);
  if (typeof containers.pids_limit === 'number') cfg.containers.pidsLimit = containers.pids_limit;
  const logSizeMax = containers.log_size_max;
  if (logSizeMax !== undefined) {
    // containers.conf's rule: conmon reads 8 KiB at a time, so a positive limit below that could not hold a line.
    if (typeof logSizeMax !== 'number' || !Number.isInteger(logSizeMax) || (logSizeMax >= 0 && logSizeMax < 8192)) {
      throw invalidArgument(`config ${path}: containers.log_size_max must be a negative number (unlimited) or at least 8192 bytes`);
    }
    cfg.containers.logSizeMax = logSizeMax < 0 ? -1 : logSizeMax;
  }
  const network = table(doc.network);
  cfg.network.defaultNetwork = str(network, 'default_network', cfg.network.defaultNetwork);
  cfg.network.defaultSubnet = str(network, 'default_subnet', cfg.network.defaultSubnet);
  cfg.network.defaultInterface = str(network, 'default_interface', cfg.network.defaultInterface);
  cfg.network.networkConfigDir = str(network, 'network_config_dir', cfg.network.networkConfigDir);
  if (userLevel) cfg.network.hostClaimsDir = str(network, 'host_claims_dir', cfg.network.hostClaimsDir);
  if (!cfg.network.hostClaimsDir.startsWith('/')) throw invalidArgument(`config ${path}: network.host_claims_dir must be an absolute path`);
  cfg.network.interfacePrefix = str(network, 'interface_prefix', cfg.network.interfacePrefix);
  if (!/^[a-zA-Z][a-zA-Z0-9_-]{0,10}$/.test(cfg.network.interfacePrefix)) {
    throw invalidArgument(`config ${path}: network.interface_prefix must be 1 to 11 letters, digits, - or _`);
  }
  const pools = network.default_subnet_pools;
  if (pools !== undefined) {
    const ok =
      Array.isArray(pools) &&
      pools.every((p) => {
        const t = table(p);
        return typeof t.base === 'string' && /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(t.base) && typeof t.size === 'number' && Number.isInteger(t.size) && t.size >= 8 && t.size <= 30;
      });
    if (!ok) throw invalidArgument(`config ${path}: network.default_subnet_pools must be a list of { base = "A.B.C.D/N", size = 8..30 }`);
    cfg.network.defaultSubnetPools = (pools as Table[]).map((t) => ({ base: t.base as string, size: t.size as number }));
  }
  const service = table(doc.service);
  const group = service.socket_group;
  if (group !== undefined) {
    if (typeof group === 'number' && Number.isInteger(group) && group >= 0) cfg.service.socketGroup = String(group);
    else if (typeof group === 'string') cfg.service.socketGroup = group;
    else throw invalidArgument(`config ${path}: service.socket_group must be a group name or gid`);
  }
}

/** A user's own paths when skiff runs for a user who is not root; undefined for root. */
export function rootlessPaths(env: NodeJS.ProcessEnv = process.env): (UserPaths & { uid: number }) | undefined {
  const uid = rootlessUid();
  return uid === undefined ? undefined : { uid, ...userPaths(uid, userHome(uid, env), env) };
}
