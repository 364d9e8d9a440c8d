import type { ContainerContext } from './context.js';
import type { ContainerRecord } from './types.js';

/**
 * Records a container event. Its attributes carry the image, the name and the container's
 * labels (compose v1 follows its project's events by label), plus `extra` (exitCode, signal).
 */
export function containerEvent(
  cc: ContainerContext,
  c: Pick<ContainerRecord, 'id' | 'name' | 'config'>,
  action: string,
  extra: Record<string, string> = {},
): void {
  const labels = { ...(c.config.imageConfig.Labels ?? {}), ...(c.config.opts.labels ?? {}) };
  cc.ctx.events.emit({ Type: 'container', Action: action, Actor: { ID: c.id, Attributes: { ...labels, image: c.config.image, name: c.name, ...extra } } });
}
