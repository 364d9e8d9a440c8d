import type { Command } from 'commander';
import type { App } from '../../app.js';
import type { DownReport } from '../../../engine/kube/down.js';
import { examples } from '../common.js';
import { loadPlan } from './manifest.js';

/** Podman's words: the pods stopped, then removed, then the volumes removed. */
export function printDown(app: App, r: DownReport): void {
  if (!r.pods.length && !r.volumes.length) return;
  app.print(`Pods stopped:\n${r.pods.map((p) => `${p}\n`).join('')}Pods removed:\n${r.pods.map((p) => `${p}\n`).join('')}`);
  if (r.volumes.length) app.print(`Volumes removed:\n${r.volumes.map((v) => `${v}\n`).join('')}`);
}

export function register(parent: Command, app: App, name = 'down'): void {
  const cmd = parent
    .command(name)
    .description('Remove the pods (with their containers) that Kubernetes YAML describes; claimed volumes stay')
    .argument('<FILE>', 'the YAML file, or - for standard input')
    .option('--force', 'remove the PersistentVolumeClaims\' volumes too')
    .action(async (file: string, o: { force?: boolean }) => {
      const plan = await loadPlan(file, [], { namesOnly: true });
      const engine = await app.engine();
      const { kubeDown } = await import('../../../engine/kube/down.js');
      printDown(app, await kubeDown(engine, plan, { force: !!o.force }));
    });
  examples(cmd, ['skiff kube down app.yaml', 'skiff kube down --force app.yaml']);
}
