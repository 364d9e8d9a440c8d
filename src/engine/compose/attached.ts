/**
 * @module engine/compose/attached
 * Attached `compose up`: the attached services' output until their containers have all exited,
 * and Docker Compose v2's cascade — with `--abort-on-container-exit` (or `--exit-code-from`,
 * which implies it) the first exit stops every service of the `up`; with
 * `--abort-on-container-failure` only a non-zero one does. The exit status is then that of the
 * `--exit-code-from` service's container, or else of the service whose container exited first
 * (its last exit counts, as in Compose's log printer).
 */
import type { LoadedProject } from '../../core/compose/types.js';
import type { LogRecord } from '../../core/oci-runtime/k8s-log.js';
import type { Engine } from '../index.js';
import { startOrder } from './order.js';
import { projectContainers, type ProjectContainer } from './state.js';
import type { ComposeHooks } from './up.js';
import { watchProject } from './watch.js';

export type Cascade = 'ignore' | 'stop' | 'fail';

export interface AttachedOptions {
  /** The services whose output is shown and whose exits count (Compose's attach set). */
  attach: string[];
  /** The services the `up` acts on: the ones stopped on abort or interrupt. */
  services: string[];
  /** Output from then on (the `up`'s start). */
  since?: Date;
  signal?: AbortSignal;
  onExit?: Cascade;
  exitCodeFrom?: string;
  timeoutSec?: number;
}

export interface AttachedHooks extends Pick<ComposeHooks, 'progress'> {
  /** The first output of a container (its prefix joins the others' width). */
  register(c: ProjectContainer): void;
  log(c: ProjectContainer, r: LogRecord): void | Promise<void>;
  /** `exited with code N` and the like. */
  status(c: ProjectContainer, text: string): void;
  /** The cascade begins (Compose prints "Aborting on container exit..."). */
  aborting(): void;
  /** Interrupted: the services are stopped (Compose prints "Gracefully stopping..."). */
  interrupted(): void;
}

/** Stops the services' running containers, dependents first, as `compose stop` does. */
export async function stopServices(engine: Engine, loaded: LoadedProject, services: string[], hooks: Pick<ComposeHooks, 'progress'>, timeoutSec?: number): Promise<void> {
  const order = startOrder(loaded.project.services).reverse();
  const cs = (await projectContainers(engine, loaded.project.name))
    .filter((c) => services.includes(c.service) && ['running', 'restarting', 'paused'].includes(c.state))
    .sort((a, b) => order.indexOf(a.service) - order.indexOf(b.service) || a.number - b.number);
  for (const c of cs) {
    hooks.progress('Container', c.name, 'Stopping');
    await engine.containers.stop(c.id, timeoutSec);
    hooks.progress('Container', c.name, 'Stopped');
  }
}

/** Shows the attached services' output until their containers exited; the `up`'s exit status. */
export async function followAttachedUp(engine: Engine, loaded: LoadedProject, o: AttachedOptions, hooks: AttachedHooks): Promise<number> {
  const cascade = o.onExit ?? 'ignore';
  let aborting = false;
  let stopping: Promise<void> | undefined;
  let exitCodeFrom = o.exitCodeFrom;
  let exitCode = 0;
  await watchProject(
    engine,
    loaded.project.name,
    { services: o.attach, follow: true, exits: true, ...(o.since ? { since: o.since } : {}), ...(o.signal ? { signal: o.signal } : {}) },
    async (e) => {
      if (e.type === 'attach') return hooks.register(e.container);
      if (e.type === 'log') return aborting ? undefined : hooks.log(e.container, e.record);
      if (!aborting) hooks.status(e.container, `exited with code ${e.exitCode}`);
      if (cascade === 'ignore') return;
      if (!aborting && (cascade === 'stop' || e.exitCode !== 0)) {
        aborting = true;
        hooks.aborting();
        stopping = stopServices(engine, loaded, o.services, hooks, o.timeoutSec);
      }
      if (!aborting) return;
      exitCodeFrom ??= e.container.service;
      if (exitCodeFrom === e.container.service) exitCode = e.exitCode;
    },
  );
  await stopping;
  if (o.signal?.aborted && !aborting) {
    hooks.interrupted();
    await stopServices(engine, loaded, o.services, hooks, o.timeoutSec);
  }
  return exitCode;
}
