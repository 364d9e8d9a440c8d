/** The streaming container endpoints: attach, logs, and the archive (`docker cp`). */
import type { Router } from '../router.js';
import { boolParam, mustRes, sendEmpty, type Call } from '../call.js';
import { invalidArgument, isEngineError } from '../../core/errdefs.js';
import type { LogRecord } from '../../core/oci-runtime/k8s-log.js';
import type { AttachStreams } from '../../engine/containers/index.js';
import { drain, frame, openRawStream, readHijackedJson } from '../stream.js';
import { pathStatHeader } from '../shapes/container.js';

/** Docker's since/until: unix seconds, possibly fractional; 0 or absent means none. */
function unixTime(c: Call, name: string): Date | undefined {
  const v = c.query.get(name);
  if (!v) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw invalidArgument(`invalid ${name}: ${JSON.stringify(v)}`);
  return n > 0 ? new Date(n * 1000) : undefined;
}

/** `tail`: all, -1 (testcontainers) or N. */
function tailParam(c: Call): number | undefined {
  const v = c.query.get('tail');
  if (v === null || v === '' || v === 'all') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw invalidArgument(`invalid tail: ${JSON.stringify(v)}`);
  return n < 0 ? undefined : n;
}

/** UTC with the log's own fraction of a second (conmon writes nanoseconds and a local offset). */
function rfc3339Nano(time: Date, written: string): string {
  const frac = /\.(\d+)/.exec(written)?.[1];
  const base = time.toISOString().slice(0, 19);
  return frac ? `${base}.${frac}Z` : `${base}Z`;
}

async function attach(c: Call): Promise<void> {
  const id = c.engine.containers.resolve(c.params.id!);
  const doc = await c.engine.containers.inspect(id);
  const tty = doc.Config.Tty;
  const q = c.query;
  const wantStdin = boolParam(q, 'stdin') && doc.Config.OpenStdin && !!c.hijack;
  // A container without a readable log (driver none) has no past output to replay.
  let past: AsyncGenerator<LogRecord> | undefined;
  if (boolParam(q, 'logs')) {
    try {
      past = c.engine.containers.logs(id, {});
    } catch (e) {
      if (!isEngineError(e, 'NotImplemented')) throw e;
    }
  }
  // An upgraded attach has no body; whatever follows the headers is already stdin.
  if (c.hijack) await readHijackedJson(c.req, c.hijack.socket, c.hijack.head);
  const stream = openRawStream(c, { tty });
  if (!wantStdin) drain(stream.stdin);
  if (past) {
    stream.begin();
    for await (const r of past) {
      const line = Buffer.from(r.text + '\n');
      if (r.stream === 'stdout' && boolParam(q, 'stdout')) stream.stdout.write(line);
      if (r.stream === 'stderr' && boolParam(q, 'stderr')) stream.stderr.write(line);
    }
  }
  if (!boolParam(q, 'stream')) {
    stream.end();
    return;
  }
  const streams: AttachStreams = {
    ...(boolParam(q, 'stdout') ? { stdout: stream.stdout } : {}),
    ...(boolParam(q, 'stderr') ? { stderr: stream.stderr } : {}),
    ...(wantStdin && stream.stdin ? { stdin: stream.stdin } : {}),
    ...(q.get('detachKeys') !== null ? { detachKeys: q.get('detachKeys')! } : {}),
  };
  let session;
  try {
    session = await c.engine.containers.attach(id, streams, { beforeStart: true });
  } catch (e) {
    stream.error((e as Error).message);
    stream.end();
    return;
  }
  // Only now: a client sends `start` as soon as it has the status line.
  stream.begin();
  void stream.gone.then(() => session.close());
  await session.done;
  stream.end();
}

function drained(res: NodeJS.WritableStream & { destroyed: boolean }): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

async function logs(c: Call): Promise<void> {
  const res = mustRes(c);
  const q = c.query;
  const stdout = boolParam(q, 'stdout');
  const stderr = boolParam(q, 'stderr');
  if (!stdout && !stderr) throw invalidArgument('You must choose at least one stream');
  const id = c.engine.containers.resolve(c.params.id!);
  const tty = (await c.engine.containers.inspect(id)).Config.Tty;
  const timestamps = boolParam(q, 'timestamps');
  const ac = new AbortController();
  const tail = tailParam(c);
  const since = unixTime(c, 'since');
  const until = unixTime(c, 'until');
  const records = c.engine.containers.logs(id, {
    follow: boolParam(q, 'follow'),
    ...(tail !== undefined ? { tail } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    signal: ac.signal,
  });
  res.writeHead(200);
  res.flushHeaders();
  res.once('close', () => ac.abort());
  for await (const r of records) {
    if (r.stream === 'stdout' ? !stdout : !stderr) continue;
    const payload = Buffer.from(`${timestamps ? `${rfc3339Nano(r.time, r.timestamp)} ` : ''}${r.text}\n`);
    if (res.destroyed) break;
    // A slow client must slow the reading, or a big log would pile up in this process.
    if (!res.write(tty ? payload : frame(r.stream === 'stdout' ? 1 : 2, payload))) await drained(res);
  }
  if (!res.writableEnded) res.end();
}

export function registerContainerStreamRoutes(r: Router): void {
  r.post('/containers/{id}/attach', attach);
  r.get('/containers/{id}/logs', logs);

  r.head('/containers/{id}/archive', async (c) => {
    const path = c.query.get('path');
    if (!path) throw invalidArgument('path is required');
    const st = await c.engine.containers.statPath(c.params.id!, path);
    const res = mustRes(c);
    res.setHeader('X-Docker-Container-Path-Stat', pathStatHeader(st));
    sendEmpty(res, 200);
  });

  r.get('/containers/{id}/archive', async (c) => {
    const path = c.query.get('path');
    if (!path) throw invalidArgument('path is required');
    const id = c.engine.containers.resolve(c.params.id!);
    const st = await c.engine.containers.statPath(id, path);
    const res = mustRes(c);
    // The head goes out once the source is open, so a path that vanished meanwhile is a 404.
    const onOpen = () => res.writeHead(200, { 'Content-Type': 'application/x-tar', 'X-Docker-Container-Path-Stat': pathStatHeader(st) });
    await c.engine.containers.copy(id, { direction: 'out', path, tar: res, onOpen });
  });

  r.put('/containers/{id}/archive', async (c) => {
    const path = c.query.get('path');
    if (!path) throw invalidArgument('path is required');
    await c.engine.containers.copy(c.params.id!, { direction: 'in', path, tar: c.req });
    sendEmpty(mustRes(c), 200);
  });
}
