import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import type { App } from '../../app.js';
import { invalidArgument } from '../../../core/errdefs.js';
import { collect, examples } from '../common.js';
import { TerminalIo, followAttached } from '../container/attach-io.js';
import { expandEnv } from '../container/exec.js';
import { addProjectFlags } from './group.js';
import { cliHooks, loadFromFlags } from './project.js';

interface Opts {
  rm?: boolean;
  detach?: boolean;
  name?: string;
  env?: string[];
  user?: string;
  workdir?: string;
  entrypoint?: string;
  deps: boolean;
  TTY?: boolean;
  label?: string[];
  servicePorts?: boolean;
  publish?: string[];
}

export function register(parent: Command, app: App, name = 'run'): void {
  const cmd = addProjectFlags(parent.command(name), { shortProject: false })
    .description('Run a one-off command on a service')
    .argument('<service>')
    .argument('[command...]', 'command and arguments (default: the service\'s)')
    .passThroughOptions()
    .option('--rm', 'automatically remove the container when it exits')
    .option('-d, --detach', 'run the container in the background and print its ID')
    .option('--name <name>', 'assign a name to the container')
    .option('-e, --env <KEY=VALUE>', 'set environment variables', collect)
    .option('-l, --label <KEY=VALUE>', 'add or override a label', collect)
    .option('-u, --user <user>', 'run as this user')
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('--entrypoint <cmd>', "override the image's entrypoint")
    .option('--no-deps', "don't start linked services")
    .option('--service-ports', "run the command with the service's ports enabled and mapped to the host")
    .option('-p, --publish <port>', "publish a container's port(s) to the host (repeatable)", collect)
    .option('-T, --no-TTY', 'disable pseudo-TTY allocation (default: a TTY when standard input is one)')
    .action(async (service: string, command: string[], o: Opts, self: Command) => {
      const loaded = await loadFromFlags(app, self);
      const engine = await app.engine();
      const up = await import('../../../engine/compose/up.js');
      const { ensureProjectResources } = await import('../../../engine/compose/resources.js');
      const { waitCondition } = await import('../../../engine/compose/conditions.js');
      const hooks = cliHooks(app);
      const { project } = loaded;
      up.selectServices(loaded, [service], true);
      const base = project.services[service];
      if (!base) throw invalidArgument(`no such service: ${service}`);
      const deps = Object.keys(base.depends_on ?? {}).filter((d) => project.services[d] || loaded.disabledServices[d]);
      if (o.deps && deps.length) await up.composeUp(engine, loaded, { services: deps }, hooks);
      else await ensureProjectResources(engine, loaded, hooks);
      if (o.deps) for (const [d, v] of Object.entries(base.depends_on ?? {})) if (project.services[d]) await waitCondition(engine, project.name, d, v.condition, hooks);
      // The one-off's own configuration: the service's with the command line's overrides.
      const labels = Object.fromEntries((o.label ?? []).map((kv) => [kv.split('=')[0]!, kv.slice(kv.indexOf('=') + 1)]));
      const env = Object.fromEntries(expandEnv(o.env).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
      const tty = o.TTY !== false && !!process.stdin.isTTY;
      const { oneOffService } = await import('../../../engine/compose/run.js');
      project.services[service] = oneOffService(base, {
        command,
        ...(o.entrypoint !== undefined ? { entrypoint: o.entrypoint } : {}),
        env,
        labels,
        ...(o.user !== undefined ? { user: o.user } : {}),
        ...(o.workdir !== undefined ? { workdir: o.workdir } : {}),
        tty,
        servicePorts: !!o.servicePorts,
        ...(o.publish ? { publish: o.publish } : {}),
      });
      const oneoffName = o.name ?? `${project.name}-${service}-run-${randomBytes(6).toString('hex')}`;
      const id = await up.createServiceContainer(engine, loaded, service, 1, { ...hooks, progress: () => undefined }, oneoffName, { autoRemove: !!o.rm });
      if (o.detach) {
        await engine.containers.start(id);
        app.print(oneoffName);
        return;
      }
      const io = new TerminalIo(tty, true);
      let session;
      try {
        session = (await engine.containers.start(id, { attach: io.streams(), callerCleansUp: true })).attach;
      } catch (e) {
        if (o.rm) await engine.containers.remove(id, { force: true }).catch(() => undefined);
        throw e;
      }
      await followAttached(engine, id, session, io, { proxySignals: !tty });
    });
  examples(cmd, ['skiff compose run --rm web sh -c "env"', 'skiff compose run --rm --no-deps -T worker echo hi']);
}
