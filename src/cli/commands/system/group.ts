import type { Command } from 'commander';
import type { App } from '../../app.js';
import { registerGroup, type SubcommandTable } from '../common.js';

export const SUBCOMMANDS: SubcommandTable = [
  ['check', [], () => import('./check.js')],
  ['df', [], () => import('./df.js')],
  ['events', [], () => import('./events.js')],
  ['info', [], () => import('./info.js')],
  ['prune', [], () => import('./prune.js')],
  ['service', [], () => import('./service.js')],
  ['timers', [], () => import('./timers.js')],
];

export function register(parent: Command, app: App, _name?: string, argv: string[] = []): Promise<void> {
  return registerGroup(parent, app, argv, { name: 'system', description: 'Manage skiff' }, SUBCOMMANDS);
}
