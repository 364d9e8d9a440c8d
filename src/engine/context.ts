import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from '../sys/random.js';
import type { SkiffConfig, StorageDriverName } from '../core/config/types.js';
import type { LayerDriver } from '../core/layers/driver.js';
import { failedPrecondition } from '../core/errdefs.js';
import { LocalContentStore } from '../impl/content/local-store.js';
import { openDatabase, type DB } from '../impl/metadata/db.js';
import { Records } from '../impl/metadata/records.js';
import { createLayerDriver, overlaySupported } from '../impl/layers/index.js';
import { EventLog } from './events/log.js';
import { LockManager } from '../impl/locks/lock-manager.js';
import { armCrashPoints } from '../sys/crash-point.js';
import { inUserNamespace } from '../sys/linux/rootless-uid.js';
import { accessSync, constants as fsc } from 'node:fs';

const FUSE_OVERLAYFS = '/usr/bin/fuse-overlayfs';

function fuseOverlayUsable(): boolean {
  try {
    accessSync(FUSE_OVERLAYFS, fsc.X_OK);
    accessSync('/dev/fuse', fsc.R_OK | fsc.W_OK);
    return true;
  } catch {
    return false;
  }
}

export interface EngineOptions {
  config: SkiffConfig;
  /** Overrides config.storage.root / runroot / driver (the CLI's global flags). */
  root?: string;
  runroot?: string;
  storageDriver?: StorageDriverName;
  /**
   * SQLite's busy timeout: how long a write may wait for another process's lock with the event
   * loop stopped. Default 60 s (the CLI); the API service gives a few ms (see impl/metadata/db.ts).
   */
  sqliteBusyTimeoutMs?: number;
}

/**
 * What every engine verb works with: paths, the state database, the content store and the
 * storage driver. Each piece opens on first use, so `skiff version` touches no disk.
 */
export class EngineContext {
  readonly config: SkiffConfig;
  readonly root: string;
  readonly runroot: string;
  private readonly requestedDriver: StorageDriverName | undefined;
  private readonly busyTimeoutMs: number | undefined;
  private _db?: DB;
  private _records?: Records;
  private _content?: LocalContentStore;
  private _driver?: LayerDriver;
  private _events?: EventLog;
  private _locks?: LockManager;

  constructor(opts: EngineOptions) {
    this.config = opts.config;
    this.root = opts.root ?? opts.config.storage.root;
    this.runroot = opts.runroot ?? opts.config.storage.runroot;
    this.requestedDriver = opts.storageDriver;
    this.busyTimeoutMs = opts.sqliteBusyTimeoutMs;
    armCrashPoints();
  }

  get db(): DB {
    if (!this._db) {
      mkdirSync(this.root, { recursive: true, mode: 0o700 });
      this._db = openDatabase(join(this.root, 'skiff.db'), this.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: this.busyTimeoutMs });
    }
    return this._db;
  }

  get records(): Records {
    return (this._records ??= new Records(this.db));
  }

  /** Events of every process using this run root (`events`, `wait` conditions). */
  get events(): EventLog {
    return (this._events ??= new EventLog(join(this.runroot, 'events')));
  }

  /** flock-based locks of containers, volumes, networks and builds, under `<runroot>/locks`. */
  get locks(): LockManager {
    if (!this._locks) {
      // Made here, not by the lock files' recursive mkdir (0700): a user-namespaced container's
      // root (an unprivileged host uid) reaches its rootfs through the run root.
      mkdirSync(this.runroot, { recursive: true, mode: 0o711 });
      this._locks = new LockManager(join(this.runroot, 'locks'));
    }
    return this._locks;
  }

  get content(): LocalContentStore {
    return (this._content ??= new LocalContentStore(join(this.root, 'content')));
  }

  /**
   * The root keeps the driver it was created with: layers written by one driver cannot be
   * read by the other. A fresh root takes the requested driver, falling back to vfs where
   * the kernel has no overlay.
   */
  get driver(): LayerDriver {
    if (this._driver) return this._driver;
    const recorded = this.records.meta('storage_driver') as StorageDriverName | undefined;
    let name: StorageDriverName;
    if (recorded) {
      if (this.requestedDriver && this.requestedDriver !== recorded) {
        throw failedPrecondition(
          `storage root ${this.root} uses the "${recorded}" driver; "${this.requestedDriver}" was asked for`,
        );
      }
      name = recorded;
    } else {
      let wanted = this.requestedDriver ?? this.config.storage.driver;
      if (wanted === 'overlay' && !this.config.storage.mountProgram) {
        // A user namespace may refuse kernel overlay mounts (Linux before 5.11): there only a real
        // mount tells, and fuse-overlayfs comes next when the user may use FUSE.
        const kernel = overlaySupported(inUserNamespace() ? this.root : undefined);
        if (!kernel && inUserNamespace() && fuseOverlayUsable()) this.records.metaDefault('mount_program', FUSE_OVERLAYFS);
        else if (!kernel) wanted = 'vfs';
      }
      name = this.records.metaDefault('storage_driver', wanted) as StorageDriverName;
    }
    return (this._driver = createLayerDriver(name, this.root, {}, { mountProgram: this.mountProgram() }));
  }

  /** The FUSE program mounting overlay layers here (skiff.conf's, or the one a probe chose for this root); undefined: the kernel. */
  mountProgram(): string | undefined {
    return this.config.storage.mountProgram || (this.records.meta('mount_program') as string | undefined) || undefined;
  }

  /** Driver name without creating anything (for `info`). */
  driverName(): StorageDriverName {
    return this._driver?.name ?? (this.records.meta('storage_driver') as StorageDriverName | undefined) ?? this.config.storage.driver;
  }

  newId(): string {
    return randomBytes(32).toString('hex');
  }

  close(): void {
    this._db?.close();
    this._db = undefined;
    this._records = undefined;
  }
}
