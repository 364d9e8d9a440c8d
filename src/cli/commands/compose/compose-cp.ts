import type { Command } from 'commander';
import type { App } from '../../app.js';
import { invalidArgument, notFound } from '../../../core/errdefs.js';
import { examples } from '../common.js';
import { addProjectFlags } from './group.js';
import { cliHooks, loadOrState } from './project.js';

interface Opts {
  index?: string;
  all?: boolean;
  archive?: boolean;
  followLink?: boolean;
}

/** `SERVICE:PATH` splits at the first colon, unless the part before it looks like a local path. */
function splitArg(arg: string): { service?: string; path: string } {
  if (arg.startsWith('/') || arg.startsWith('.')) return { path: arg };
  const i = arg.indexOf(':');
  return i <= 0 ? { path: arg } : { service: arg.slice(0, i), path: arg.slice(i + 1) };
}

/**
 * The engine's cp for a service's containers: out of the first one (or `--index`), into every
 * one of them unless `--index` names one, as Docker Compose v2 does.
 */
export function register(parent: Command, app: App, name = 'cp'): void {
  const cmd = addProjectFlags(parent.command(name))
    .description('Copy files/folders between a service container and the local filesystem')
    .usage('[OPTIONS] SERVICE:SRC_PATH DEST_PATH|-\n       skiff compose cp [OPTIONS] SRC_PATH|- SERVICE:DEST_PATH')
    .argument('<SRC>')
    .argument('<DEST>')
    .option('--index <n>', 'index of the container if the service has multiple replicas')
    .option('--all', 'include containers created by the run command')
    .option('-a, --archive', 'archive mode (copy all uid/gid information)')
    .option('-L, --follow-link', 'always follow symbol link in SRC_PATH')
    .action(async (srcArg: string, destArg: string, o: Opts, self: Command) => {
      const src = splitArg(srcArg);
      const dest = splitArg(destArg);
      if (src.service && dest.service) throw invalidArgument('copying between services is not supported');
      if (!src.service && !dest.service) throw invalidArgument('must specify at least one container source');
      const service = (src.service ?? dest.service)!;
      const index = o.index !== undefined ? Number(o.index) : 0;
      if (!Number.isInteger(index) || index < 0) throw invalidArgument(`invalid --index "${o.index}"`);
      const loaded = await loadOrState(app, self);
      const engine = await app.engine({ timers: false });
      const { projectContainers } = await import('../../../engine/compose/state.js');
      let cs = (await projectContainers(engine, loaded.project.name, { oneoff: !!o.all })).filter((c) => c.service === service);
      if (index > 0) cs = cs.filter((c) => c.number === index && !c.oneoff);
      if (!cs.length) throw notFound(index > 0 ? `service "${service}" is not running container #${index}` : `no container found for service "${service}"`);
      // Compose's progress lines on standard error, per container.
      const progress = cliHooks(app).progress;
      const flags = { ...(o.followLink ? { followLink: true } : {}), ...(o.archive ? { archive: true } : {}) };
      if (src.service) {
        if (!src.path) throw invalidArgument('filepath can not be empty');
        const c = cs[0]!;
        progress('Container', c.name, 'Copying');
        if (dest.path === '-') await engine.containers.copy(c.id, { direction: 'out', path: src.path, tar: process.stdout, ...(o.followLink ? { followLink: true } : {}) });
        else await engine.containers.copy(c.id, { direction: 'out', path: src.path, hostPath: dest.path, ...flags });
        progress('Container', c.name, 'Copied');
        return;
      }
      if (!dest.path) throw invalidArgument('filepath can not be empty');
      if (src.path === '-') {
        // Standard input is read once: one container only.
        if (cs.length > 1) throw invalidArgument('copying from standard input needs --index with a scaled service');
        await engine.containers.copy(cs[0]!.id, { direction: 'in', path: dest.path, tar: process.stdin });
        return;
      }
      for (const c of cs) {
        progress('Container', c.name, 'Copying');
        await engine.containers.copy(c.id, { direction: 'in', path: dest.path, hostPath: src.path, ...flags });
        progress('Container', c.name, 'Copied');
      }
    });
  examples(cmd, ['skiff compose cp web:/etc/hosts ./hosts', 'skiff compose cp ./site web:/var/www', 'skiff compose cp --index 2 web:/tmp/out .']);
}
