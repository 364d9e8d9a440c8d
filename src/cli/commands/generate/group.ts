import type { Command } from 'commander';
import type { App } from '../../app.js';
import { registerGroup, type SubcommandTable } from '../common.js';

export const SUBCOMMANDS: SubcommandTable = [
  ['systemd', [], () => import('./systemd.js')],
  // Podman's older spelling of `kube generate`.
  ['kube', [], () => import('../kube/kube-generate.js')],
];

export function register(parent: Command, app: App, _name?: string, argv: string[] = []): Promise<void> {
  return registerGroup(parent, app, argv, { name: 'generate', description: 'Generate structured data (systemd units, Kubernetes YAML)' }, SUBCOMMANDS);
}
