import { once } from 'node:events';
import type { App } from '../../app.js';
import type { Engine } from '../../../engine/index.js';
import type { LogRecord } from '../../../core/oci-runtime/k8s-log.js';
import type { ProjectContainer } from '../../../engine/compose/state.js';

export interface FollowOptions {
  follow?: boolean;
  color?: boolean;
  tail?: number;
  timestamps?: boolean;
  noPrefix?: boolean;
  signal?: AbortSignal;
}

/** Compose's rainbow: each container takes the next colour as it registers (SGR codes). */
const RAINBOW = ['36', '33', '32', '35', '34', '36;1', '33;1', '32;1', '35;1', '34;1'];

/** Whether output is coloured: `--no-color`, then the group's `--ansi never|always|auto` (auto: standard output is a terminal). */
export function useColor(ansi: string | undefined, noColor: boolean | undefined): boolean {
  if (noColor) return false;
  if (ansi === 'always') return true;
  if (ansi === 'never') return false;
  return !!process.stdout.isTTY;
}

/**
 * Docker Compose v2's log consumer: each line prefixed by the container's name without the
 * `<project>-` part, padded to the longest name registered so far plus one, then ` | `; with
 * colour, the prefix (and the container's status lines) in the container's colour.
 */
export class LogPrinter {
  private width = 0;
  private readonly colors = new Map<string, string>();
  constructor(
    private readonly app: App,
    private readonly project: string,
    private readonly o: { timestamps?: boolean; noPrefix?: boolean; color?: boolean } = {},
  ) {}

  short(name: string): string {
    return name.startsWith(`${this.project}-`) ? name.slice(this.project.length + 1) : name;
  }

  register(c: ProjectContainer): void {
    this.width = Math.max(this.width, this.short(c.name).length + 1);
    if (!this.colors.has(c.id)) this.colors.set(c.id, RAINBOW[this.colors.size % RAINBOW.length]!);
  }

  private paint(c: ProjectContainer, s: string): string {
    return this.o.color ? `\x1b[${this.colors.get(c.id) ?? RAINBOW[0]}m${s}\x1b[0m` : s;
  }

  async log(c: ProjectContainer, r: LogRecord): Promise<void> {
    const prefix = this.o.noPrefix ? '' : this.paint(c, `${this.short(c.name).padEnd(this.width)} | `);
    const text = r.text.endsWith('\n') ? r.text : `${r.text}\n`;
    this.app.out(`${prefix}${this.o.timestamps ? `${r.timestamp} ` : ''}${text}`);
    if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
  }

  status(c: ProjectContainer, text: string): void {
    this.app.out(`${this.paint(c, `${this.short(c.name)} ${text}`)}\n`);
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
