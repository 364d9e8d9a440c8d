/**
 * @module engine
 * The engine library's front door: `createEngine` gives the per-resource engines that the
 * CLI and the API service call.
 */
import type { SkiffConfig, StorageDriverName } from '../core/config/types.js';
import { EngineContext } from './context.js';
import { ImageEngine } from './images/index.js';
import { ContainerEngine } from './containers/index.js';
import { VolumeEngine } from './volumes/index.js';
import { NetworkEngine } from './networks/index.js';
import { BuildEngine } from './build/index.js';
import { collectGarbage, type GcReport } from './gc.js';
import { diskUsage, type DiskUsage } from './system/df.js';
import { systemInfo, type SystemInfo } from './system/info.js';
import type { EventLog } from './events/log.js';
import { TimerEngine } from './timers/index.js';
import { PodEngine } from './pods/index.js';
import type { CheckReport } from './system/check.js';
import type { ImagePruneReport } from './images/types.js';
import type * as kubeGenerateMod from './kube/generate.js';

type KubeGenerateArgs = Parameters<typeof kubeGenerateMod.generateKube> extends [unknown, unknown, ...infer R] ? R : never;
export type { KubeGenerateRequest, KubeGenerateResult } from './kube/generate.js';
type KubeGenerateResult = kubeGenerateMod.KubeGenerateResult;

export type { CheckReport, CheckFinding } from './system/check.js';

export interface SystemPruneReport {
  /** Findings of `system check` repaired on the way. */
  repaired: number;
  /** Pods none of whose containers ran (Podman's system prune takes them first). */
  pods: string[];
  containers: string[];
  networks: string[];
  images: ImagePruneReport;
  volumes: string[];
  bytesReclaimed: number;
}

export interface CreateEngineOptions {
  config: SkiffConfig;
  configFile?: string;
  root?: string;
  runroot?: string;
  storageDriver?: StorageDriverName;
  /** argv that runs the skiff CLI; conmon runs `<argv> container cleanup ID` when a container exits. */
  cleanupCommand?: string[];
  /** SQLite's busy timeout in ms (default 60 s): the API service's is short, see impl/metadata/db.ts. */
  sqliteBusyTimeoutMs?: number;
}

export class Engine {
  readonly ctx: EngineContext;
  readonly images: ImageEngine;
  private readonly configFile: string;
  private _containers?: ContainerEngine;
  private readonly cleanupCommand?: string[];

  constructor(opts: CreateEngineOptions) {
    this.ctx = new EngineContext(opts);
    this.images = new ImageEngine(this.ctx);
    this.configFile = opts.configFile ?? '';
    this.cleanupCommand = opts.cleanupCommand;
  }

  private _volumes?: VolumeEngine;
  get volumes(): VolumeEngine {
    return (this._volumes ??= new VolumeEngine(this.ctx));
  }

  private _networks?: NetworkEngine;
  get networks(): NetworkEngine {
    return (this._networks ??= new NetworkEngine(this.ctx, () => this.containers.cc));
  }

  get containers(): ContainerEngine {
    return (this._containers ??= new ContainerEngine(this.ctx, {
      cleanupCommand: this.cleanupCommand,
      wakeTimers: () => {
        try {
          this.timers.ensure();
        } catch {
          // the next command checks again
        }
      },
    }));
  }

  private _pods?: PodEngine;
  /** Podman's pods (engine/pods/). */
  get pods(): PodEngine {
    return (this._pods ??= new PodEngine(() => this.containers));
  }

  private _timers?: TimerEngine;
  /** Health probes and restart back-offs: who runs them (engine/timers/). */
  get timers(): TimerEngine {
    return (this._timers ??= new TimerEngine(
      { root: this.ctx.root, runroot: this.ctx.runroot },
      () => this.containers.cc,
      () => this.cleanupCommand && [...this.cleanupCommand, '--root', this.ctx.root, '--runroot', this.ctx.runroot],
    ));
  }

  /** Container and network events of every process on this run root. */
  get events(): EventLog {
    return this.ctx.events;
  }

  private _builder?: BuildEngine;
  /** `build`, `builder prune` and the build cache. */
  get builder(): BuildEngine {
    return (this._builder ??= new BuildEngine(this.ctx, () => this.containers.cc));
  }

  /** `kube generate`: Kubernetes YAML for containers, pods and volumes (kube/generate.ts). */
  async kubeGenerate(...a: KubeGenerateArgs): Promise<KubeGenerateResult> {
    return (await import('./kube/generate.js')).generateKube(this.containers.cc, this.volumes, ...a);
  }

  info(): SystemInfo {
    const info = systemInfo(this.ctx, this.configFile);
    try {
      return { ...info, timers: this.timers.status() };
    } catch {
      return info;
    }
  }

  async df(): Promise<DiskUsage> {
    return diskUsage(this.ctx, await this.containers.list({ all: true, size: true }));
  }

  gc(): GcReport {
    return collectGarbage(this.ctx);
  }

  /** `system check [--repair]`: what killed processes left (system/check.ts). */
  async check(opts: { repair?: boolean } = {}): Promise<CheckReport> {
    return (await import('./system/check.js')).systemCheck(this.ctx, this.containers.cc, opts);
  }

  /**
   * `system prune`: one pass leaves nothing that no object owns. What killed processes left is
   * repaired first (so their containers and networks become prunable), then stopped
   * pods (with their containers), stopped containers, unused networks, images (dangling, or all unused with `all`), the build
   * cache, and unreferenced layers, blobs and ingests.
   */
  async prune(opts: { all?: boolean; volumes?: boolean } = {}): Promise<SystemPruneReport> {
    const check = await this.check({ repair: true });
    const pods = await this.pods.prune();
    const containers = await this.containers.prune();
    const networks = await this.networks.prune();
    const volumes = opts.volumes ? await this.volumes.prune({ all: false }) : undefined;
    const images = await this.images.prune({ all: opts.all });
    const cache = this.builder.prune();
    const gc = this.gc();
    return {
      repaired: check.findings.length,
      pods,
      containers: containers.ContainersDeleted,
      networks,
      images,
      volumes: volumes?.VolumesDeleted ?? [],
      bytesReclaimed: containers.SpaceReclaimed + images.SpaceReclaimed + cache.bytesReclaimed + gc.bytesReclaimed + (volumes?.SpaceReclaimed ?? 0),
    };
  }

  close(): void {
    this.ctx.close();
  }
}

export function createEngine(opts: CreateEngineOptions): Engine {
  return new Engine(opts);
}

export type { SystemInfo, DiskUsage, GcReport };
export type { EngineEvent, EventQuery } from './events/types.js';
export { versionInfo, SKIFF_VERSION, API_VERSION, MIN_API_VERSION } from './system/info.js';
export { loadConfig, configFiles, rootlessPaths, SYSTEM_CONFIG_PATH } from './config/load.js';
