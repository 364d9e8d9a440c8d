import type { Command } from 'commander';
import type { App } from '../../app.js';
import { registerGroup, type SubcommandTable } from '../common.js';

export const SUBCOMMANDS: SubcommandTable = [
  ['create', [], () => import('./network-create.js')],
  ['ls', ['list'], () => import('./network-ls.js')],
  ['inspect', [], () => import('./network-inspect.js')],
  ['rm', ['remove'], () => import('./network-rm.js')],
  ['prune', [], () => import('./network-prune.js')],
  ['connect', [], () => import('./network-connect.js')],
  ['disconnect', [], () => import('./network-disconnect.js')],
];

export function register(parent: Command, app: App, _name?: string, argv: string[] = []): Promise<void> {
  return registerGroup(parent, app, argv, { name: 'network', description: 'Manage networks' }, SUBCOMMANDS);
}
