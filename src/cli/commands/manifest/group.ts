import type { Command } from 'commander';
import type { App } from '../../app.js';
import { registerGroup, type SubcommandTable } from '../common.js';

/** `skiff manifest VERB`: manifests and manifest lists in registries. */
export const SUBCOMMANDS: SubcommandTable = [['inspect', [], () => import('./manifest-inspect.js')]];

export function register(parent: Command, app: App, _name?: string, argv: string[] = []): Promise<void> {
  return registerGroup(parent, app, argv, { name: 'manifest', description: 'Inspect manifests and manifest lists' }, SUBCOMMANDS);
}
