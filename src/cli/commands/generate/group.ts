import type { Command } from 'commander';
import type { App } from '../../app.js';
import { registerGroup, type SubcommandTable } from '../common.js';

export const SUBCOMMANDS: SubcommandTable = [['systemd', [], () => import('./systemd.js')]];

export function register(parent: Command, app: App, _name?: string, argv: string[] = []): Promise<void> {
  return registerGroup(parent, app, argv, { name: 'generate', description: 'Generate structured data (systemd units)' }, SUBCOMMANDS);
}
