/**
 * @module engine/compose/up
 * `compose up`'s convergence, in the CLI process over the engine library: the project's networks
 * and volumes made, then each service (dependencies first, waiting for their `depends_on`
 * condition) brought to its scale. A container is recreated only when its config hash differs
 * from the service's (or `--force-recreate`); Compose v2 does not recreate dependents of a
 * recreated service, it restarts those whose `depends_on` says `restart: true`.
 */
import { resolve } from 'node:path';
import { invalidArgument, notFound } from '../../core/errdefs.js';
import type { LoadedProject, ServiceConfig } from '../../core/compose/types.js';
import type { Engine } from '../index.js';
import type { BuildOptions } from '../build/types.js';
import { serviceHash } from './config-hash.js';
import * as L from './labels.js';
import { startOrder } from './order.js';
import { serviceCreateInput, serviceImage, serviceNetworks } from './service-input.js';
import { refuseUnsupported } from './service-host.js';
import { projectContainers, type ProjectContainer } from './state.js';
import { waitCondition } from './conditions.js';
import { ensureProjectResources } from './resources.js';
import { injectFileObjects } from './file-objects.js';

export interface ComposeHooks {
  /** `Container web-1  Started`: Compose's progress lines (kind, name, status). */
  progress(kind: 'Network' | 'Volume' | 'Container' | 'Image', name: string, status: string): void;
  /** Makes the image present (pulls it) by the pull policy (missing, always, never); the CLI's pull with its progress. */
  ensureImage(image: string, service: string, policy?: 'missing' | 'always' | 'never', platform?: string): Promise<void>;
  warn(msg: string): void;
  /** Builds a service's image (the CLI's builder with its progress output). */
  build(service: string, opts: BuildOptions): Promise<void>;
}

export interface UpOptions {
  /** Only these services (and, unless noDeps, what they depend on). */
  services?: string[];
  noDeps?: boolean;
  forceRecreate?: boolean;
  noRecreate?: boolean;
  scale?: Record<string, number>;
  removeOrphans?: boolean;
  /** `create`: containers made, not started. */
  noStart?: boolean;
  /** `--build`: build images before starting; `noBuild`: never, even when missing. */
  build?: boolean;
  noBuild?: boolean;
  /** Stop timeout (seconds) for containers removed or recreated. */
  timeoutSec?: number;
}

const bareId = (id: string) => id.replace(/^sha256:/, '');

/** The services a verb acts on: the named ones with their dependencies (all when none named). */
export function selectServices(loaded: LoadedProject, names: string[] = [], noDeps = false): string[] {
  const services = loaded.project.services;
  if (!names.length) return Object.keys(services);
  const out = new Set<string>();
  const add = (n: string) => {
    if (out.has(n)) return;
    if (!services[n]) {
      const disabled = loaded.disabledServices[n];
      if (!disabled) throw notFound(`no such service: ${n}`);
      // A service named on the command line runs whatever its profiles.
      services[n] = disabled;
    }
    out.add(n);
    if (!noDeps) for (const d of Object.keys(services[n]!.depends_on ?? {})) if (services[d] || loaded.disabledServices[d]) add(d);
  };
  names.forEach(add);
  return [...out];
}

export function serviceScale(svc: ServiceConfig, override?: number): number {
  if (override !== undefined) return override;
  const replicas = (svc.deploy as { replicas?: number } | undefined)?.replicas;
  if (typeof replicas === 'number') return replicas;
  return typeof svc.scale === 'number' ? svc.scale : 1;
}

/** Creates container `number` of a service, attached to all its networks. */
export async function createServiceContainer(
  engine: Engine,
  loaded: LoadedProject,
  service: string,
  number: number,
  hooks: ComposeHooks,
  oneoffName?: string,
  extra: { autoRemove?: boolean } = {},
): Promise<string> {
  const svc = loaded.project.services[service]!;
  // A service that builds has its image from buildServiceImage, never pulled.
  if (!svc.build) await hooks.ensureImage(serviceImage(loaded.project.name, service, svc), service, pullPolicy(service, svc) === 'never' ? 'never' : 'missing', platformOf(svc));
  const input = serviceCreateInput(loaded, { service, number, hash: serviceHash(svc), ...(oneoffName ? { oneoffName } : {}) });
  hooks.progress('Container', input.name!, 'Creating');
  const { id } = await engine.containers.create({ ...input, ...(extra.autoRemove ? { autoRemove: true } : {}) });
  // The create request carries one network; Compose connects the others before the start.
  for (const n of serviceNetworks(loaded.project, svc).slice(1)) {
    const { name, aliases, ...addr } = n;
    await engine.networks.connect(name, id, { aliases: [service, ...aliases], ...addr });
  }
  await injectFileObjects(engine, loaded, service, svc, id);
  hooks.progress('Container', input.name!, 'Created');
  return id;
}

async function startContainer(engine: Engine, c: { id: string; name: string }, hooks: ComposeHooks): Promise<void> {
  hooks.progress('Container', c.name, 'Starting');
  await engine.containers.start(c.id);
  hooks.progress('Container', c.name, 'Started');
}

async function removeContainer(engine: Engine, c: ProjectContainer, hooks: ComposeHooks, timeoutSec?: number, status = 'Removing'): Promise<void> {
  hooks.progress('Container', c.name, status === 'Removing' ? 'Stopping' : status);
  if (c.state === 'running' || c.state === 'restarting' || c.state === 'paused') await engine.containers.stop(c.id, timeoutSec);
  if (status === 'Removing') hooks.progress('Container', c.name, 'Stopped');
  hooks.progress('Container', c.name, 'Removing');
  await engine.containers.remove(c.id, { force: true });
  hooks.progress('Container', c.name, 'Removed');
}

/** A service's `build` as the builder's options: its image is tagged with the service's image name and `build.tags`. */
export function buildOptions(b: NonNullable<ServiceConfig['build']>, image: string): BuildOptions {
  const args = Object.fromEntries(Object.entries(b.args ?? {}).flatMap(([k, v]) => (v === null ? [] : [[k, v]])));
  return {
    context: { kind: 'dir', path: b.context },
    ...(b.dockerfile_inline !== undefined ? { dockerfileText: b.dockerfile_inline } : b.dockerfile ? { dockerfile: resolve(b.context, b.dockerfile) } : {}),
    tags: [image, ...(Array.isArray(b.tags) ? b.tags.filter((t): t is string => typeof t === 'string') : [])],
    ...(b.target ? { target: b.target } : {}),
    buildArgs: args,
    ...(b.labels && typeof b.labels === 'object' ? { labels: b.labels as Record<string, string> } : {}),
    ...(typeof b.network === 'string' ? { network: b.network } : {}),
  };
}

/** The `platform` a service's image is pulled for (the host's when unset). */
const platformOf = (svc: ServiceConfig) => (typeof svc.platform === 'string' && svc.platform ? svc.platform : undefined);

/**
 * A service's `pull_policy` as the pull `up` does: `if_not_present` is `missing`; the refresh
 * policies (`daily`, `weekly`, `every_<duration>`) pull only a missing image, as skiff keeps no
 * time of the last pull.
 */
export function pullPolicy(name: string, svc: ServiceConfig): 'missing' | 'always' | 'never' | 'build' {
  const p = svc.pull_policy as string | undefined;
  if (p === undefined || p === 'missing' || p === 'if_not_present' || p === 'daily' || p === 'weekly' || p?.startsWith('every_')) return 'missing';
  if (p === 'always' || p === 'never' || p === 'build') return p;
  throw invalidArgument(`service "${name}": invalid pull_policy "${p}"`);
}

/** Brings the selected services to their configuration and scale. */
export async function composeUp(engine: Engine, loaded: LoadedProject, opts: UpOptions, hooks: ComposeHooks): Promise<void> {
  const { project } = loaded;
  const selected = new Set(selectServices(loaded, opts.services, opts.noDeps));
  for (const s of Object.keys(opts.scale ?? {})) if (!project.services[s]) throw notFound(`no such service: ${s}`);
  // What the engine cannot honour fails the `up` before anything is made.
  for (const s of selected) refuseUnsupported(s, project.services[s]!);
  let all = await projectContainers(engine, project.name);
  const orphans = all.filter((c) => !project.services[c.service] && !loaded.disabledServices[c.service]);
  if (orphans.length && opts.removeOrphans) {
    for (const c of orphans) await removeContainer(engine, c, hooks, opts.timeoutSec);
    all = await projectContainers(engine, project.name);
  } else if (orphans.length) {
    hooks.warn(
      `Found orphan containers ([${orphans.map((c) => c.name).join(' ')}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`,
    );
  }
  await ensureProjectResources(engine, loaded, hooks);
  const recreated = new Set<string>();
  /** What the start phase does with each container of a service. */
  type Step = { c: { id: string; name: string }; action: 'start' | 'running' };
  // Like Compose v2, every container is made first (each service after those it depends on were
  // made), then started in dependency order: creates are off the path that waits for conditions.
  const prepare = async (name: string): Promise<Step[]> => {
    const svc = project.services[name]!;
    const policy = pullPolicy(name, svc);
    if (svc.build && !opts.noBuild) {
      const image = serviceImage(project.name, name, svc);
      if (opts.build || policy === 'build' || !engine.images.exists(image)) await hooks.build(name, buildOptions(svc.build, image));
    } else if (!svc.build && policy !== 'missing') {
      // Before the hash and image comparison, so that a newer image pulled recreates the containers.
      await hooks.ensureImage(serviceImage(project.name, name, svc), name, policy === 'build' ? 'missing' : policy, platformOf(svc));
    }
    const hash = serviceHash(svc);
    // A new image under the service's name (pulled, built) recreates too: Compose v2 compares image digests.
    const image = serviceImage(project.name, name, svc);
    const imageId = engine.images.exists(image) ? bareId(engine.images.resolve(image)) : undefined;
    const want = serviceScale(svc, opts.scale?.[name]);
    if (want > 1 && svc.container_name) throw invalidArgument(`service "${name}" has a container_name and cannot be scaled`);
    const mine = all.filter((c) => c.service === name);
    // Scale down from the highest numbers, as Compose.
    const keep = mine.slice(0, want);
    for (const c of mine.slice(want).reverse()) await removeContainer(engine, c, hooks, opts.timeoutSec);
    const steps: Step[] = [];
    for (const c of keep) {
      const stale = opts.forceRecreate || (!opts.noRecreate && (c.hash !== hash || (imageId !== undefined && bareId(c.summary.ImageID) !== imageId)));
      if (stale) {
        await removeContainer(engine, c, hooks, opts.timeoutSec, 'Recreate');
        const id = await createServiceContainer(engine, loaded, name, c.number, hooks);
        recreated.add(name);
        steps.push({ c: { id, name: c.name }, action: 'start' });
      } else steps.push({ c, action: c.state === 'running' ? 'running' : 'start' });
    }
    const used = new Set(mine.map((c) => c.number));
    const numbers: number[] = [];
    for (let next = 1; keep.length + numbers.length < want; next++) if (!used.has(next)) numbers.push(next);
    // New replicas of a service are made side by side, as Compose does.
    const made = await Promise.all(numbers.map((n) => createServiceContainer(engine, loaded, name, n, hooks)));
    made.forEach((id, i) => steps.push({ c: { id, name: svc.container_name ?? L.containerName(project.name, name, numbers[i]!) }, action: 'start' }));
    return steps;
  };
  const start = async (name: string, steps: Step[]): Promise<void> => {
    const svc = project.services[name]!;
    for (const [dep, d] of Object.entries(svc.depends_on ?? {})) {
      if (!project.services[dep]) {
        if (d.required) throw notFound(`service "${name}" depends on undefined service "${dep}"`);
        continue;
      }
      await waitCondition(engine, project.name, dep, d.condition, hooks);
    }
    const restartDeps = Object.entries(svc.depends_on ?? {}).some(([d, v]) => v.restart && recreated.has(d));
    await Promise.all(
      steps.map(async ({ c, action }) => {
        if (action === 'start') return startContainer(engine, c, hooks);
        if (!restartDeps) return hooks.progress('Container', c.name, 'Running');
        hooks.progress('Container', c.name, 'Restarting');
        await engine.containers.restart(c.id, opts.timeoutSec);
        hooks.progress('Container', c.name, 'Started');
      }),
    );
  };
  // Each service is made, then started, once the services it depends on have been; independent
  // ones go side by side (Compose v2's graph walk). startOrder puts dependencies first.
  const order = startOrder(project.services);
  const walk = async <T>(step: (name: string) => Promise<T>): Promise<Map<string, T | undefined>> => {
    const done = new Map<string, Promise<T | undefined>>();
    for (const name of order) {
      const deps = Object.keys(project.services[name]!.depends_on ?? {}).map((d) => done.get(d) ?? Promise.resolve());
      done.set(name, Promise.all(deps).then(() => (selected.has(name) ? step(name) : undefined)));
    }
    const results = await Promise.all(done.values());
    return new Map([...done.keys()].map((name, i) => [name, results[i]]));
  };
  const planned = await walk(prepare);
  if (opts.noStart) return;
  await walk((name) => start(name, planned.get(name) ?? []));
}
