import type { EngineContext } from '../context.js';

/**
 * Records an image event as dockerd's LogImageEvent does: the actor is the image (its ID, or
 * the reference for pull and push) and `name` the reference the verb acted on; untag, delete,
 * import, load and save name the image by its ID, as dockerd does.
 */
export function imageEvent(ctx: EngineContext, action: string, id: string, name = id, extra: Record<string, string> = {}): void {
  ctx.events.emit({ Type: 'image', Action: action, Actor: { ID: id, Attributes: { ...extra, name } } });
}
