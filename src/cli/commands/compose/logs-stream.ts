import { once } from 'node:events';
import type { App } from '../../app.js';
import type { Engine } from '../../../engine/index.js';

export interface FollowOptions {
  follow?: boolean;
  tail?: number;
  /** Only records from then on (attached `up` shows what the containers print from now, as an attach). */
  since?: Date;
  timestamps?: boolean;
  noPrefix?: boolean;
  signal?: AbortSignal;
  /** Attached `up`: says how each container exited when its output ends. */
  untilExit?: boolean;
}

/**
 * The services' containers' output interleaved as it comes, each line prefixed as Docker Compose v2
 * does: the container's name without the `<project>-` part, padded to the longest plus one, ` | `.
 */
export async function followProjectLogs(app: App, engine: Engine, project: string, services: string[], o: FollowOptions): Promise<void> {
  const { projectContainers } = await import('../../../engine/compose/state.js');
  const cs = (await projectContainers(engine, project)).filter((c) => !services.length || services.includes(c.service));
  const short = (n: string) => (n.startsWith(`${project}-`) ? n.slice(project.length + 1) : n);
  const width = Math.max(0, ...cs.map((c) => short(c.name).length)) + 1;
  await Promise.all(
    cs.map(async (c) => {
      const prefix = o.noPrefix ? '' : `${short(c.name).padEnd(width)} | `;
      for await (const r of engine.containers.logs(c.id, {
        follow: !!o.follow,
        ...(o.tail !== undefined && o.tail >= 0 ? { tail: o.tail } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.since ? { since: o.since } : {}),
      })) {
        const text = r.text.endsWith('\n') ? r.text : `${r.text}\n`;
        app.out(`${prefix}${o.timestamps ? `${r.timestamp} ` : ''}${text}`);
        if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
      }
      if (o.untilExit && !o.signal?.aborted) {
        const st = ((await engine.containers.inspect(c.id)) as { State: { ExitCode: number } }).State;
        app.out(`${short(c.name)} exited with code ${st.ExitCode}\n`);
      }
    }),
  );
}
