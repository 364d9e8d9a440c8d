import type { Command } from 'commander';
import type { App } from '../../app.js';
import { registerGroup, type SubcommandTable } from '../common.js';

/** `skiff builder VERB` (docker builder): builds and the build cache. */
export const SUBCOMMANDS: SubcommandTable = [
  ['build', [], () => import('../image/build.js')],
  ['prune', [], () => import('./prune.js')],
];

export function register(parent: Command, app: App, _name?: string, argv: string[] = []): Promise<void> {
  return registerGroup(parent, app, argv, { name: 'builder', description: 'Manage builds' }, SUBCOMMANDS);
}
