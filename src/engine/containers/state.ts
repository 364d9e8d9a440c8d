import { failedPrecondition } from '../../core/errdefs.js';
import type { ContainerRecord, ContainerStateRecord, ContainerStatus } from './types.js';

export function initialState(): ContainerStateRecord {
  return {
    status: 'created',
    pid: 0,
    conmonPid: 0,
    exitCode: 0,
    error: '',
    oomKilled: false,
    startedAt: '0001-01-01T00:00:00Z',
    finishedAt: '0001-01-01T00:00:00Z',
  };
}

const short = (c: ContainerRecord) => c.id.slice(0, 12);

/** Guards: every operation refreshes, checks here, acts, then saves. */
export const guard = {
  start(c: ContainerRecord): void {
    if (c.state.status === 'running') throw failedPrecondition(`container ${short(c)} is already running`);
    if (c.state.status === 'paused') throw failedPrecondition(`container ${short(c)} is paused, unpause it instead`);
  },
  signal(c: ContainerRecord): void {
    if (c.state.status !== 'running' && c.state.status !== 'paused') {
      throw failedPrecondition(`container ${short(c)} is not running`);
    }
  },
  pause(c: ContainerRecord): void {
    if (c.state.status !== 'running') throw failedPrecondition(`container ${short(c)} is not running`);
  },
  unpause(c: ContainerRecord): void {
    if (c.state.status !== 'paused') throw failedPrecondition(`container ${short(c)} is not paused`);
  },
  remove(c: ContainerRecord, force: boolean): void {
    if (!force && (c.state.status === 'running' || c.state.status === 'paused')) {
      throw failedPrecondition(
        `cannot remove container ${short(c)}: container is ${c.state.status}: stop the container before removing or force remove`,
      );
    }
  },
};

export function isActive(status: ContainerStatus): boolean {
  return status === 'running' || status === 'paused';
}

/** Docker's human status column: "Up 5 minutes", "Exited (0) 2 seconds ago", "Created". */
export function humanStatus(s: ContainerStateRecord, since: (iso: string) => string, ago: (iso: string) => string): string {
  switch (s.status) {
    case 'running':
      return `Up ${since(s.startedAt)}`;
    case 'paused':
      return `Up ${since(s.startedAt)} (Paused)`;
    case 'exited':
      return `Exited (${s.exitCode}) ${ago(s.finishedAt)}`;
    case 'created':
      return 'Created';
    default:
      return s.status[0]!.toUpperCase() + s.status.slice(1);
  }
}
