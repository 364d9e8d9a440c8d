/**
 * @module engine/compose/resources
 * A project's networks and volumes: made when missing (with Compose's labels), external ones
 * only checked.
 */
import { isEngineError, notFound } from '../../core/errdefs.js';
import type { LoadedProject } from '../../core/compose/types.js';
import type { Engine } from '../index.js';
import * as L from './labels.js';
import type { ComposeHooks } from './up.js';

/** Networks and volumes of the project that are not external: made when missing. */
export async function ensureProjectResources(engine: Engine, loaded: LoadedProject, hooks: ComposeHooks): Promise<void> {
  const { project } = loaded;
  for (const [key, n] of Object.entries(project.networks ?? {})) {
    if (n.external) {
      if (!exists(() => engine.networks.inspect(n.name))) throw notFound(`network ${n.name} declared as external, but could not be found`);
      continue;
    }
    if (exists(() => engine.networks.inspect(n.name))) continue;
    hooks.progress('Network', n.name, 'Creating');
    const ipamConfig = ((n.ipam as { config?: { subnet?: string; gateway?: string; ip_range?: string }[] } | undefined)?.config ?? [])[0];
    engine.networks.create({
      name: n.name,
      ...(n.driver ? { driver: n.driver } : {}),
      ...(n.internal ? { internal: true } : {}),
      ...(n.enable_ipv6 ? { ipv6: true } : {}),
      ...(n.driver_opts ? { options: n.driver_opts } : {}),
      ...(ipamConfig?.subnet ? { subnet: ipamConfig.subnet } : {}),
      ...(ipamConfig?.gateway ? { gateway: ipamConfig.gateway } : {}),
      ...(ipamConfig?.ip_range ? { ipRange: ipamConfig.ip_range } : {}),
      labels: { ...(n.labels ?? {}), [L.PROJECT]: project.name, [L.NETWORK]: key, [L.VERSION]: L.COMPOSE_VERSION },
    });
    hooks.progress('Network', n.name, 'Created');
  }
  for (const [key, v] of Object.entries(project.volumes ?? {})) {
    if (v.external) {
      if (!exists(() => engine.volumes.inspect(v.name))) throw notFound(`external volume "${v.name}" not found`);
      continue;
    }
    if (exists(() => engine.volumes.inspect(v.name))) continue;
    hooks.progress('Volume', v.name, 'Creating');
    await engine.volumes.create({
      name: v.name,
      ...(v.driver ? { driver: v.driver } : {}),
      ...(v.driver_opts ? { options: v.driver_opts } : {}),
      labels: { ...(v.labels ?? {}), [L.PROJECT]: project.name, [L.VOLUME]: key, [L.VERSION]: L.COMPOSE_VERSION },
    });
    hooks.progress('Volume', v.name, 'Created');
  }
}

function exists(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (isEngineError(e, 'NotFound')) return false;
    throw e;
  }
}
