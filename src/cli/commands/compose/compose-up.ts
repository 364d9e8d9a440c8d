import { Option, type Command } from 'commander';
import type { App } from '../../app.js';
import type { ServiceConfig } from '../../../core/compose/types.js';
import { ExitCodeError, invalidArgument, notFound } from '../../../core/errdefs.js';
import { collect, examples } from '../common.js';
import { addProjectFlags, ansiMode } from './group.js';
import { LogPrinter, useColor } from './logs-stream.js';
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
  abortOnContainerExit?: boolean;
  abortOnContainerFailure?: boolean;
  exitCodeFrom?: string;
  attach?: string[];
  noAttach?: string[];
  attachDependencies?: boolean;
  logPrefix: boolean;
  color?: boolean;
  timestamps?: boolean;
}

/** Docker Compose v2's checks of the attach flags (its messages). */
function validate(o: Opts): void {
  if (o.exitCodeFrom !== undefined && !o.abortOnContainerFailure) o.abortOnContainerExit = true;
  if (o.abortOnContainerExit && o.abortOnContainerFailure) throw invalidArgument('--abort-on-container-failure cannot be combined with --abort-on-container-exit');
  if (o.wait) {
    if (o.attachDependencies || o.abortOnContainerExit || o.attach?.length) throw invalidArgument('--wait cannot be combined with --abort-on-container-exit, --attach or --attach-dependencies');
    o.detach = true;
  }
  if (o.detach && (o.attachDependencies || o.abortOnContainerExit || o.abortOnContainerFailure || o.attach?.length)) {
    throw invalidArgument('--detach cannot be combined with --abort-on-container-exit, --abort-on-container-failure, --attach or --attach-dependencies');
  }
  if (o.forceRecreate && !o.recreate) throw invalidArgument('--force-recreate and --no-recreate are incompatible');
  if (o.attach?.length && o.attachDependencies) throw invalidArgument('cannot combine --attach and --attach-dependencies');
}

/**
 * Whose output attached `up` shows: `--attach`'s services, or the services named (all when
 * none) with, given `--attach-dependencies`, what they depend on; less `--no-attach`'s and those
 * whose `attach: false` says so (Compose v2).
 */
function attachSet(all: Record<string, ServiceConfig>, named: string[], o: Opts): string[] {
  const out = new Set<string>();
  if (o.attach?.length) {
    const unknown = o.attach.filter((s) => !all[s]);
    if (unknown.length) throw invalidArgument(`cannot attach to services not included in up: ${unknown.join(', ')}`);
    o.attach.forEach((s) => out.add(s));
  } else {
    const add = (s: string) => {
      if (out.has(s) || !all[s]) return;
      if (all[s].attach !== false) out.add(s);
      if (o.attachDependencies) Object.keys(all[s].depends_on ?? {}).forEach(add);
    };
    (named.length ? named : Object.keys(all)).forEach(add);
  }
  for (const s of o.noAttach ?? []) out.delete(s);
  return [...out];
}

/** A repeatable option whose name begins with `no-` but negates nothing (commander would read it as `--attach`'s negation). */
function listOption(flags: string, description: string, key: string): Option {
  const opt = new Option(flags, description).argParser(collect);
  opt.negate = false;
  opt.attributeName = () => key;
  return opt;
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
    .option('--abort-on-container-exit', 'stops all containers if any container was stopped (incompatible with -d)')
    .option('--abort-on-container-failure', 'stops all containers if any container exited with failure (incompatible with -d)')
    .option('--exit-code-from <service>', 'return the exit code of the selected service container (implies --abort-on-container-exit)')
    .option('--attach <service>', 'restrict attaching to the specified services (repeatable)', collect)
    .addOption(listOption('--no-attach <service>', 'do not attach (stream logs) to the specified services (repeatable)', 'noAttach'))
    .option('--attach-dependencies', 'automatically attach to log output of dependent services')
    .option('--no-log-prefix', "don't print a prefix in logs")
    .option('--no-color', 'produce monochrome output')
    .option('--timestamps', 'show timestamps')
    .action(async (services: string[], o: Opts, self: Command) => {
      validate(o);
      // `compose create` is `up --no-start`.
      if (name === 'create') o.start = false;
      const loaded = await loadFromFlags(app, self);
      const engine = await app.engine();
      const { composeUp, selectServices } = await import('../../../engine/compose/up.js');
      const { waitRunning } = await import('../../../engine/compose/conditions.js');
      const hooks = cliHooks(app);
      const timeoutSec = o.timeout !== undefined ? Number(o.timeout) : undefined;
      const selected = selectServices(loaded, services, !o.deps);
      if (o.exitCodeFrom !== undefined && !loaded.project.services[o.exitCodeFrom]) throw notFound(`no such service: ${o.exitCodeFrom}`);
      const attach = attachSet(loaded.project.services, services, o);
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
      if (o.wait) return waitRunning(engine, loaded, selected, hooks);
      if (o.detach || !o.start) return;
      // Attached: the services' output, prefixed, until every container exited (Ctrl-C stops them).
      const { followAttachedUp } = await import('../../../engine/compose/attached.js');
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const printer = new LogPrinter(app, loaded.project.name, { timestamps: !!o.timestamps, noPrefix: !o.logPrefix, color: useColor(ansiMode(self), o.color === false) });
      let code: number;
      try {
        code = await followAttachedUp(
          engine,
          loaded,
          {
            attach,
            services: selected,
            since: began,
            signal: ac.signal,
            onExit: o.abortOnContainerExit ? 'stop' : o.abortOnContainerFailure ? 'fail' : 'ignore',
            ...(o.exitCodeFrom !== undefined ? { exitCodeFrom: o.exitCodeFrom } : {}),
            ...(timeoutSec !== undefined ? { timeoutSec } : {}),
          },
          {
            progress: hooks.progress,
            register: (c) => printer.register(c),
            log: (c, r) => printer.log(c, r),
            status: (c, text) => printer.status(c, text),
            aborting: () => app.out('Aborting on container exit...\n'),
            interrupted: () => app.err('Gracefully stopping... (press Ctrl+C again to force)\n'),
          },
        );
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
      if (code !== 0) throw new ExitCodeError(code);
    });
  examples(cmd, ['skiff compose up -d', 'skiff compose up -d --scale worker=3', 'skiff compose up --force-recreate web']);
}
