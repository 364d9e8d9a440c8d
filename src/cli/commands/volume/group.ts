import type { Command } from 'commander';
import type { App } from '../../app.js';
import { registerGroup, type SubcommandTable } from '../common.js';

export const SUBCOMMANDS: SubcommandTable = [
  ['create', [], () => import('./volume-create.js')],
  ['ls', ['list'], () => import('./volume-ls.js')],
  ['inspect', [], () => import('./volume-inspect.js')],
  ['rm', ['remove'], () => import('./volume-rm.js')],
  ['prune', [], () => import('./volume-prune.js')],
];

export function register(parent: Command, app: App, _name?: string, argv: string[] = []): Promise<void> {
  return registerGroup(parent, app, argv, { name: 'volume', description: 'Manage volumes' }, SUBCOMMANDS);
}
