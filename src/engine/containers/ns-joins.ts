/**
 * `--pid container:NAME` and `--ipc container:NAME`: the other container is named by id in the
 * row (found at create, as dockerd refuses an unknown one there) and joined through its /proc
 * path at each start, since its pid changes with every start of its own.
 */
import { statfsSync } from 'node:fs';
import { failedPrecondition, invalidArgument, isEngineError } from '../../core/errdefs.js';
import type { ContainerCreateOptions, NamespaceRequest } from '../../core/runtime/create-options.js';
import type { ContainerContext } from './context.js';
import { resolveContainer } from './resolve.js';
import { isActive } from './state.js';
import type { ContainerCreateRequest, ContainerRecord } from './types.js';

function other(cc: ContainerContext, ref: string): ContainerRecord {
  try {
    return resolveContainer(cc, ref);
  } catch (e) {
    // dockerd answers 400 for a namespace (or link) naming no container.
    if (isEngineError(e, 'NotFound')) throw invalidArgument(e.message, e);
    throw e;
  }
}

function byId<T extends NamespaceRequest | 'shareable' | undefined>(cc: ContainerContext, mode: T): T {
  if (mode && typeof mode === 'object' && 'container' in mode) return { container: other(cc, mode.container).id } as T;
  return mode;
}

/** At create: the containers named by pid/ipc modes, by id; dockerd's conflicts refused. */
export function resolveNamespaceJoins(cc: ContainerContext, req: ContainerCreateRequest): ContainerCreateRequest {
  const o = req.opts;
  if (o.uts === 'host' && o.hostname) throw invalidArgument('conflicting options: hostname and the UTS mode');
  if (!o.pid && !o.ipc) return req;
  const pid = byId(cc, o.pid);
  const ipc = byId(cc, o.ipc);
  return { ...req, opts: { ...o, ...(pid ? { pid } : {}), ...(ipc ? { ipc } : {}) } };
}

/** A joined container's namespace path, refused as dockerd refuses it when that one cannot be joined. */
function join(cc: ContainerContext, kind: 'pid' | 'ipc', id: string): { path: string } {
  const c = cc.records.get(id);
  if (!c) throw invalidArgument(`No such container: ${id}`);
  const KIND = kind.toUpperCase();
  if (!isActive(c.state.status) || !c.state.pid) throw failedPrecondition(`cannot join ${KIND} of a non running container: ${id}`);
  if (kind === 'ipc' && c.config.opts.ipc !== 'shareable' && c.config.opts.ipc !== 'host') {
    throw failedPrecondition(`can't join IPC of container ${id}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`);
  }
  return { path: `/proc/${c.state.pid}/ns/${kind}` };
}

/** At start: the joined containers' namespaces as paths for the spec. */
export function joinNamespaces(cc: ContainerContext, o: ContainerCreateOptions): Pick<ContainerCreateOptions, 'pid' | 'ipc'> {
  const out: Pick<ContainerCreateOptions, 'pid' | 'ipc'> = {};
  if (o.pid && typeof o.pid === 'object' && 'container' in o.pid) out.pid = join(cc, 'pid', o.pid.container);
  if (o.ipc && typeof o.ipc === 'object' && 'container' in o.ipc) out.ipc = join(cc, 'ipc', o.ipc.container);
  return out;
}

const CGROUP2_SUPER_MAGIC = 0x63677270;
let cgroupV2: boolean | undefined;

/** The default cgroupns follows the host's hierarchy (private on v2, host on v1), as dockerd's. */
function hostCgroupV2(): boolean {
  if (cgroupV2 === undefined) {
    try {
      cgroupV2 = statfsSync('/sys/fs/cgroup').type === CGROUP2_SUPER_MAGIC;
    } catch {
      cgroupV2 = false;
    }
  }
  return cgroupV2;
}

/** dockerd's HostConfig strings: `container:ID` for a joined one, IpcMode `private` by default. */
export function namespaceModes(o: ContainerCreateOptions) {
  const str = (m: NamespaceRequest | 'shareable' | undefined, dflt: string): string => {
    if (m === undefined) return dflt;
    if (typeof m === 'string') return m;
    return 'container' in m ? `container:${m.container}` : `ns:${m.path}`;
  };
  return {
    PidMode: str(o.pid === 'private' ? undefined : o.pid, ''),
    IpcMode: str(o.ipc, 'private'),
    UTSMode: str(o.uts === 'private' ? undefined : o.uts, ''),
    CgroupnsMode: o.cgroupns ?? (hostCgroupV2() ? 'private' : 'host'),
  };
}
