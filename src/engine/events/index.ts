/**
 * @module engine/events
 * Container, image, volume and network events (Docker's `events`), recorded by every process that acts.
 */
export { EventLog } from './log.js';
export { matchEvent } from './filter.js';
export type * from './types.js';
