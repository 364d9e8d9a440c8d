/**
 * @module engine/networks/port-reserve
 * A start's claim on its published host ports, shared by the bridge (netavark) and the
 * user-mode (slirp4netns) networks.
 */
import { internal } from '../../core/errdefs.js';
import type { ContainerContext } from '../containers/context.js';
import type { ContainerRecord } from '../containers/types.js';
import { refreshContainer } from '../containers/sync.js';
import { portAllocated, portBoundOnHost, portOverlap } from './ports.js';
import type { ContainerNetState, PortRequest } from './types.js';

/** The first published port of another container of this root that overlaps one of `ports`. */
function heldBySkiff(cc: ContainerContext, id: string, ports: PortRequest[]): { p: PortRequest; port: number; holder: ContainerRecord } | undefined {
  for (const other of cc.records.list()) {
    if (other.id === id) continue;
    for (const q of other.state.net?.ports ?? []) {
      for (const p of ports) {
        const port = portOverlap(p, q);
        if (port !== undefined) return { p, port, holder: other };
      }
    }
  }
  return undefined;
}

/**
 * Refuses host ports that are taken, as dockerd's port allocator does: bound by any process of
 * the host, or published by another container of this root (netavark forwards without binding).
 * The check and the record of this container's ports share one write transaction, so two
 * starts cannot both take a port; a holder that died is refreshed (and so released) first.
 */
export async function reservePorts(cc: ContainerContext, c: ContainerRecord, state: ContainerNetState): Promise<void> {
  const refuse = (p: PortRequest, port: number) =>
    internal(`driver failed programming external connectivity on endpoint ${c.name} (${c.id}): ${portAllocated(p, port)}`);
  // Ports the kernel picked just now are free; the ones asked for by number may not be.
  const fixed = state.ports.filter((_, i) => c.config.ports?.[i]?.hostPort !== 0);
  const bound = await portBoundOnHost(fixed);
  if (bound) throw refuse(bound.p, bound.port);
  const stale = heldBySkiff(cc, c.id, state.ports);
  if (stale) await refreshContainer(cc, stale.holder).catch(() => undefined);
  cc.records.updateState(c.id, (s) => {
    const held = heldBySkiff(cc, c.id, state.ports);
    if (held) throw refuse(held.p, held.port);
    return { ...s, net: { ...state, attachments: [] } };
  });
}
