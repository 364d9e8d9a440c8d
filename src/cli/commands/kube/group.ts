import type { Command } from 'commander';
import type { App } from '../../app.js';
import { registerGroup, type SubcommandTable } from '../common.js';

// MERGE(i17-kgen): `generate` joins this table from that branch's group.ts.
export const SUBCOMMANDS: SubcommandTable = [
  ['play', [], () => import('./kube-play.js')],
  ['down', [], () => import('./kube-down.js')],
];

export function register(parent: Command, app: App, _name?: string, argv: string[] = []): Promise<void> {
  return registerGroup(parent, app, argv, { name: 'kube', description: 'Play containers, pods and volumes from Kubernetes YAML' }, SUBCOMMANDS);
}
