/**
 * @module engine/compose/state
 * A project's state is what the engine has: containers, networks and volumes carrying its
 * Compose labels. Nothing else is stored, so `docker compose` and skiff read the same state.
 */
import type { LoadedProject, ServiceConfig } from '../../core/compose/types.js';
import type { Engine } from '../index.js';
import type { ContainerSummary } from '../containers/types.js';
import * as L from './labels.js';

export interface ProjectContainer {
  id: string;
  name: string;
  service: string;
  number: number;
  hash: string;
  oneoff: boolean;
  state: string;
  summary: ContainerSummary;
}

/** Every container of the project (running or not), by service then number. */
export async function projectContainers(
  engine: Engine,
  project: string,
  opts: { oneoff?: boolean; since?: (iso: string) => string } = {},
): Promise<ProjectContainer[]> {
  const list = await engine.containers.list({ all: true, filters: new Map([['label', [`${L.PROJECT}=${project}`]]]) }, opts.since);
  return list
    .map((s) => ({
      id: s.Id,
      name: s.Names[0]?.replace(/^\//, '') ?? s.Id,
      service: s.Labels[L.SERVICE] ?? '',
      number: Number(s.Labels[L.NUMBER] ?? 0),
      hash: s.Labels[L.CONFIG_HASH] ?? '',
      oneoff: s.Labels[L.ONEOFF] === 'True',
      state: s.State,
      summary: s,
    }))
    .filter((c) => opts.oneoff || !c.oneoff)
    .sort((a, b) => a.service.localeCompare(b.service) || a.number - b.number);
}

/** Networks and volumes the project made (by label). */
export function projectNetworks(engine: Engine, project: string) {
  return engine.networks.list(new Map([['label', [`${L.PROJECT}=${project}`]]]));
}

export function projectVolumes(engine: Engine, project: string) {
  return engine.volumes.list(new Map([['label', [`${L.PROJECT}=${project}`]]]));
}

/**
 * A project known only by its name (`compose -p NAME down` where no Compose file is): its
 * services, networks and volumes as its containers' and resources' labels tell them, so the
 * verbs that act on what exists work without the file, as in Docker Compose v2.
 */
export async function projectFromState(engine: Engine, name: string, cwd: string): Promise<LoadedProject> {
  const cs = await projectContainers(engine, name, { oneoff: true });
  const services: Record<string, ServiceConfig> = {};
  for (const c of cs) services[c.service] ??= { image: c.summary.Image };
  const networks = Object.fromEntries(projectNetworks(engine, name).map((n) => [n.Labels?.[L.NETWORK] ?? n.Name, { name: n.Name }]));
  const volumes = Object.fromEntries(projectVolumes(engine, name).map((v) => [v.Labels?.[L.VOLUME] ?? v.Name, { name: v.Name }]));
  const files = cs[0]?.summary.Labels[L.CONFIG_FILES]?.split(',').filter(Boolean) ?? [];
  return {
    project: { name, services, networks, volumes },
    workingDir: cs[0]?.summary.Labels[L.WORKING_DIR] ?? cwd,
    files,
    allProfiles: [],
    disabledServices: {},
    environment: {},
    warnings: [],
  };
}
