import { once } from 'node:events';
import type { App } from '../../app.js';
import type { Engine } from '../../../engine/index.js';
import type { LogRecord } from '../../../core/oci-runtime/k8s-log.js';
import type { ProjectContainer } from '../../../engine/compose/state.js';

export interface FollowOptions {
  follow?: boolean;
  tail?: number;
  timestamps?: boolean;
  noPrefix?: boolean;
  signal?: AbortSignal;
}

/**
 * Docker Compose v2's log consumer: each line prefixed by the container's name without the
 * `<project>-` part, padded to the longest name registered so far plus one, then ` | `.
 */
export class LogPrinter {
  private width = 0;
  constructor(
    private readonly app: App,
    private readonly project: string,
    private readonly o: { timestamps?: boolean; noPrefix?: boolean } = {},
  ) {}

  short(name: string): string {
    return name.startsWith(`${this.project}-`) ? name.slice(this.project.length + 1) : name;
  }

  register(c: ProjectContainer): void {
    this.width = Math.max(this.width, this.short(c.name).length + 1);
  }

  async log(c: ProjectContainer, r: LogRecord): Promise<void> {
    const prefix = this.o.noPrefix ? '' : `${this.short(c.name).padEnd(this.width)} | `;
    const text = r.text.endsWith('\n') ? r.text : `${r.text}\n`;
    this.app.out(`${prefix}${this.o.timestamps ? `${r.timestamp} ` : ''}${text}`);
    if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
  }

  status(c: ProjectContainer, text: string): void {
    this.app.out(`${this.short(c.name)} ${text}\n`);
  }
}

/** `compose logs`: the services' containers' output interleaved as it comes (with `-f`, also of containers that start later). */
export async function followProjectLogs(app: App, engine: Engine, project: string, services: string[], o: FollowOptions): Promise<void> {
  const { watchProject } = await import('../../../engine/compose/watch.js');
  const printer = new LogPrinter(app, project, o);
  await watchProject(
    engine,
    project,
    {
      services,
      follow: !!o.follow,
      ...(o.tail !== undefined ? { tail: o.tail } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    },
    (e) => (e.type === 'attach' ? printer.register(e.container) : e.type === 'log' ? printer.log(e.container, e.record) : undefined),
  );
}
