import type { Command } from 'commander';
import type { App } from '../../app.js';
import { invalidArgument } from '../../../core/errdefs.js';
import { addProjectFlags } from './group.js';
import { cliHooks, loadOrState } from './project.js';

const DESCRIPTIONS: Record<string, string> = {
  stop: 'Stop services',
  start: 'Start services',
  restart: 'Restart service containers',
  kill: 'Force stop service containers',
  rm: 'Removes stopped service containers',
  pause: 'Pause services',
  unpause: 'Unpause services',
};

interface Opts {
  timeout?: string;
  signal?: string;
  force?: boolean;
  stop?: boolean;
  volumes?: boolean;
}

/** The verbs that act on each existing container of the named services (all when none named). */
export function register(parent: Command, app: App, name = 'stop'): void {
  const cmd = addProjectFlags(parent.command(name), { shortFile: name !== 'rm' }).description(DESCRIPTIONS[name] ?? name).argument('[service...]', 'only these services');
  if (name === 'stop' || name === 'restart') cmd.option('-t, --timeout <seconds>', 'shutdown timeout in seconds');
  if (name === 'kill') cmd.option('-s, --signal <signal>', 'signal to send to the container', 'SIGKILL');
  if (name === 'rm') cmd.option('-f, --force', "don't ask to confirm removal").option('-s, --stop', 'stop the containers, if required, before removing').option('-v, --volumes', 'remove any anonymous volumes attached to containers');
  cmd.action(async (services: string[], o: Opts, self: Command) => {
    const loaded = await loadOrState(app, self);
    const engine = await app.engine({ timers: name === 'stop' || name === 'kill' || name === 'rm' ? false : undefined });
    const { projectContainers } = await import('../../../engine/compose/state.js');
    const { startOrder } = await import('../../../engine/compose/order.js');
    const { selectServices } = await import('../../../engine/compose/up.js');
    const { waitCondition } = await import('../../../engine/compose/conditions.js');
    if (services.length) selectServices(loaded, services, true);
    const hooks = cliHooks(app);
    const order = startOrder(loaded.project.services);
    // Dependents stop first, dependencies start first.
    const rank = (s: string) => (name === 'start' || name === 'restart' || name === 'unpause' ? order.indexOf(s) : -order.indexOf(s));
    const cs = (await projectContainers(engine, loaded.project.name))
      .filter((c) => !services.length || services.includes(c.service))
      .sort((a, b) => rank(a.service) - rank(b.service) || a.number - b.number);
    const timeout = o.timeout !== undefined ? Number(o.timeout) : undefined;
    if (timeout !== undefined && !Number.isInteger(timeout)) throw invalidArgument(`invalid --timeout "${o.timeout}"`);
    const started = new Set<string>();
    for (const c of cs) {
      const running = c.state === 'running' || c.state === 'restarting' || c.state === 'paused';
      if (name === 'stop' && running) {
        hooks.progress('Container', c.name, 'Stopping');
        await engine.containers.stop(c.id, timeout);
        hooks.progress('Container', c.name, 'Stopped');
      } else if (name === 'start' && !running) {
        for (const [dep, d] of Object.entries(loaded.project.services[c.service]?.depends_on ?? {})) {
          if (started.has(dep)) await waitCondition(engine, loaded.project.name, dep, d.condition, hooks);
        }
        hooks.progress('Container', c.name, 'Starting');
        await engine.containers.start(c.id);
        started.add(c.service);
        hooks.progress('Container', c.name, 'Started');
      } else if (name === 'restart') {
        hooks.progress('Container', c.name, 'Restarting');
        await engine.containers.restart(c.id, timeout);
        hooks.progress('Container', c.name, 'Started');
      } else if (name === 'kill' && running) {
        hooks.progress('Container', c.name, 'Killing');
        await engine.containers.kill(c.id, o.signal);
        hooks.progress('Container', c.name, 'Killed');
      } else if (name === 'pause' && c.state === 'running') {
        await engine.containers.pause(c.id);
        hooks.progress('Container', c.name, 'Paused');
      } else if (name === 'unpause' && c.state === 'paused') {
        await engine.containers.unpause(c.id);
        hooks.progress('Container', c.name, 'Unpaused');
      } else if (name === 'rm') {
        if (running && !o.stop) continue;
        if (running) await engine.containers.stop(c.id);
        hooks.progress('Container', c.name, 'Removing');
        await engine.containers.remove(c.id, { force: true, volumes: !!o.volumes });
        hooks.progress('Container', c.name, 'Removed');
      }
    }
    if (name === 'rm' && !cs.some((c) => c.state !== 'running')) app.print('No stopped containers');
  });
}
