import type { Command } from 'commander';
import type { App } from '../../app.js';
import { invalidArgument } from '../../../core/errdefs.js';
import { collect, examples } from '../common.js';
import { execIn } from '../container/exec.js';
import { addProjectFlags } from './group.js';
import { loadFromFlags } from './project.js';

interface Opts {
  detach?: boolean;
  env?: string[];
  user?: string;
  workdir?: string;
  index: string;
  privileged?: boolean;
}

export function register(parent: Command, app: App, name = 'exec'): void {
  const cmd = addProjectFlags(parent.command(name))
    .description('Execute a command in a running container')
    .argument('<service>')
    .argument('<command...>', 'command and arguments')
    .passThroughOptions()
    .option('-d, --detach', 'detached mode: run the command in the background')
    .option('-e, --env <KEY=VALUE>', 'set environment variables', collect)
    .option('-T, --no-TTY', 'disable pseudo-TTY allocation (default: a TTY when standard input is one)')
    .option('-u, --user <user>', 'run the command as this user')
    .option('-w, --workdir <dir>', 'path to workdir directory for this command')
    .option('--index <n>', 'index of the container if the service has multiple replicas', '1')
    .option('--privileged', 'give extended privileges to the process')
    .action(async (service: string, command: string[], o: Opts & { TTY?: boolean }, self: Command) => {
      const loaded = await loadFromFlags(app, self);
      const engine = await app.engine();
      const { projectContainers } = await import('../../../engine/compose/state.js');
      if (!loaded.project.services[service]) throw invalidArgument(`no such service: ${service}`);
      const index = Number(o.index);
      const c = (await projectContainers(engine, loaded.project.name)).find((x) => x.service === service && x.number === index && x.state === 'running');
      if (!c) throw invalidArgument(`service "${service}" is not running`);
      const tty = o.TTY !== false && !!process.stdin.isTTY;
      await execIn(app, c.id, command, {
        interactive: !o.detach,
        tty,
        ...(o.detach ? { detach: true } : {}),
        env: o.env ?? [],
        ...(o.workdir !== undefined ? { workdir: o.workdir } : {}),
        ...(o.user !== undefined ? { user: o.user } : {}),
        ...(o.privileged ? { privileged: true } : {}),
      });
    });
  examples(cmd, ['skiff compose exec web sh', 'skiff compose exec -T db cat /data/index.html']);
}
