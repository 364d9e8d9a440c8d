/**
 * @module engine/volumes
 * Named volumes. Placeholder: being written.
 */
import type { EngineContext } from '../context.js';

export class VolumeEngine {
  constructor(readonly ctx: EngineContext) {}
}
