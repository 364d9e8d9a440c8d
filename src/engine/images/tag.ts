import { familiarName, formatReference, normalizeReference } from '../../core/images/reference.js';
import { invalidArgument, notFound } from '../../core/errdefs.js';
import { writeTx } from '../../impl/metadata/db.js';
import type { EngineContext } from '../context.js';
import { imageEvent } from './events.js';
import { resolveImage } from './resolve.js';

/** `tag SOURCE TARGET...`: a name moves to the image (another image may lose it and become dangling). */
export function tagImage(ctx: EngineContext, source: string, targets: string[]): void {
  const names = targets.map((t) => {
    const ref = normalizeReference(t);
    if (ref.digest) throw invalidArgument(`refusing to create a tag with a digest reference: ${t}`);
    return formatReference(ref);
  });
  const id = writeTx(ctx.db, () => {
    const { id } = resolveImage(ctx.records, source);
    for (const n of names) ctx.records.setName(n, id);
    return id;
  });
  for (const n of names) imageEvent(ctx, 'tag', id, familiarName(n));
}

/** `untag IMAGE [NAME...]` (podman): without names, every name of the image goes. */
export function untagImage(ctx: EngineContext, source: string, targets: string[]): string[] {
  const { id, names } = writeTx(ctx.db, () => {
    const { id } = resolveImage(ctx.records, source);
    const img = ctx.records.image(id)!;
    const names = targets.length ? targets.map((t) => formatReference(normalizeReference(t))) : img.names;
    for (const n of names) {
      if (!img.names.includes(n)) throw notFound(`${n}: tag not known on image ${id.slice(7, 19)}`);
      ctx.records.removeName(n);
    }
    return { id, names };
  });
  names.forEach(() => imageEvent(ctx, 'untag', id));
  return names;
}
