import type { Command } from 'commander';
import type { App } from '../../app.js';
import { registerGroup, type SubcommandTable } from '../common.js';

export const SUBCOMMANDS: SubcommandTable = [
  ['ls', ['list', 'ps'], () => import('./ps.js')],
  ['run', [], () => import('./run.js')],
  ['create', [], () => import('./create.js')],
  ['start', [], () => import('./start.js')],
  ['stop', [], () => import('./stop.js')],
  ['restart', [], () => import('./restart.js')],
  ['kill', [], () => import('./kill.js')],
  ['rm', ['remove'], () => import('./rm.js')],
  ['wait', [], () => import('./wait.js')],
  ['logs', [], () => import('./logs.js')],
  ['attach', [], () => import('./attach.js')],
  ['pause', [], () => import('./pause.js')],
  ['unpause', [], () => import('./unpause.js')],
  ['rename', [], () => import('./rename.js')],
  ['inspect', [], () => import('./container-inspect.js')],
  ['prune', [], () => import('./container-prune.js')],
  ['cleanup', [], () => import('./cleanup.js')],
  ['exec', [], () => import('./exec.js')],
  ['top', [], () => import('./top.js')],
  ['cp', [], () => import('./cp.js')],
  ['diff', [], () => import('./diff.js')],
  ['commit', [], () => import('./commit.js')],
  ['export', [], () => import('./export.js')],
  ['stats', [], () => import('./stats.js')],
  ['port', [], () => import('./port.js')],
  ['update', [], () => import('./update.js')],
];

export function register(parent: Command, app: App, _name?: string, argv: string[] = []): Promise<void> {
  return registerGroup(parent, app, argv, { name: 'container', description: 'Manage containers' }, SUBCOMMANDS);
}
