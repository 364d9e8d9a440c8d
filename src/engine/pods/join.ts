/**
 * `run/create --pod NAME` (and `--pod new:NAME`): the member's request gets the infra
 * container's namespaces as `container:` modes (network, IPC, PID) and its membership; the
 * UTS namespace and the /etc files are joined at each start (containers/start.ts).
 */
import { failedPrecondition, invalidArgument } from '../../core/errdefs.js';
import type { ContainerContext } from '../containers/context.js';
import type { ContainerCreateRequest } from '../containers/types.js';
import { resolvePod } from './store.js';
import type { PodRecord } from './types.js';

const NEW = 'new:';

export async function joinPod(cc: ContainerContext, input: ContainerCreateRequest): Promise<ContainerCreateRequest> {
  const { pod: ref, ...req } = input;
  if (!ref) return input;
  let pod: PodRecord;
  if (ref.startsWith(NEW)) {
    // Podman gives the new pod what the container asked of the network: its ports and networks.
    const { createPod } = await import('./create.js');
    pod = await createPod(cc, {
      name: ref.slice(NEW.length),
      ...(req.network ? { network: req.network } : {}),
      ...(req.networkOpts?.publish?.length ? { publish: req.networkOpts.publish } : {}),
    });
    delete req.network;
    req.networkOpts = { ...req.networkOpts, publish: [] };
  } else {
    pod = resolvePod(cc.ctx, ref);
  }
  const infra = pod.infraId;
  // A create killed between the pod's row and its infra container: joining would share nothing.
  if (pod.config.infra && !infra) throw failedPrecondition(`pod ${pod.name} has no infra container (its create did not finish): remove it with pod rm`);
  const share = new Set(infra ? pod.config.share : []);
  if (share.has('net')) {
    if (req.network && req.network !== 'bridge' && req.network !== 'default') {
      throw invalidArgument('invalid config provided: network cannot be configured when it is shared with a pod');
    }
    if (req.networkOpts?.publish?.length || req.networkOpts?.publishAll) {
      throw invalidArgument('invalid config provided: published or exposed ports must be defined when the pod is created');
    }
  }
  if (share.has('uts') && req.opts.hostname) throw invalidArgument('invalid config provided: cannot set hostname when joining the pod UTS namespace');
  if (pod.config.cgroupParent && req.opts.cgroupParent) throw invalidArgument('invalid config provided: a pod with limits is the cgroup parent of its containers');
  const joined = (ns: string) => share.has(ns as never);
  // A pod's user namespace is its members' too (their start joins the infra's, start.ts).
  const userns = infra ? cc.records.get(infra)?.config.opts.userns : undefined;
  if (userns && userns.mode !== 'host' && req.opts.userns) throw invalidArgument('invalid config provided: the pod sets the user namespace of its containers');
  const opts = {
    ...req.opts,
    ...(joined('ipc') && !req.opts.ipc ? { ipc: { container: infra! } } : {}),
    ...(joined('pid') && !req.opts.pid ? { pid: { container: infra! } } : {}),
    ...(pod.config.cgroupParent ? { cgroupParent: pod.config.cgroupParent } : {}),
    ...(userns && userns.mode !== 'host' ? { userns } : {}),
  };
  return {
    ...req,
    opts,
    ...(joined('net') ? { network: `container:${infra!}`, netFiles: {} } : {}),
    podMembership: { id: pod.id, ...(infra ? { infra } : {}), ...(joined('uts') ? { uts: true } : {}) },
  };
}
