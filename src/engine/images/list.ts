import { invalidArgument } from '../../core/errdefs.js';
import { familiarName } from '../../core/images/reference.js';
import type { EngineContext } from '../context.js';
import { summarize } from './read.js';
import { resolveImage } from './resolve.js';
import type { ImageListOptions, ImageSummary } from './types.js';

const FILTERS = new Set(['dangling', 'reference', 'label', 'before', 'since', 'id']);

/** Glob of Docker's reference filter: `*` within a path component, matched on the familiar and full name. */
function refMatcher(pattern: string): (name: string) => boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*') +
      '$',
  );
  return (name) => {
    const familiar = familiarName(name);
    const repoOnly = familiar.replace(/:[^:/@]+$/, '');
    return re.test(familiar) || re.test(name) || re.test(repoOnly);
  };
}

export async function listImages(ctx: EngineContext, opts: ImageListOptions = {}): Promise<ImageSummary[]> {
  const filters = opts.filters ?? new Map<string, string[]>();
  for (const k of filters.keys()) if (!FILTERS.has(k)) throw invalidArgument(`invalid filter '${k}'`);
  let images = await summarize(ctx, ctx.records.images());
  const dangling = filters.get('dangling')?.[0];
  if (dangling !== undefined) {
    if (dangling !== 'true' && dangling !== 'false') throw invalidArgument(`invalid filter 'dangling=${dangling}'`);
    images = images.filter((i) => i.Dangling === (dangling === 'true'));
  }
  for (const pattern of filters.get('reference') ?? []) {
    const match = refMatcher(pattern);
    images = images
      .map((i) => ({ ...i, RepoTags: i.RepoTags.filter((_, n) => match(i.Names[n]!)) }))
      .filter((i) => i.RepoTags.length > 0);
  }
  for (const l of filters.get('label') ?? []) {
    const [k, v] = l.split('=', 2) as [string, string | undefined];
    images = images.filter((i) => k in i.Labels && (v === undefined || i.Labels[k] === v));
  }
  for (const key of ['before', 'since'] as const) {
    for (const ref of filters.get(key) ?? []) {
      const pivot = images.find((i) => i.Id === resolveImage(ctx.records, ref).id);
      if (!pivot) continue;
      images = images.filter((i) => (key === 'before' ? i.Created < pivot.Created : i.Created > pivot.Created));
    }
  }
  for (const id of filters.get('id') ?? []) {
    images = images.filter((i) => i.Id.startsWith(id.startsWith('sha256:') ? id : `sha256:${id}`));
  }
  return images;
}
