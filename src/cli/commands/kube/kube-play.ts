import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { App } from '../../app.js';
import { invalidArgument } from '../../../core/errdefs.js';
import { collect, examples } from '../common.js';
import { pullForCreate } from '../image/image-pull.js';
import { loadPlan } from './manifest.js';

function parseBool(v: string | boolean | undefined, what: string): boolean {
  if (v === undefined || v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw invalidArgument(`${what}: "${String(v)}" is not true or false`);
}

export function register(parent: Command, app: App, name = 'play'): void {
  const cmd = parent
    .command(name)
    .description('Create pods, containers and volumes from Kubernetes YAML (Pod, Deployment, DaemonSet, Job, ConfigMap, Secret, PersistentVolumeClaim, Service)')
    .argument('[FILE]', 'the YAML file, or - for standard input')
    .option('--replace', 'remove the pods the YAML names before creating them')
    .option('--down', 'remove the pods the YAML names (as kube down)')
    .option('--start [bool]', 'start the pods after creating them (default true)')
    .option('--network <name>', 'the network the pods join')
    .option('--configmap <file>', 'a YAML file of ConfigMaps (repeatable, comma-separated)', collect)
    .option('--build [bool]', 'build images from directories beside the YAML named after them (default: only missing ones; false: never)')
    .action(async (fileArg: string | undefined, o: { replace?: boolean; down?: boolean; start?: string | boolean; network?: string; configmap?: string[]; build?: string | boolean }) => {
      // `--build FILE` / `--start FILE`: the optional value took the file (Podman's flags are
      // booleans written `--build=false`).
      let file = fileArg;
      for (const k of ['build', 'start'] as const) {
        const v = o[k];
        if (file === undefined && typeof v === 'string' && v !== 'true' && v !== 'false') {
          file = v;
          o[k] = true;
        }
      }
      if (file === undefined) throw invalidArgument("missing required argument 'FILE'");
      const plan = await loadPlan(file, o.configmap, { namesOnly: !!o.down });
      const engine = await app.engine();
      if (o.down) {
        const { printDown } = await import('./kube-down.js');
        printDown(app, await (await import('../../../engine/kube/down.js')).kubeDown(engine, plan, {}));
        return;
      }
      for (const w of plan.warnings) app.err(`WARN[0000] ${w}\n`);
      const { kubePlay } = await import('../../../engine/kube/play.js');
      const report = await kubePlay(engine, plan, {
        ...(o.replace ? { replace: true } : {}),
        start: parseBool(o.start, '--start'),
        ...(o.network ? { network: o.network } : {}),
        ...(o.build !== undefined ? { build: parseBool(o.build, '--build') } : {}),
        ...(file !== '-' ? { baseDir: dirname(resolve(file)) } : {}),
      }, {
        ensureImage: (image, policy) => pullForCreate(app, image, policy),
        build: async (image, context) => {
          const { renderer } = await import('../image/build.js');
          await engine.builder.build({ context: { kind: 'dir', path: context }, tags: [image], env: process.env }, renderer(app, false));
        },
      });
      // Podman's report: each volume made, then each pod with its containers.
      for (const v of report.volumes) app.print(`Volume:\n${v}\n\n`);
      for (const p of report.pods) app.print(`Pod:\n${p.id}\n${p.containers.length > 1 ? 'Containers' : 'Container'}:\n${p.containers.join('\n')}\n\n`);
    });
  examples(cmd, ['skiff kube play app.yaml', 'skiff kube play --replace --configmap env.yaml app.yaml', 'cat app.yaml | skiff kube play -', 'skiff kube play --down app.yaml']);
}
