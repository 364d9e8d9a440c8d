import type { Command } from 'commander';
import type { App } from '../../app.js';
import { registerGroup, type SubcommandTable } from '../common.js';

/** `skiff key VERB`: signing keys. */
export const SUBCOMMANDS: SubcommandTable = [['generate', [], () => import('./key-generate.js')]];

export function register(parent: Command, app: App, _name?: string, argv: string[] = []): Promise<void> {
  return registerGroup(parent, app, argv, { name: 'key', description: 'Manage signing keys' }, SUBCOMMANDS);
}
