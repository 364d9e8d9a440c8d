/** What an event is about (Docker's `Type`). */
export type EventType = 'container' | 'network' | 'image' | 'volume' | 'pod';

/**
 * One engine event, in Docker's shape (EventMessage without the legacy fields): the API adds
 * `status`/`id`/`from`, a CLI would print it.
 */
export interface EngineEvent {
  Type: EventType;
  /**
   * container: create, attach, start, die, kill, stop, destroy, pause, unpause, rename, restart,
   * exec_create, exec_start, exec_die; network: create, connect, disconnect, destroy; volume:
   * create, destroy; image: pull, push, tag, untag, delete, import, load, save, prune
   */
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  /** unix seconds */
  time: number;
  timeNano: number;
}

export type EventInput = Pick<EngineEvent, 'Type' | 'Action' | 'Actor'>;

export interface EventQuery {
  /** Only events at or after this instant. */
  since?: Date;
  /** Only events at or before this instant; a subscription ends when it passes. */
  until?: Date;
  /** Docker's filters: type, container, event, label, image, network, volume. */
  filters?: Map<string, string[]>;
}
