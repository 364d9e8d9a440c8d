import type { Command } from 'commander';
import type { App } from '../../app.js';
import { registerGroup, type SubcommandTable } from '../common.js';

/** `skiff image VERB`: the same verbs as the top-level shortcuts, under their group names. */
export const SUBCOMMANDS: SubcommandTable = [
  ['ls', ['list'], () => import('./image-ls.js')],
  ['inspect', [], () => import('./image-inspect.js')],
  ['tag', [], () => import('./image-tag.js')],
  ['untag', [], () => import('./image-untag.js')],
  ['rm', ['remove'], () => import('./image-rm.js')],
  ['prune', [], () => import('./image-prune.js')],
  ['history', [], () => import('./image-history.js')],
  ['import', [], () => import('./image-import.js')],
  ['save', [], () => import('./image-save.js')],
  ['load', [], () => import('./image-load.js')],
  ['pull', [], () => import('./image-pull.js')],
  ['push', [], () => import('./image-push.js')],
  ['build', [], () => import('./build.js')],
  ['copy', [], () => import('./image-copy.js')],
  ['tree', [], () => import('./image-tree.js')],
  ['trust', [], () => import('./image-trust.js')],
  ['sign', [], () => import('./image-sign.js')],
  ['verify', [], () => import('./image-verify.js')],
];

export function register(parent: Command, app: App, _name?: string, argv: string[] = []): Promise<void> {
  return registerGroup(parent, app, argv, { name: 'image', description: 'Manage images' }, SUBCOMMANDS);
}
