/**
 * @module lib/compose
 * `engine.compose`: Compose projects without a daemon, as `skiff compose up/down/ps` run them
 * (Docker Compose v2's labels and names, so docker-compose over the API sees the same project).
 */
import type { Engine as InternalEngine } from '../engine/index.js';
import { isEngineError } from '../core/errdefs.js';
import type { ComposeHooks } from '../engine/compose/up.js';
import type { LoadedProject } from '../core/compose/types.js';
import type { ContainerStatus } from '../engine/containers/types.js';
import type { Cancellable } from './common.js';

/** Which project: its Compose files, or (for `down` and `ps`) only its name. */
export interface ComposeProjectOptions {
  /** Compose files, merged in order; default compose.yaml (and the other names Compose looks for) in `projectDirectory`. */
  files?: string[];
  /** Default the first file's directory, else the current one. */
  projectDirectory?: string;
  /** Default `name:` of the files, else the project directory's name. */
  projectName?: string;
  /** `.env` files for interpolation; default `.env` in the project directory. */
  envFiles?: string[];
  profiles?: string[];
  /** Variables for interpolation; default this process's environment. */
  environment?: Record<string, string | undefined>;
}

/** One step as Compose prints it: ` Container demo-web-1  Started`. */
export interface ComposeProgress {
  kind: 'Network' | 'Volume' | 'Container' | 'Image';
  name: string;
  status: string;
}

export interface ComposeListeners extends Cancellable {
  onProgress?: (event: ComposeProgress) => void;
  onWarning?: (message: string) => void;
}

export interface ComposeUpOptions extends ComposeProjectOptions, ComposeListeners {
  /** Only these services (and what they depend on, unless `noDeps`). */
  services?: string[];
  noDeps?: boolean;
  forceRecreate?: boolean;
  noRecreate?: boolean;
  /** Replicas per service, over `deploy.replicas`. */
  scale?: Record<string, number>;
  removeOrphans?: boolean;
  /** Create the containers without starting them. */
  noStart?: boolean;
  /** Build images with a `build:` section first; `noBuild`: never, even when missing. */
  build?: boolean;
  noBuild?: boolean;
  /** Stop timeout in seconds for containers recreated or removed. */
  timeout?: number;
}

export interface ComposeDownOptions extends ComposeProjectOptions, ComposeListeners {
  /** Named volumes of the project and anonymous volumes of its containers too. */
  volumes?: boolean;
  removeOrphans?: boolean;
  timeout?: number;
  /** Images of the services: `local` (those built, without `image:`) or `all`. */
  rmi?: 'local' | 'all';
}

export interface ComposeContainer {
  id: string;
  name: string;
  service: string;
  /** The replica number (`demo-web-2` is 2). */
  number: number;
  state: ContainerStatus;
}

/**
 * Compose projects. The signal of `up` and `down` aborts image pulls and builds in flight;
 * containers already made stay (a later `up` continues, `down` removes them).
 */
export interface Compose {
  up(opts?: ComposeUpOptions): Promise<void>;
  down(opts?: ComposeDownOptions): Promise<void>;
  /** The project's containers (one-off `run` containers left out). */
  ps(opts?: ComposeProjectOptions): Promise<ComposeContainer[]>;
}

async function load(engine: InternalEngine, o: ComposeProjectOptions & ComposeListeners, fromState: boolean): Promise<LoadedProject> {
  const { loadProject } = await import('../engine/compose/load.js');
  try {
    return loadProject({
      ...(o.files ? { files: o.files } : {}),
      ...(o.projectDirectory ? { projectDirectory: o.projectDirectory } : {}),
      ...(o.projectName ? { projectName: o.projectName } : {}),
      ...(o.envFiles ? { envFiles: o.envFiles } : {}),
      ...(o.profiles ? { profiles: o.profiles } : {}),
      ...(o.environment ? { environment: o.environment } : {}),
      ...(o.onWarning ? { onWarning: o.onWarning } : {}),
    });
  } catch (e) {
    // As `compose down -p NAME` does without a file: the project as its containers' labels tell it.
    if (!fromState || !o.projectName || o.files?.length || !isEngineError(e, 'NotFound')) throw e;
    const { projectFromState } = await import('../engine/compose/state.js');
    return projectFromState(engine, o.projectName, o.projectDirectory ?? process.cwd());
  }
}

function hooks(engine: InternalEngine, o: ComposeListeners): ComposeHooks {
  const signal = o.signal ? { signal: o.signal } : {};
  return {
    progress: (kind, name, status) => o.onProgress?.({ kind, name, status }),
    warn: (m) => o.onWarning?.(m),
    ensureImage: async (image) => {
      if (!engine.images.exists(image)) await engine.images.pull(image, signal);
    },
    build: async (_service, b) => void (await engine.builder.build({ ...b, env: process.env, ...signal })),
  };
}

export function composeOf(engine: () => InternalEngine): Compose {
  return {
    up: async (o = {}) => {
      const e = engine();
      const loaded = await load(e, o, false);
      const { composeUp } = await import('../engine/compose/up.js');
      await composeUp(
        e,
        loaded,
        {
          ...(o.services ? { services: o.services } : {}),
          noDeps: o.noDeps,
          forceRecreate: o.forceRecreate,
          noRecreate: o.noRecreate,
          ...(o.scale ? { scale: o.scale } : {}),
          removeOrphans: o.removeOrphans,
          noStart: o.noStart,
          build: o.build,
          noBuild: o.noBuild,
          ...(o.timeout !== undefined ? { timeoutSec: o.timeout } : {}),
        },
        hooks(e, o),
      );
    },
    down: async (o = {}) => {
      const e = engine();
      const loaded = await load(e, o, true);
      const { composeDown } = await import('../engine/compose/down.js');
      await composeDown(
        e,
        loaded,
        { volumes: !!o.volumes, removeOrphans: !!o.removeOrphans, ...(o.timeout !== undefined ? { timeoutSec: o.timeout } : {}), ...(o.rmi ? { rmi: o.rmi } : {}) },
        hooks(e, o),
      );
    },
    ps: async (o = {}) => {
      const e = engine();
      const loaded = await load(e, o, true);
      const { projectContainers } = await import('../engine/compose/state.js');
      return (await projectContainers(e, loaded.project.name)).map((c) => ({ id: c.id, name: c.name, service: c.service, number: c.number, state: c.summary.State }));
    },
  };
}
