/**
 * @module engine/compose/order
 * The order services start in: each after the services it depends on (Compose refuses a cycle).
 */
import { invalidArgument } from '../../core/errdefs.js';
import type { ServiceConfig } from '../../core/compose/types.js';

/** Dependencies first; services without an order between them keep their name order. */
export function startOrder(services: Record<string, ServiceConfig>): string[] {
  const out: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') throw invalidArgument(`dependency cycle detected: ${[...path, name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const dep of Object.keys(services[name]?.depends_on ?? {}).sort()) {
      if (services[dep]) visit(dep, [...path, name]);
    }
    state.set(name, 'done');
    out.push(name);
  };
  for (const name of Object.keys(services).sort()) visit(name, []);
  return out;
}

/** The services that depend on `name` (directly). */
export function dependents(services: Record<string, ServiceConfig>, name: string): string[] {
  return Object.keys(services).filter((s) => services[s]!.depends_on?.[name]);
}
