import type { Command } from 'commander';
import type { App } from '../../app.js';
import { registerGroup, type SubcommandTable } from '../common.js';

export const SUBCOMMANDS: SubcommandTable = [
  ['create', [], () => import('./pod-create.js')],
  ['ps', ['ls', 'list'], () => import('./pod-ps.js')],
  ['inspect', [], () => import('./pod-inspect.js')],
  ['start', [], () => import('./pod-verbs.js').then((m) => ({ register: m.registerStart }))],
  ['stop', [], () => import('./pod-verbs.js').then((m) => ({ register: m.registerStop }))],
  ['restart', [], () => import('./pod-verbs.js').then((m) => ({ register: m.registerRestart }))],
  ['kill', [], () => import('./pod-verbs.js').then((m) => ({ register: m.registerKill }))],
  ['pause', [], () => import('./pod-verbs.js').then((m) => ({ register: m.registerPause }))],
  ['unpause', [], () => import('./pod-verbs.js').then((m) => ({ register: m.registerUnpause }))],
  ['rm', ['remove'], () => import('./pod-rm.js')],
  ['prune', [], () => import('./pod-prune.js')],
  ['exists', [], () => import('./pod-exists.js')],
  ['top', [], () => import('./pod-top.js')],
  ['stats', [], () => import('./pod-stats.js')],
  ['logs', [], () => import('./pod-logs.js')],
];

export function register(parent: Command, app: App, _name?: string, argv: string[] = []): Promise<void> {
  return registerGroup(parent, app, argv, { name: 'pod', description: 'Manage pods' }, SUBCOMMANDS);
}
