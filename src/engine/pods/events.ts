import type { EngineContext } from '../context.js';
import type { PodRecord } from './types.js';

/** Podman's pod events: Type `pod`, the pod's name as an attribute. */
export function podEvent(ctx: EngineContext, pod: Pick<PodRecord, 'id' | 'name'>, action: string): void {
  ctx.events.emit({ Type: 'pod', Action: action, Actor: { ID: pod.id, Attributes: { name: pod.name } } });
}
