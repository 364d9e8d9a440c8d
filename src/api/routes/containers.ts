/**
 * /containers/*: Docker's container endpoints over the engine's container verbs. Streams
 * (attach, logs, wait, stats, archive) are here too; the framing is in ../stream.ts.
 */
import type { Router } from '../router.js';
import { boolParam, filtersParam, intParam, mustRes, readJson, sendEmpty, sendJson, type Call } from '../call.js';
import { conflict, invalidArgument, isEngineError } from '../../core/errdefs.js';
import { parseWaitCondition } from '../../engine/containers/index.js';
import { createRequestFromBody } from '../shapes/container-create.js';
import { updateRequestFromBody } from '../shapes/container-update.js';
import { statsDoc, summaryDoc } from '../shapes/container.js';
import { withBridgeName } from '../shapes/network.js';
import { registerContainerStreamRoutes } from './container-streams.js';
import { humanDuration } from '../../core/human-duration.js';

async function running(c: Call, id: string): Promise<boolean> {
  return (await c.engine.containers.inspect(id)).State.Running;
}

/** Docker's `t` (query; dockerode also sends it in the body, which the query repeats). */
function timeout(c: Call): number | undefined {
  const t = intParam(c.query, 't');
  return t === undefined || t < 0 ? undefined : t;
}

export function registerContainerRoutes(r: Router): void {
  r.post('/containers/create', async (c) => {
    const res = mustRes(c);
    const body = await readJson<Record<string, unknown>>(c.req);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidArgument('the body must be a JSON object');
    const req = createRequestFromBody(body, c.query.get('name') ?? undefined);
    const { id, warnings } = await c.engine.containers.create(req);
    sendJson(res, 201, { Id: id, Warnings: warnings });
  });

  r.get('/containers/json', async (c) => {
    const limit = intParam(c.query, 'limit');
    const list = await c.engine.containers.list(
      {
        all: boolParam(c.query, 'all') || (limit !== undefined && limit > 0),
        size: boolParam(c.query, 'size'),
        filters: filtersParam(c.query),
        ...(limit !== undefined && limit > 0 ? { last: limit } : {}),
      },
      (iso) => humanDuration(Date.now() - Date.parse(iso)),
    );
    const dflt = c.engine.ctx.config.network.defaultNetwork;
    sendJson(mustRes(c), 200, list.map((s) => withBridgeName(summaryDoc(s), dflt)));
  });

  r.post('/containers/prune', async (c) => {
    sendJson(mustRes(c), 200, await c.engine.containers.prune(filtersParam(c.query)));
  });

  r.get('/containers/{id}/json', async (c) => {
    const doc = await c.engine.containers.inspect(c.params.id!, { size: boolParam(c.query, 'size') });
    sendJson(mustRes(c), 200, withBridgeName(doc, c.engine.ctx.config.network.defaultNetwork));
  });

  r.get('/containers/{id}/top', async (c) => {
    const args = (c.query.get('ps_args') ?? '').split(/\s+/).filter(Boolean);
    sendJson(mustRes(c), 200, await c.engine.containers.top(c.params.id!, args));
  });

  r.get('/containers/{id}/changes', async (c) => {
    sendJson(mustRes(c), 200, await c.engine.containers.changes(c.params.id!));
  });

  r.get('/containers/{id}/export', async (c) => {
    const res = mustRes(c);
    const id = c.engine.containers.resolve(c.params.id!);
    res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    await c.engine.containers.export(id, res);
  });

  r.get('/containers/{id}/stats', async (c) => {
    const res = mustRes(c);
    const id = c.engine.containers.resolve(c.params.id!);
    const cpus = c.engine.info().host.cpus;
    const take = async () => (await c.engine.containers.stats([id]))[0]!;
    const stream = boolParam(c.query, 'stream', true);
    let prev = await take();
    if (!stream) {
      if (!boolParam(c.query, 'one-shot')) {
        // A CPU rate needs two samples: the docker CLI's --no-stream reads precpu_stats.
        await new Promise((t) => setTimeout(t, 1000));
        const now = await take();
        return sendJson(res, 200, statsDoc(now, prev, cpus));
      }
      return sendJson(res, 200, statsDoc(prev, undefined, cpus));
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write(JSON.stringify(statsDoc(prev, undefined, cpus)) + '\n');
    let open = true;
    res.once('close', () => (open = false));
    while (open) {
      await new Promise((t) => setTimeout(t, 1000));
      if (!open) break;
      const now = await take().catch(() => undefined);
      if (!now) break;
      res.write(JSON.stringify(statsDoc(now, prev, cpus)) + '\n');
      prev = now;
      if (!now.running) break;
    }
    if (!res.writableEnded) res.end();
  });

  r.post('/containers/{id}/resize', async (c) => {
    const h = intParam(c.query, 'h');
    const w = intParam(c.query, 'w');
    if (!h || !w) throw invalidArgument('resize needs h and w');
    await c.engine.containers.resize(c.params.id!, { rows: h, cols: w });
    sendEmpty(mustRes(c), 200);
  });

  r.post('/containers/{id}/start', async (c) => {
    const res = mustRes(c);
    const id = c.engine.containers.resolve(c.params.id!);
    if (await running(c, id)) return sendEmpty(res, 304);
    await c.engine.containers.start(id);
    sendEmpty(res, 204);
  });

  // Not Docker's: conmon's exit command for containers this service started (engine
  // handleExitsAt). Answers once the exit is recorded, so a failure falls back to the CLI.
  r.post('/skiff/containers/{id}/exited', async (c) => {
    await c.engine.containers.cleanup(c.params.id!);
    sendEmpty(mustRes(c), 204);
  });

  r.post('/containers/{id}/stop', async (c) => {
    const res = mustRes(c);
    const id = c.engine.containers.resolve(c.params.id!);
    if (!(await running(c, id))) return sendEmpty(res, 304);
    await c.engine.containers.stop(id, timeout(c));
    sendEmpty(res, 204);
  });

  r.post('/containers/{id}/restart', async (c) => {
    await c.engine.containers.restart(c.params.id!, timeout(c));
    sendEmpty(mustRes(c), 204);
  });

  r.post('/containers/{id}/kill', async (c) => {
    const ref = c.params.id!;
    const id = c.engine.containers.resolve(ref);
    const signal = c.query.get('signal') || undefined;
    try {
      await c.engine.containers.kill(id, signal);
    } catch (e) {
      if (isEngineError(e, 'FailedPrecondition')) throw conflict(`Cannot kill container: ${ref}: Container ${id} is not running`, e);
      throw e;
    }
    sendEmpty(mustRes(c), 204);
  });

  r.post('/containers/{id}/pause', async (c) => {
    await c.engine.containers.pause(c.params.id!);
    sendEmpty(mustRes(c), 204);
  });

  r.post('/containers/{id}/unpause', async (c) => {
    await c.engine.containers.unpause(c.params.id!);
    sendEmpty(mustRes(c), 204);
  });

  r.post('/containers/{id}/rename', async (c) => {
    const name = c.query.get('name');
    if (!name) throw invalidArgument('rename needs a name');
    c.engine.containers.rename(c.params.id!, name.replace(/^\//, ''));
    sendEmpty(mustRes(c), 204);
  });

  r.post('/containers/{id}/update', async (c) => {
    const res = mustRes(c);
    const body = await readJson<Record<string, unknown>>(c.req);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidArgument('the body must be a JSON object');
    const { warnings } = await c.engine.containers.update(c.params.id!, updateRequestFromBody(body));
    sendJson(res, 200, { Warnings: warnings });
  });

  r.post('/containers/{id}/wait', async (c) => {
    const res = mustRes(c);
    const condition = parseWaitCondition(c.query.get('condition') ?? undefined);
    const id = c.engine.containers.resolve(c.params.id!);
    // Headers now: the docker CLI sends `start` only once its wait call has its response.
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    const ac = new AbortController();
    res.once('close', () => ac.abort());
    let body: object;
    try {
      const code = await c.engine.containers.waitFor(id, condition, { signal: ac.signal });
      body = { Error: null, StatusCode: code };
    } catch (e) {
      if (ac.signal.aborted) return;
      body = { Error: { Message: (e as Error).message }, StatusCode: -1 };
    }
    res.end(JSON.stringify(body) + '\n');
  });

  r.delete('/containers/{id}', async (c) => {
    const ref = c.params.id!;
    if (boolParam(c.query, 'link')) c.engine.containers.removeLink(ref);
    try {
      await c.engine.containers.remove(ref, { force: boolParam(c.query, 'force'), volumes: boolParam(c.query, 'v') });
    } catch (e) {
      if (isEngineError(e, 'FailedPrecondition')) {
        throw conflict(`You cannot remove a running container ${c.engine.containers.resolve(ref)}. Stop the container before attempting removal or force remove`, e);
      }
      throw e;
    }
    sendEmpty(mustRes(c), 204);
  });

  r.post('/commit', async (c) => {
    const q = c.query;
    const container = q.get('container');
    if (!container) throw invalidArgument('commit needs a container');
    const repo = q.get('repo');
    const tag = q.get('tag');
    const id = await c.engine.containers.commit(container, {
      ...(repo ? { reference: tag ? `${repo}:${tag}` : repo } : {}),
      changes: q.getAll('changes').flatMap((ch) => ch.split('\n')).filter(Boolean),
      ...(q.get('comment') ? { message: q.get('comment')! } : {}),
      ...(q.get('author') ? { author: q.get('author')! } : {}),
      pause: boolParam(q, 'pause', true),
    });
    sendJson(mustRes(c), 201, { Id: id.startsWith('sha256:') ? id : `sha256:${id}` });
  });

  registerContainerStreamRoutes(r);
}
