import type { Command } from 'commander';
import type { App } from '../../app.js';
import { invalidArgument } from '../../../core/errdefs.js';
import { collect, registerGroup, type SubcommandTable } from '../common.js';

const lifecycle = () => import('./compose-lifecycle.js');

export const SUBCOMMANDS: SubcommandTable = [
  ['config', ['convert'], () => import('./compose-config.js')],
  ['up', [], () => import('./compose-up.js')],
  ['create', [], () => import('./compose-up.js')],
  ['down', [], () => import('./compose-down.js')],
  ['ps', [], () => import('./compose-ps.js')],
  ['logs', [], () => import('./compose-logs.js')],
  ['exec', [], () => import('./compose-exec.js')],
  ['run', [], () => import('./compose-run.js')],
  ['build', [], () => import('./compose-build.js')],
  ['port', [], () => import('./compose-port.js')],
  ['pull', [], () => import('./compose-pull.js')],
  ['push', [], () => import('./compose-push.js')],
  ['top', [], () => import('./compose-top.js')],
  ['images', [], () => import('./compose-images.js')],
  ['events', [], () => import('./compose-events.js')],
  ['ls', [], () => import('./compose-ls.js')],
  ['version', [], () => import('./compose-version.js')],
  ['wait', [], () => import('./compose-wait.js')],
  ['cp', [], () => import('./compose-cp.js')],
  ['stop', [], lifecycle],
  ['start', [], lifecycle],
  ['restart', [], lifecycle],
  ['kill', [], lifecycle],
  ['rm', [], lifecycle],
  ['pause', [], lifecycle],
  ['unpause', [], lifecycle],
];

export async function register(parent: Command, app: App, _name?: string, argv: string[] = []): Promise<void> {
  await registerGroup(parent, app, argv, { name: 'compose', description: 'Define and run multi-container applications (Compose Specification)' }, SUBCOMMANDS);
  const group = parent.commands.find((c) => c.name() === 'compose')!;
  // docker compose takes the project flags before the verb (`compose -f a.yaml config`); every verb also takes them after it.
  addProjectFlags(group).option('--ansi <when>', 'control when to print ANSI control characters ("never"|"always"|"auto")', 'auto');
}

/** The group's `--ansi`, checked. */
export function ansiMode(cmd: Command): string {
  const v = ((cmd.parent?.opts() ?? {}) as { ansi?: string }).ansi ?? 'auto';
  if (!['never', 'always', 'auto'].includes(v)) throw invalidArgument(`invalid --ansi "${v}": want never, always or auto`);
  return v;
}

/** The flags that say which project: Docker Compose's global flags. */
export function addProjectFlags(cmd: Command, opts: { shortFile?: boolean; shortProject?: boolean } = {}): Command {
  // `compose logs -f` follows: there, the file is only `--file` (or `-f` before the verb); so
  // `compose run -p` publishes, and the project is `-p` before the verb.
  const file = opts.shortFile === false ? '--file <file>' : '-f, --file <file>';
  const name = opts.shortProject === false ? '--project-name <name>' : '-p, --project-name <name>';
  return cmd
    .option(file, 'Compose configuration file (repeatable; - for standard input)', collect)
    .option(name, 'project name')
    .option('--project-directory <dir>', 'alternate working directory (default: the directory of the first Compose file)')
    .option('--profile <profile>', 'activate a profile (repeatable)', collect)
    .option('--env-file <file>', 'an alternate environment file (repeatable)', collect);
}

export interface ProjectFlags {
  file?: string[];
  projectName?: string;
  projectDirectory?: string;
  profile?: string[];
  envFile?: string[];
}

/** The group's flags with the verb's own after them (a verb's `-f` adds to the group's). */
export function projectFlags(cmd: Command): ProjectFlags {
  const g = (cmd.parent?.opts() ?? {}) as ProjectFlags;
  const o = cmd.opts() as ProjectFlags;
  return {
    file: [...(g.file ?? []), ...(o.file ?? [])],
    projectName: o.projectName ?? g.projectName,
    projectDirectory: o.projectDirectory ?? g.projectDirectory,
    profile: [...(g.profile ?? []), ...(o.profile ?? [])],
    envFile: [...(g.envFile ?? []), ...(o.envFile ?? [])],
  };
}
