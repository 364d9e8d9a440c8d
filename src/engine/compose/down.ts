/**
 * @module engine/compose/down
 * `compose down`: the project's containers stopped and removed (dependents first), then its
 * networks, and with `-v` its named volumes and the containers' anonymous ones.
 */
import type { LoadedProject } from '../../core/compose/types.js';
import type { Engine } from '../index.js';
import { startOrder } from './order.js';
import { serviceImage } from './service-input.js';
import { projectContainers, projectNetworks, projectVolumes } from './state.js';
import type { ComposeHooks } from './up.js';

export interface DownOptions {
  volumes?: boolean;
  removeOrphans?: boolean;
  timeoutSec?: number;
  rmi?: 'local' | 'all';
}

export async function composeDown(engine: Engine, loaded: LoadedProject, opts: DownOptions, hooks: ComposeHooks): Promise<void> {
  const { project } = loaded;
  const order = startOrder(project.services).reverse();
  const rank = (s: string) => (order.includes(s) ? order.indexOf(s) : -1);
  const known = (s: string) => !!project.services[s] || !!loaded.disabledServices[s];
  const all = (await projectContainers(engine, project.name, { oneoff: true })).sort((a, b) => rank(a.service) - rank(b.service));
  const orphans = all.filter((c) => !known(c.service));
  if (orphans.length && !opts.removeOrphans) {
    hooks.warn(`Found orphan containers ([${orphans.map((c) => c.name).join(' ')}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`);
  }
  const doomed = all.filter((c) => known(c.service) || opts.removeOrphans);
  for (const c of doomed) {
    if (c.state === 'running' || c.state === 'restarting' || c.state === 'paused') {
      hooks.progress('Container', c.name, 'Stopping');
      await engine.containers.stop(c.id, opts.timeoutSec);
      hooks.progress('Container', c.name, 'Stopped');
    }
    hooks.progress('Container', c.name, 'Removing');
    await engine.containers.remove(c.id, { force: true, volumes: !!opts.volumes });
    hooks.progress('Container', c.name, 'Removed');
  }
  const nets = new Set([
    ...Object.values(project.networks ?? {}).filter((n) => !n.external).map((n) => n.name),
    ...projectNetworks(engine, project.name).map((n) => n.Name),
  ]);
  for (const name of nets) {
    if (!engine.networks.list().some((n) => n.Name === name)) continue;
    hooks.progress('Network', name, 'Removing');
    await engine.networks.remove(name);
    hooks.progress('Network', name, 'Removed');
  }
  if (opts.volumes) {
    const vols = new Set([
      ...Object.values(project.volumes ?? {}).filter((v) => !v.external).map((v) => v.name),
      ...projectVolumes(engine, project.name).map((v) => v.Name),
    ]);
    const present = new Set(engine.volumes.list().map((v) => v.Name));
    for (const name of vols) {
      if (!present.has(name)) continue;
      hooks.progress('Volume', name, 'Removing');
      await engine.volumes.remove(name);
      hooks.progress('Volume', name, 'Removed');
    }
  }
  if (opts.rmi) {
    const images = new Set(
      Object.entries(project.services)
        .filter(([, s]) => opts.rmi === 'all' || !s.image)
        .map(([n, s]) => serviceImage(project.name, n, s)),
    );
    for (const image of images) {
      if (!engine.images.exists(image)) continue;
      try {
        engine.images.remove(image);
        hooks.progress('Image', image, 'Removed');
      } catch (e) {
        hooks.warn(`image ${image}: ${(e as Error).message}`);
      }
    }
  }
}
