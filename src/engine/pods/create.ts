/**
 * `pod create`: the pod's row, then its infra container, a normal container that holds the
 * namespaces the members join (network with the published ports, IPC, UTS with the pod's
 * hostname, PID when shared). A failure removes what was made.
 */
import { randomBytes } from '../../sys/random.js';
import { crashPoint } from '../../sys/crash-point.js';
import { alreadyExists, invalidArgument } from '../../core/errdefs.js';
import type { ContainerContext } from '../containers/context.js';
import { createContainer } from '../containers/create.js';
import { normalizeCreate, type CreateInput } from '../containers/create-input.js';
import { removeContainer } from '../containers/lifecycle.js';
import { generateName, validName } from '../containers/names.js';
import { ensurePauseImage } from './pause-image.js';
import { podEvent } from './events.js';
import { podRecords } from './store.js';
import { makePodCgroup, podCgroupParent, removePodCgroup } from './cgroup.js';
import { readHostFacts } from '../containers/spec/host-facts.js';
import type { PodConfig, PodCreateRequest, PodNamespace, PodRecord } from './types.js';

const NAMESPACES: readonly PodNamespace[] = ['ipc', 'net', 'uts', 'pid', 'cgroup'];
/** Podman's default `--share`. */
const DEFAULT_SHARE: PodNamespace[] = ['uts', 'ipc', 'net'];

/** `ipc,net` replaces the default; `+pid` adds to it. */
export function parseShare(spec: string | undefined): PodNamespace[] {
  if (spec === undefined) return [...DEFAULT_SHARE];
  const add = spec.startsWith('+');
  const out = new Set<PodNamespace>(add ? DEFAULT_SHARE : []);
  for (const s of (add ? spec.slice(1) : spec).split(',').filter(Boolean)) {
    if (!NAMESPACES.includes(s as PodNamespace)) throw invalidArgument(`invalid kernel namespace to share: ${s}. Options are: cgroup, ipc, net, pid, uts or none`);
    out.add(s as PodNamespace);
  }
  return [...out];
}

export async function createPod(cc: ContainerContext, req: PodCreateRequest): Promise<PodRecord> {
  const ctx = cc.ctx;
  if (req.name !== undefined && !validName(req.name)) {
    throw invalidArgument(`invalid pod name "${req.name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  const share = req.share === 'none' ? [] : parseShare(req.share);
  const infra = req.infra ?? true;
  if (!infra && (req.publish?.length || req.network || req.addHosts?.length || req.dns?.length)) {
    throw invalidArgument('you must have an infra container to publish ports, set networks, hosts or DNS');
  }
  if (infra && share.length === 0 && req.publish?.length) throw invalidArgument('ports need the network namespace shared: --share net');
  const name = req.name ?? generateName();
  const config: PodConfig = {
    ...(req.hostname ? { hostname: req.hostname } : {}),
    labels: req.labels ?? {},
    share,
    infra,
    ...(req.infraImage ? { infraImage: req.infraImage } : {}),
    ...(req.infraCommand?.length ? { infraCommand: req.infraCommand } : {}),
    ...(req.infraName ? { infraName: req.infraName } : {}),
    ...(req.network ? { network: req.network } : {}),
    ...(req.publish?.length ? { publish: req.publish } : {}),
    ...(req.addHosts?.length ? { addHosts: req.addHosts } : {}),
    ...(req.dns?.length ? { dns: req.dns } : {}),
    ...(req.dnsSearch?.length ? { dnsSearch: req.dnsSearch } : {}),
    ...(req.dnsOptions?.length ? { dnsOptions: req.dnsOptions } : {}),
    ...(req.userns ? { userns: req.userns } : {}),
    ...(req.createCommand ? { createCommand: req.createCommand } : {}),
  };
  if (!infra && (req.cpus || req.memory)) throw invalidArgument('pod limits (--cpus, --memory) need an infra container');
  if (req.cpus !== undefined && !(req.cpus > 0)) throw invalidArgument(`invalid --cpus ${req.cpus}: want a positive number`);
  if (req.memory !== undefined && !(req.memory > 0)) throw invalidArgument(`invalid --memory ${req.memory}: want a positive size`);
  const id = randomBytes(32).toString('hex');
  if (req.cpus || req.memory) {
    config.cgroupParent = podCgroupParent(id);
    if (req.cpus) config.cpus = req.cpus;
    if (req.memory) config.memory = req.memory;
  }
  const row: PodRecord = { id, name, infraId: null, created: Date.now(), config };
  if (!podRecords(ctx).insert(row)) {
    throw alreadyExists(`adding pod to state: name "${name}" is in use: pod already exists`);
  }
  crashPoint('pod-create:row');
  if (config.cgroupParent) {
    try {
      makePodCgroup(config.cgroupParent, { cpus: config.cpus, memory: config.memory }, readHostFacts().cgroupManager);
    } catch (e) {
      removePodCgroup(config.cgroupParent);
      podRecords(ctx).delete(id);
      throw e;
    }
  }
  if (!infra) {
    podEvent(ctx, row, 'create');
    return row;
  }
  try {
    const image = config.infraImage ?? (await ensurePauseImage(ctx));
    const made = await createContainer(cc, normalizeCreate(infraInput(row, image)));
    podRecords(ctx).setInfra(id, made.id);
    row.infraId = made.id;
  } catch (e) {
    const infraId = podRecords(ctx).get(id)?.infraId;
    if (infraId) await removeContainer(cc, infraId, { force: true, withPod: true }).catch(() => undefined);
    if (config.cgroupParent) removePodCgroup(config.cgroupParent);
    podRecords(ctx).delete(id);
    throw e;
  }
  podEvent(ctx, row, 'create');
  return row;
}

/** The infra container: the pod's network, ports, hostname and /etc files live on it. */
function infraInput(pod: PodRecord, image: string): CreateInput {
  const c = pod.config;
  const has = (ns: PodNamespace) => c.share.includes(ns);
  return {
    image,
    name: c.infraName ?? `${pod.id.slice(0, 12)}-infra`,
    opts: {
      ...(c.infraCommand ? { entrypoint: c.infraCommand, command: [] } : {}),
      // Podman's default hostname is the pod's name.
      ...(has('uts') ? { hostname: c.hostname ?? pod.name } : {}),
      ...(c.cgroupParent ? { cgroupParent: c.cgroupParent } : {}),
      labels: {},
    },
    // A member's IPC join needs a donor that allows it.
    namespaces: { ...(has('ipc') ? { ipc: 'shareable' } : {}) },
    ...(c.userns ? { usernsSpec: { mode: c.userns } } : {}),
    ...(has('net') ? { network: c.network ?? 'bridge' } : { network: 'none' }),
    networkOpts: { publish: has('net') ? (c.publish ?? []) : [] },
    netFiles: { addHosts: c.addHosts, dns: c.dns, dnsSearch: c.dnsSearch, dnsOptions: c.dnsOptions },
    stopTimeout: 10,
    podMembership: { id: pod.id, isInfra: true },
  };
}
