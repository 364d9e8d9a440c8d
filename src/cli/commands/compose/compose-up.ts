import type { Command } from 'commander';
import type { App } from '../../app.js';
import { invalidArgument } from '../../../core/errdefs.js';
import { collect, examples } from '../common.js';
import { addProjectFlags } from './group.js';
import { followProjectLogs } from './logs-stream.js';
import { cliHooks, loadFromFlags, parseScale } from './project.js';

interface Opts {
  detach?: boolean;
  build?: boolean;
  forceRecreate?: boolean;
  /** false with `--no-recreate` (commander's negated flag). */
  recreate: boolean;
  deps: boolean;
  scale?: string[];
  wait?: boolean;
  removeOrphans?: boolean;
  timeout?: string;
  start: boolean;
}

export function register(parent: Command, app: App, name = 'up'): void {
  const cmd = addProjectFlags(parent.command(name))
    .description(name === 'create' ? 'Creates containers for a service' : 'Create and start containers')
    .argument('[service...]', 'only these services (and what they depend on)')
    .option('-d, --detach', 'run containers in the background')
    .option('--force-recreate', 'recreate containers even if their configuration has not changed')
    .option('--no-recreate', 'if containers already exist, do not recreate them')
    .option('--no-deps', "don't start linked services")
    .option('--no-start', "don't start the services after creating them")
    .option('--scale <service=num>', 'scale a service to num containers (overrides deploy.replicas; repeatable)', collect)
    .option('--wait', 'wait for services to be running|healthy (implies --detach)')
    .option('--remove-orphans', 'remove containers for services not defined in the Compose file')
    .option('-t, --timeout <seconds>', 'shutdown timeout for containers being replaced')
    .option('--build', 'build images before starting containers')
    .option('--no-build', "don't build an image, even if it's missing")
    .action(async (services: string[], o: Opts, self: Command) => {
      if (o.forceRecreate && !o.recreate) throw invalidArgument('--force-recreate and --no-recreate are incompatible');
      // `compose create` is `up --no-start`.
      if (name === 'create') o.start = false;
      const loaded = await loadFromFlags(app, self);
      const engine = await app.engine();
      const { composeUp, selectServices } = await import('../../../engine/compose/up.js');
      const { waitRunning } = await import('../../../engine/compose/conditions.js');
      const hooks = cliHooks(app);
      const timeoutSec = o.timeout !== undefined ? Number(o.timeout) : undefined;
      const began = new Date();
      await composeUp(
        engine,
        loaded,
        {
          services,
          noDeps: !o.deps,
          ...(o.forceRecreate ? { forceRecreate: true } : {}),
          ...(o.recreate ? {} : { noRecreate: true }),
          scale: parseScale(o.scale),
          ...(o.removeOrphans ? { removeOrphans: true } : {}),
          // --build and --no-build share the key: unset unless one was given.
          ...(o.build === true ? { build: true } : {}),
          ...(o.build === false ? { noBuild: true } : {}),
          ...(o.start ? {} : { noStart: true }),
          ...(timeoutSec !== undefined ? { timeoutSec } : {}),
        },
        hooks,
      );
      const selected = selectServices(loaded, services, !o.deps);
      if (o.wait) return waitRunning(engine, loaded, selected, hooks);
      if (o.detach || !o.start) return;
      // Attached: the services' output, prefixed, until every container exited (Ctrl-C stops them).
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await followProjectLogs(app, engine, loaded.project.name, selected, { follow: true, signal: ac.signal, untilExit: true, since: began });
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
      if (ac.signal.aborted) {
        app.err('Gracefully stopping... (press Ctrl+C again to force)\n');
        const { projectContainers } = await import('../../../engine/compose/state.js');
        for (const c of (await projectContainers(engine, loaded.project.name)).filter((x) => selected.includes(x.service) && x.state === 'running')) {
          hooks.progress('Container', c.name, 'Stopping');
          await engine.containers.stop(c.id, timeoutSec);
          hooks.progress('Container', c.name, 'Stopped');
        }
      }
    });
  examples(cmd, ['skiff compose up -d', 'skiff compose up -d --scale worker=3', 'skiff compose up --force-recreate web']);
}
