import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { App } from '../../app.js';
import type { RunningService } from '../../../api/index.js';
import { examples } from '../common.js';
import { invalidArgument } from '../../../core/errdefs.js';
// Only this small module loads with the verb; the API itself loads when the service starts.
import { defaultUri } from '../../../api/default-uri.js';

interface ServiceFlags {
  time: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsVerify?: string;
  insecureTcp?: boolean;
  group?: string;
}

function gidOf(group: string): number {
  if (/^\d+$/.test(group)) return Number(group);
  if (!/^[A-Za-z0-9_.][A-Za-z0-9_.-]*\$?$/.test(group)) throw invalidArgument(`invalid group name ${JSON.stringify(group)}`);
  const lines = readFileSync('/etc/group', 'utf8');
  const row = lines.split('\n').find((l) => l.split(':')[0] === group);
  if (!row) throw invalidArgument(`no such group: ${group}`);
  return Number(row.split(':')[2]);
}

export function register(parent: Command, app: App, name = 'service'): void {
  const cmd = parent
    .command(name)
    .description('Serve the Docker Engine API on a unix socket (or TLS TCP)')
    .argument('[uri]', 'unix:///path, tcp://host:port or fd:// (systemd socket activation)', defaultUri())
    .option('-t, --time <seconds>', 'exit after this many idle seconds; 0 runs until stopped', '5')
    .option('--tls-cert <file>', 'server certificate for tcp://')
    .option('--tls-key <file>', 'server key for tcp://')
    .option('--tls-verify <ca-file>', 'require client certificates signed by this CA')
    .option('--insecure-tcp', 'allow plain TCP on a loopback address')
    .option('--group <name|gid>', 'group owning the unix socket, mode 0660 (env SKIFF_SOCKET_GROUP, skiff.conf [service] socket_group)')
    .action(async (uri: string | undefined, o: ServiceFlags) => {
      const idleSeconds = Number(o.time);
      if (!Number.isInteger(idleSeconds) || idleSeconds < 0) throw invalidArgument(`invalid --time ${o.time}`);
      if (!!o.tlsCert !== !!o.tlsKey) throw invalidArgument('--tls-cert and --tls-key go together');
      if (o.tlsVerify && !o.tlsCert) throw invalidArgument('--tls-verify needs --tls-cert and --tls-key');
      // Set before listening: a client may send SIGTERM as soon as the socket answers.
      const state: { service?: RunningService; stopping?: boolean } = {};
      const stop = () => {
        state.stopping = true;
        void state.service?.close();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      // The service runs the timers itself (below), rather than a timer process beside it. A
      // write waiting for another process's SQLite lock must not stop every request: 5 ms in
      // SQLite, then the engine's writeTxAsync sites back off on timers (impl/metadata/db.ts).
      const engine = await app.engine({ timers: false, sqliteBusyTimeoutMs: 5 });
      const { startService } = await import('../../../api/index.js');
      const group = o.group || process.env.SKIFF_SOCKET_GROUP || engine.ctx.config.service.socketGroup;
      const service = (state.service = await startService(engine, {
        uri,
        idleSeconds,
        socketGroup: group ? gidOf(group) : undefined,
        tls: o.tlsCert && o.tlsKey ? { cert: o.tlsCert, key: o.tlsKey, ca: o.tlsVerify } : undefined,
        insecureTcp: o.insecureTcp,
        log: (m) => app.debug(m),
        debug: app.globals().logLevel === 'debug',
        // For bench/api-ping.ts: what holds the service's event loop, apart from the machine's load.
        traceStalls: process.env.SKIFF_TRACE_STALLS || undefined,
      }));
      app.debug(`API service listening on ${service.address}`);
      if (state.stopping) void service.close();
      const timersDone = new AbortController();
      const timers = engine.timers.serveInService(timersDone.signal, (m) => app.debug(`timers: ${m}`));
      await service.closed;
      timersDone.abort();
      await timers.catch((e: unknown) => app.debug(`timers: ${(e as Error).message}`));
      // Containers that still need probes or restarts get the timer process once the service is gone.
      try {
        engine.timers.ensure();
      } catch (e) {
        app.debug(`timers: ${(e as Error).message}`);
      }
      // Every connection is gone, but work a client started may still hold the event loop (an
      // attached exec waits on its process, which conmon keeps running): a moment, then go.
      setTimeout(() => process.exit(), 1000).unref();
    });
  examples(cmd, [
    'skiff system service --time 0',
    'skiff system service --time 0 unix:///tmp/skiff.sock',
    'DOCKER_HOST=unix:///run/skiff/skiff.sock docker ps',
  ]);
}
