/**
 * @module lib/engine
 * `createEngine`: the library's engine, a set of per-resource interfaces over the same engine
 * the CLI and the API service run. The object has no other members: what the CLI and the API
 * reach beyond these goes through src/engine, which the package does not export.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine as createInternal, loadConfig, type Engine as InternalEngine } from '../engine/index.js';
import type { SkiffConfig, StorageDriverName } from '../core/config/types.js';
import { imagesOf, type Images } from './images.js';
import { containersOf, type Containers } from './containers.js';
import { volumesOf, type Volumes } from './volumes.js';
import { networksOf, type Networks } from './networks.js';
import { podsOf, type Pods } from './pods.js';
import { builderOf, type Builder } from './builder.js';
import { eventsOf, type Events } from './events.js';
import { systemOf, type System } from './system.js';
import { composeOf, type Compose } from './compose.js';

export type { SkiffConfig, StorageDriverName };

export interface EngineOptions {
  /** skiff.conf to read; default `SKIFF_CONFIG`, else /etc/skiff/skiff.conf when present, else built-in defaults. */
  configFile?: string;
  /** Image and container storage; default skiff.conf's, /var/lib/skiff. */
  root?: string;
  /** Runtime state (pids, sockets, the event log); default skiff.conf's, /run/skiff. */
  runroot?: string;
  /** `overlay` or `vfs`; default skiff.conf's. */
  storageDriver?: StorageDriverName;
  /**
   * The command conmon runs when a container exits, to record its exit (`container cleanup`);
   * default this package's CLI under the running Node.
   */
  cleanupCommand?: string[];
}

/** The engine: one storage root and run root, shared with every other skiff process using them. */
export interface Engine {
  readonly images: Images;
  readonly containers: Containers;
  readonly volumes: Volumes;
  readonly networks: Networks;
  readonly builder: Builder;
  readonly pods: Pods;
  readonly compose: Compose;
  readonly system: System;
  readonly events: Events;
  /** Closes the state database. Containers keep running under their monitors. */
  close(): void;
}

const internals = new WeakMap<Engine, InternalEngine>();

/** The engine behind a library engine: for serveDockerApi, not exported by the package. */
export function internalOf(engine: Engine): InternalEngine {
  const e = internals.get(engine);
  if (!e) throw new TypeError('not an engine made by createEngine');
  return e;
}

/** bin/skiff of this package, from dist/lib/index.js or src/lib/engine.ts alike. */
function packageCli(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/skiff');
}

/** Reads skiff.conf and returns the engine; its storage opens on the first call that needs it. */
export function createEngine(opts: EngineOptions = {}): Engine {
  const config = loadConfig(opts.configFile ? { path: opts.configFile } : {});
  // The cleanup process reads the same configuration and driver as this one.
  const configEnv = opts.configFile ? ['/usr/bin/env', `SKIFF_CONFIG=${resolve(opts.configFile)}`] : [];
  const driverFlag = opts.storageDriver ? ['--storage-driver', opts.storageDriver] : [];
  const internal = createInternal({
    config,
    configFile: opts.configFile ?? process.env.SKIFF_CONFIG ?? '/etc/skiff/skiff.conf',
    ...(opts.root ? { root: opts.root } : {}),
    ...(opts.runroot ? { runroot: opts.runroot } : {}),
    ...(opts.storageDriver ? { storageDriver: opts.storageDriver } : {}),
    cleanupCommand: opts.cleanupCommand ?? [...configEnv, process.execPath, packageCli(), ...driverFlag],
  });
  const engine: Engine = Object.freeze({
    images: imagesOf(() => internal.images),
    containers: containersOf(() => internal.containers),
    volumes: volumesOf(() => internal.volumes),
    networks: networksOf(() => internal.networks),
    builder: builderOf(() => internal.builder),
    pods: podsOf(() => internal.pods),
    compose: composeOf(() => internal),
    system: systemOf(() => internal),
    events: eventsOf(() => internal.events),
    close: () => internal.close(),
  });
  internals.set(engine, internal);
  return engine;
}
