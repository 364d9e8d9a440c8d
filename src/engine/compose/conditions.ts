/**
 * @module engine/compose/conditions
 * Waiting on containers: a dependency's `depends_on` condition, and `up --wait`.
 */
import { invalidArgument } from '../../core/errdefs.js';
import type { LoadedProject } from '../../core/compose/types.js';
import type { Engine } from '../index.js';
import { projectContainers } from './state.js';
import type { ComposeHooks } from './up.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits for a dependency's condition (Compose's messages when it cannot be met): started,
 * healthy, or exited with status 0.
 */
export async function waitCondition(engine: Engine, project: string, dep: string, condition: string, hooks: ComposeHooks): Promise<void> {
  // The walk starts a service only after its dependencies' starts returned: nothing to look up.
  if (condition === 'service_started') return;
  const cs = (await projectContainers(engine, project)).filter((c) => c.service === dep);
  for (const c of cs) {
    hooks.progress('Container', c.name, 'Waiting');
    for (;;) {
      const doc = (await engine.containers.inspect(c.id)) as { State: { Status: string; ExitCode: number; Health?: { Status: string } }; Config?: unknown };
      const st = doc.State;
      if (condition === 'service_healthy') {
        if (!st.Health) throw invalidArgument(`container ${c.name} has no healthcheck configured`);
        if (st.Health.Status === 'healthy') {
          hooks.progress('Container', c.name, 'Healthy');
          break;
        }
        if (st.Health.Status === 'unhealthy') throw invalidArgument(`dependency failed to start: container ${c.name} is unhealthy`);
        if (st.Status === 'exited' || st.Status === 'dead') throw invalidArgument(`dependency failed to start: container ${c.name} exited (${st.ExitCode})`);
      } else if (condition === 'service_completed_successfully') {
        if (st.Status === 'exited' || st.Status === 'dead') {
          if (st.ExitCode !== 0) throw invalidArgument(`service "${dep}" didn't complete successfully: exit ${st.ExitCode}`);
          hooks.progress('Container', c.name, 'Exited');
          break;
        }
      } else break;
      await sleep(250);
    }
  }
}

/** `up --wait`: every selected service's containers running, and healthy where they have a check. */
export async function waitRunning(engine: Engine, loaded: LoadedProject, services: string[], hooks: ComposeHooks): Promise<void> {
  for (const c of (await projectContainers(engine, loaded.project.name)).filter((x) => services.includes(x.service))) {
    for (;;) {
      const st = ((await engine.containers.inspect(c.id)) as { State: { Status: string; ExitCode: number; Health?: { Status: string } } }).State;
      if (st.Health?.Status === 'unhealthy') throw invalidArgument(`container ${c.name} is unhealthy`);
      if (st.Status === 'exited' || st.Status === 'dead') {
        const svc = loaded.project.services[c.service];
        // A service others wait to complete may exit 0.
        if (st.ExitCode === 0 && svc) break;
        throw invalidArgument(`container ${c.name} exited (${st.ExitCode})`);
      }
      if (st.Status === 'running' && (!st.Health || st.Health.Status === 'healthy')) {
        hooks.progress('Container', c.name, 'Healthy');
        break;
      }
      await sleep(250);
    }
  }
}
