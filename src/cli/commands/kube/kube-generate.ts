import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { invalidArgument } from '../../../core/errdefs.js';

interface Flags {
  service?: boolean;
  type?: string;
  filename?: string;
}

/** Podman's -f never replaces a file. */
function writeNew(file: string, text: string): void {
  try {
    writeFileSync(file, text, { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw invalidArgument(`cannot write to "${file}"; file exists`);
    throw e;
  }
}

const TYPES = ['pod', 'deployment', 'daemonset'] as const;

export function register(parent: Command, app: App, name = 'generate'): void {
  const cmd = parent
    .command(name)
    .description('Generate Kubernetes YAML from containers, pods or volumes (as podman kube generate)')
    .argument('<CONTAINER|POD|VOLUME...>')
    .option('-s, --service', 'add a Kubernetes Service (NodePort) for the published ports')
    .option('-t, --type <type>', 'the workload to write: pod, deployment or daemonset', 'pod')
    .option('-f, --filename <file>', 'write the YAML to this file instead of stdout')
    .action(async (refs: string[], f: Flags) => {
      const type = (f.type ?? 'pod').toLowerCase();
      if (!(TYPES as readonly string[]).includes(type)) throw invalidArgument(`invalid type "${f.type}": use pod, deployment or daemonset`);
      const { yaml } = await (await app.engine()).kubeGenerate(refs, { service: !!f.service, type: type as (typeof TYPES)[number] });
      if (f.filename) writeNew(f.filename, yaml);
      else app.out(yaml);
    });
  examples(cmd, ['skiff kube generate web > web.yaml', 'skiff kube generate -s --type deployment mypod -f mypod.yaml']);
}
