/**
 * POST /build (the classic builder's API: a tar context as the body, options in the query,
 * a JSON stream back) and POST /build/prune, through the engine's builder.
 */
import { Transform, type Readable } from 'node:stream';
import type { Router } from '../router.js';
import { boolParam, filtersParam, mustRes, sendJson, startJsonStream, type Call } from '../call.js';
import { EngineError, invalidArgument, isEngineError, notImplemented } from '../../core/errdefs.js';
import { dockerMessageOf } from '../../core/build/docker-words.js';
import { normalizeBuildRun, type BuildOptions } from '../../engine/build/index.js';
import { buildProgress } from '../shapes/build.js';
import { errorMessage, type JsonMessage } from '../shapes/progress.js';

/** A JSON object of strings in a query parameter (`buildargs`, `labels`); null values are dropped, as dockerd does. */
function jsonMapParam(c: Call, name: string): Record<string, string> | undefined {
  const raw = c.query.get(name);
  if (!raw) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw invalidArgument(`${name}: not JSON: ${raw}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalidArgument(`${name}: expected a JSON object`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (v === null) continue;
    if (typeof v !== 'string') throw invalidArgument(`${name}.${k}: expected a string`);
    out[k] = v;
  }
  return out;
}

/**
 * The docker CLI's context for `docker build -f - DIR` ends right after the added Dockerfile's
 * bytes, without the tar's padding and end blocks (moby's ReplaceFileTarWrapper closes its pipe
 * before the tar writer): Go's reader takes that as the end. A plain tar body is completed here;
 * extra zero blocks after a complete tar are only more end-of-archive.
 */
export function completeTar(body: Readable): Readable {
  let first: Buffer | undefined = Buffer.alloc(0);
  let tar = false;
  let total = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (first) {
        first = Buffer.concat([first, chunk]);
        if (first.length >= 263) {
          tar = first.subarray(257, 262).toString('latin1') === 'ustar';
          first = undefined;
        }
      }
      total += chunk.length;
      done(null, chunk);
    },
    flush(done) {
    if (tar) this.push(Buffer.alloc((512 - (total % 512)) % 512 + 1024));
    done();
    },
  });
  body.once('error', (e) => t.destroy(e));
  return body.pipe(t);
}

/** `cachefrom`: a JSON array of image names, as the docker CLI sends it. */
function jsonListParam(c: Call, name: string): string[] {
  const raw = c.query.get(name);
  if (!raw) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw invalidArgument(`${name}: not JSON: ${raw}`);
  }
  if (!Array.isArray(doc) || doc.some((v) => typeof v !== 'string')) throw invalidArgument(`${name}: expected a JSON array of strings`);
  return (doc as string[]).filter(Boolean);
}

/** `ulimits`: a JSON array of `{Name, Soft, Hard}`, turned into the CLI's `name=soft:hard`. */
function ulimitsParam(c: Call): string[] {
  const raw = c.query.get('ulimits');
  if (!raw) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw invalidArgument(`ulimits: not JSON: ${raw}`);
  }
  if (doc === null) return [];
  if (!Array.isArray(doc)) throw invalidArgument('ulimits: expected a JSON array');
  return doc.map((u: unknown, i) => {
    const o = (u ?? {}) as { Name?: unknown; Soft?: unknown; Hard?: unknown };
    if (typeof o.Name !== 'string' || !o.Name) throw invalidArgument(`ulimits[${i}].Name is required`);
    const n = (v: unknown, k: string) => {
      if (v === undefined || v === null) return 0;
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalidArgument(`ulimits[${i}].${k}: expected an integer`);
      return v;
    };
    return `${o.Name}=${n(o.Soft, 'Soft')}:${n(o.Hard, 'Hard')}`;
  });
}

function buildOptions(c: Call, signal: AbortSignal): BuildOptions {
  const q = c.query;
  if (q.get('remote')) throw notImplemented('builds from a remote context (git or URL) are not supported: send the context as a tar body');
  if (q.get('version') === '2') throw notImplemented('BuildKit is not supported: use the classic builder (DOCKER_BUILDKIT=0)');
  const network = q.get('networkmode');
  const run = normalizeBuildRun({
    addHosts: q.getAll('extrahosts').flatMap((h) => h.split(',')),
    ulimits: ulimitsParam(c),
    shmSize: q.get('shmsize') ?? undefined,
    memory: q.get('memory') ?? undefined,
    memorySwap: q.get('memswap') ?? undefined,
    cpuShares: q.get('cpushares') ?? undefined,
    cpuQuota: q.get('cpuquota') ?? undefined,
    cpuPeriod: q.get('cpuperiod') ?? undefined,
    cpusetCpus: q.get('cpusetcpus') ?? undefined,
    cpusetMems: q.get('cpusetmems') ?? undefined,
  });
  const cacheFrom = jsonListParam(c, 'cachefrom');
  return {
    context: { kind: 'stream', stream: completeTar(c.req) },
    dockerfile: q.get('dockerfile') || 'Dockerfile',
    tags: q.getAll('t').filter(Boolean),
    ...(q.get('target') ? { target: q.get('target')! } : {}),
    buildArgs: jsonMapParam(c, 'buildargs') ?? {},
    ...(q.get('labels') ? { labels: jsonMapParam(c, 'labels') } : {}),
    noCache: boolParam(q, 'nocache'),
    pull: boolParam(q, 'pull') ? 'always' : 'missing',
    ...(network && network !== 'default' ? { network } : {}),
    ...(run ? { run } : {}),
    ...(cacheFrom.length ? { cacheFrom } : {}),
    ...(q.get('platform') ? { platform: q.get('platform')! } : {}),
    format: 'docker',
    signal,
  };
}

export function registerBuildRoutes(r: Router): void {
  r.post('/build', async (c) => {
    const res = mustRes(c);
    const ac = new AbortController();
    // a client that goes away cancels its build, as dockerd does
    res.once('close', () => {
      if (!res.writableEnded) ac.abort();
    });
    const opts = buildOptions(c, ac.signal);
    const shape = buildProgress(boolParam(c.query, 'q'));
    let send: ((m: JsonMessage) => void) | undefined;
    const write = (m: JsonMessage) => {
      send ??= startJsonStream(res);
      send(m);
    };
    try {
      const result = await c.engine.builder.build(opts, (e) => {
        for (const m of shape.onEvent(e)) write(m);
      });
      for (const m of shape.done(result)) write(m);
    } catch (e) {
      // Docker's clients get the classic builder's words (a RUN's `The command '…' returned a
      // non-zero code: N`, `dockerfile parse error line N: …`), not the CLI's `Dockerfile:N:`.
      const words = dockerMessageOf(e);
      const err = words !== undefined && isEngineError(e) ? new EngineError(e.code, words, { cause: e }) : e;
      if (!send && !(e as { exitCode?: number }).exitCode) throw err;
      // the docker CLI exits with errorDetail.code: a RUN's own status
      write(errorMessage(err, (e as { exitCode?: number }).exitCode ?? 1));
    }
    res.end();
  });

  r.post('/build/prune', (c) => {
    const report = c.engine.builder.prune({ filters: filtersParam(c.query) });
    sendJson(mustRes(c), 200, { CachesDeleted: report.removed, SpaceReclaimed: report.bytesReclaimed });
  });
}
