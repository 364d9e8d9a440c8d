import type { Command } from 'commander';
import type { App } from '../../app.js';
import { invalidArgument, isEngineError } from '../../../core/errdefs.js';
import type { LoadedProject } from '../../../core/compose/types.js';
import type { ComposeHooks } from '../../../engine/compose/up.js';
import { pullForCreate } from '../image/image-pull.js';
import { projectFlags } from './group.js';

/** The project the group's and the verb's flags name (every service loaded: verbs select later). */
export async function loadFromFlags(app: App, self: Command): Promise<LoadedProject> {
  const flags = projectFlags(self);
  const { loadProject } = await import('../../../engine/compose/load.js');
  return loadProject({
    files: flags.file,
    projectName: flags.projectName,
    projectDirectory: flags.projectDirectory,
    envFiles: flags.envFile,
    profiles: flags.profile,
    onWarning: (w) => app.err(`WARN[0000] ${w}\n`),
  });
}

/**
 * For the verbs that act on what exists (down, ps, logs, stop…): with `-p` and no Compose file
 * found, the project as the engine's labels describe it.
 */
export async function loadOrState(app: App, self: Command): Promise<LoadedProject> {
  try {
    return await loadFromFlags(app, self);
  } catch (e) {
    const flags = projectFlags(self);
    if (!flags.projectName || flags.file?.length || !isEngineError(e, 'NotFound')) throw e;
    const { projectFromState } = await import('../../../engine/compose/state.js');
    return projectFromState(await app.engine({ timers: false }), flags.projectName, process.cwd());
  }
}

/** Compose v2's plain progress lines on standard error (` Container p-web-1  Started`). */
export function cliHooks(app: App): ComposeHooks {
  return {
    progress: (kind, name, status) => app.err(` ${kind} ${name}  ${status}\n`),
    ensureImage: (image, _service, policy, platform) => pullForCreate(app, image, policy ?? 'missing', platform),
    warn: (msg) => app.err(`WARN[0000] ${msg}\n`),
    build: async (_service, opts) => {
      const { renderer } = await import('../image/build.js');
      await (await app.engine()).builder.build({ ...opts, env: process.env }, renderer(app, false));
    },
  };
}

/** `--scale svc=N`, repeatable. */
export function parseScale(list: string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of list ?? []) {
    const m = /^([^=]+)=(\d+)$/.exec(s);
    if (!m) throw invalidArgument(`invalid --scale "${s}": want SERVICE=NUM`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}
