import type { Command } from 'commander';
import type { App } from '../../app.js';
import { registerGroup, type SubcommandTable } from '../common.js';

export const SUBCOMMANDS: SubcommandTable = [
  ['play', [], () => import('./kube-play.js')],
  ['down', [], () => import('./kube-down.js')],
  ['generate', [], () => import('./kube-generate.js')],
];

export function register(parent: Command, app: App, _name?: string, argv: string[] = []): Promise<void> {
  return registerGroup(parent, app, argv, { name: 'kube', description: 'Play containers, pods or volumes from Kubernetes YAML, take them down, or generate it' }, SUBCOMMANDS);
}
