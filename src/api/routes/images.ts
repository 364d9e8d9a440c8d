/**
 * Images: list, inspect, history, tag, remove, prune, pull/import (`/images/create`), push,
 * save (`get`) and load. Image names carry `/` and `:` unescaped in the path, so the routes
 * with a name take the rest of the path (`{name:.+}`) and come after the fixed ones.
 */
import type { ServerResponse } from 'node:http';
import type { Router } from '../router.js';
import { boolParam, filtersParam, mustRes, readJson, sendEmpty, sendJson, startJsonStream, type Call } from '../call.js';
import { invalidArgument, notFound, notImplemented } from '../../core/errdefs.js';
import { familiarName, formatReference, normalizeReference, repositoryOf } from '../../core/images/reference.js';
import { historyDoc, imageInspectDoc, imageSummaryDoc } from '../shapes/image.js';
import { errorMessage, pullProgress, pushMessages, type JsonMessage } from '../shapes/progress.js';
import { registryAuth } from '../registry-auth.js';
import { distributionError, pullError } from '../registry-errors.js';

/**
 * A JSON-lines response started by its first message, so an error before any progress is an
 * ordinary JSON error with its status, and one after it is an `errorDetail` line.
 */
class LazyStream {
  private send?: (m: JsonMessage) => void;
  constructor(private readonly res: ServerResponse) {}
  get started(): boolean {
    return this.send !== undefined;
  }
  write(m: JsonMessage): void {
    this.send ??= startJsonStream(this.res);
    this.send(m);
  }
  /** Ends the stream; an error thrown before it started goes back to the caller (and the error handler). */
  async run(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      if (!this.started) throw e;
      this.write(errorMessage(e));
    }
    this.res.end();
  }
}

/** The name part of a reference, without tag or digest. */
function repoOf(ref: string): string {
  const at = ref.indexOf('@');
  const s = at >= 0 ? ref.slice(0, at) : ref;
  const colon = s.lastIndexOf(':');
  return colon > s.lastIndexOf('/') ? s.slice(0, colon) : s;
}

/** `fromImage` may embed a tag; `tag` may be a tag or a digest and then wins. */
export function pullReference(fromImage: string, tag: string): string {
  if (!fromImage) throw invalidArgument('fromImage or fromSrc is required');
  if (!tag) return fromImage;
  return tag.includes(':') ? `${repoOf(fromImage)}@${tag}` : `${repoOf(fromImage)}:${tag}`;
}

function platformOf(p: string | null): { os?: string; architecture?: string; variant?: string } | undefined {
  if (!p) return undefined;
  const [os, architecture, variant] = p.split('/');
  return { os, ...(architecture ? { architecture } : {}), ...(variant ? { variant } : {}) };
}

async function pull(c: Call, res: ServerResponse): Promise<void> {
  let fromImage = c.query.get('fromImage') ?? '';
  let tag = c.query.get('tag') ?? '';
  if (!fromImage) {
    // testcontainers repeats the parameters as a JSON body
    const body = await readJson<{ fromImage?: unknown; tag?: unknown }>(c.req);
    fromImage = typeof body.fromImage === 'string' ? body.fromImage : '';
    tag = typeof body.tag === 'string' ? body.tag : tag;
  } else c.req.resume();
  const ref = pullReference(fromImage, tag);
  const credentials = registryAuth(c.req);
  const platform = c.query.get('platform') || undefined;
  const out = new LazyStream(res);
  let shown = ref;
  const shape = pullProgress();
  await out.run(async () => {
    const r = await c.engine.images.pull(ref, { platform, credentials }, (e) => {
      if (e.type === 'resolved') shown = e.name;
      for (const m of shape(e)) out.write(m);
    }).catch((e: unknown) => {
      throw out.started ? e : pullError(e, familiarName(formatReference(normalizeReference(ref))));
    });
    shown = r.name ?? `${repoOf(shown)}@${r.digest}`;
    out.write({ status: `Digest: ${r.digest}` });
    const what = familiarName(shown);
    out.write({ status: r.downloadedBlobs > 0 ? `Status: Downloaded newer image for ${what}` : `Status: Image is up to date for ${what}` });
  });
}

/** `fromSrc=-`: the body is a root filesystem tar (`docker import`). */
async function importFrom(c: Call, res: ServerResponse, src: string): Promise<void> {
  if (src !== '-') throw notImplemented('importing from a URL is not supported: send the archive as the body (fromSrc=-)');
  const repo = c.query.get('repo') ?? '';
  const tag = c.query.get('tag') ?? '';
  const id = await c.engine.images.import(c.req, {
    ...(repo ? { reference: tag ? `${repoOf(repo)}:${tag}` : repo } : {}),
    changes: c.query.getAll('changes').filter(Boolean),
    ...(c.query.get('message') ? { message: c.query.get('message')! } : {}),
    platform: platformOf(c.query.get('platform')),
  });
  const send = startJsonStream(res);
  send({ status: id });
  res.end();
}

async function push(c: Call): Promise<void> {
  const res = mustRes(c);
  c.req.resume();
  const name = c.params.name!;
  const tag = c.query.get('tag') ?? '';
  let sources: string[];
  if (tag) sources = [`${repoOf(name)}:${tag}`];
  else if (repoOf(name) !== name) sources = [name];
  else {
    // No tag: every local tag of the repository, as docker pushes them.
    const repo = familiarName(repositoryOf(normalizeReference(name)));
    const images = await c.engine.images.list({ filters: new Map([['reference', [repo]]]) });
    sources = images.flatMap((i) => i.RepoTags).filter((t) => repoOf(t) === repo);
    if (sources.length === 0) throw notFound(`An image does not exist locally with the tag: ${name}`);
  }
  const configs = await Promise.all(sources.map(async (s) => (await c.engine.images.inspect(s)).Id.slice(7, 19)));
  const credentials = registryAuth(c.req);
  const out = new LazyStream(res);
  await out.run(async () => {
    out.write({ status: `The push refers to repository [${repositoryOf(normalizeReference(repoOf(sources[0]!)))}]` });
    for (const [i, source] of sources.entries()) {
      const r = await c.engine.images.push(source, undefined, { credentials }, (e) => {
        for (const m of pushMessages(e, configs[i]!)) out.write(m);
      });
      const t = normalizeReference(source).tag ?? 'latest';
      out.write({ status: `${t}: digest: ${r.digest} size: ${r.size}` });
      out.write({ progressDetail: {}, aux: { Tag: t, Digest: r.digest, Size: r.size } });
    }
  });
}

async function save(c: Call, names: string[]): Promise<void> {
  const res = mustRes(c);
  if (names.length === 0) throw invalidArgument('no image names given');
  for (const n of names) c.engine.images.resolve(n);
  res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  try {
    await c.engine.images.save(names, res, { format: 'docker-archive' });
    res.end();
  } catch (e) {
    // Headers are gone: a cut archive is the only way left to say it failed.
    c.log(`save ${names.join(' ')}: ${(e as Error).message}`);
    res.destroy();
  }
}

export function registerImageRoutes(r: Router): void {
  r.get('/images/json', async (c) => {
    const list = await c.engine.images.list({ all: boolParam(c.query, 'all'), filters: filtersParam(c.query) });
    sendJson(mustRes(c), 200, list.map(imageSummaryDoc));
  });

  r.post('/images/create', async (c) => {
    const res = mustRes(c);
    const src = c.query.get('fromSrc');
    if (src) return importFrom(c, res, src);
    return pull(c, res);
  });

  r.post('/images/load', async (c) => {
    const res = mustRes(c);
    // dockerd answers 200 before it reads the archive: a refused archive (garbage, no image)
    // is an error line in the stream, which the docker CLI prints before exiting 1.
    const send = startJsonStream(res);
    let result: Awaited<ReturnType<typeof c.engine.images.load>>;
    try {
      result = await c.engine.images.load(c.req);
    } catch (e) {
      // What the client still sends is read and dropped, so its upload ends without a reset.
      c.req.resume();
      send(errorMessage(e));
      res.end();
      return;
    }
    for (const img of result.loaded) {
      if (img.names.length === 0) send({ stream: `Loaded image ID: ${img.id}\n` });
      for (const n of img.names) send({ stream: `Loaded image: ${familiarName(n)}\n` });
    }
    res.end();
  });

  r.get('/images/get', (c) => save(c, c.query.getAll('names').filter(Boolean)));

  r.post('/images/prune', async (c) => {
    const report = await c.engine.images.prune({ filters: filtersParam(c.query) });
    sendJson(mustRes(c), 200, { ImagesDeleted: report.ImagesDeleted.length ? report.ImagesDeleted : null, SpaceReclaimed: report.SpaceReclaimed });
  });

  r.get('/images/search', () => {
    throw notImplemented('search is not supported by this service');
  });

  r.get('/distribution/{name:.+}/json', async (c) => {
    const d = await c.engine.images.inspectRemoteDistribution(c.params.name!, { credentials: registryAuth(c.req) }).catch((e: unknown) => {
      throw distributionError(e);
    });
    sendJson(mustRes(c), 200, { Descriptor: d.descriptor, Platforms: d.platforms });
  });

  r.get('/images/{name:.+}/json', async (c) => {
    sendJson(mustRes(c), 200, imageInspectDoc(await c.engine.images.inspect(c.params.name!)));
  });

  r.get('/images/{name:.+}/history', async (c) => {
    sendJson(mustRes(c), 200, (await c.engine.images.history(c.params.name!)).map(historyDoc));
  });

  r.get('/images/{name:.+}/get', (c) => save(c, [c.params.name!]));

  r.post('/images/{name:.+}/tag', (c) => {
    const repo = c.query.get('repo');
    if (!repo) throw invalidArgument('repo is required');
    const tag = c.query.get('tag') || (repoOf(repo) !== repo ? '' : 'latest');
    c.engine.images.tag(c.params.name!, [tag ? `${repo}:${tag}` : repo]);
    sendEmpty(mustRes(c), 201);
  });

  r.post('/images/{name:.+}/push', push);

  r.delete('/images/{name:.+}', (c) => {
    const items = c.engine.images.remove(c.params.name!, { force: boolParam(c.query, 'force'), noPrune: boolParam(c.query, 'noprune') });
    sendJson(mustRes(c), 200, items);
  });
}
