import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Engine } from '../engine/index.js';
import { invalidArgument } from '../core/errdefs.js';

/** A request with an `Upgrade` header arrives as a bare socket (Node's 'upgrade' event), not a response. */
export interface Hijack {
  socket: Duplex;
  /** bytes the client sent after the headers: part of the body, then stdin */
  head: Buffer;
}

/** One API request, as a handler sees it. */
export interface Call {
  engine: Engine;
  req: IncomingMessage;
  /** absent when the request was an upgrade: use `hijack` */
  res?: ServerResponse;
  hijack?: Hijack;
  params: Record<string, string>;
  query: URLSearchParams;
  /** the API version the client asked for (the newest when the path had no prefix) */
  version: string;
  log: (msg: string) => void;
  /** the service runs with `--log-level debug` */
  debug: boolean;
}

export type Handler = (c: Call) => Promise<void> | void;

/** Body size cap for JSON requests; archives and build contexts stream instead. */
export const MAX_JSON_BODY = 16 * 1024 * 1024;

/** Moby's reading of query booleans: "", 0, no, false and none are false (CLI 1/0, dockerode true, docker-py True). */
export function boolParam(q: URLSearchParams, name: string, dflt = false): boolean {
  const v = q.get(name);
  if (v === null) return dflt;
  return !['', '0', 'no', 'false', 'none'].includes(v.toLowerCase());
}

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw invalidArgument(`invalid value for ${name}: ${JSON.stringify(v)}`);
  return n;
}

/** `filters` in both encodings: `{"k":{"v":true}}` (docker CLI) and `{"k":["v"]}` (docker-py). */
export function filtersParam(q: URLSearchParams): Map<string, string[]> {
  const raw = q.get('filters');
  const out = new Map<string, string[]>();
  if (!raw) return out;
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw invalidArgument(`invalid filters: ${raw}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalidArgument(`invalid filters: ${raw}`);
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (Array.isArray(v)) out.set(k, v.map(String));
    else if (v && typeof v === 'object') out.set(k, Object.entries(v).filter(([, on]) => on).map(([x]) => x));
    else throw invalidArgument(`invalid filter ${k}`);
  }
  return out;
}

/** Reads the whole body, refusing more than `limit` bytes. */
export async function readBody(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) throw Object.assign(invalidArgument(`request body larger than ${limit} bytes`), { status: 413 });
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** A JSON body, or `{}` when there is none (the CLI sends empty text/plain bodies). */
export async function readJson<T = Record<string, unknown>>(req: IncomingMessage): Promise<T> {
  const buf = await readBody(req);
  const text = buf.toString('utf8').trim();
  if (text === '') return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw invalidArgument(`invalid JSON body: ${(e as Error).message}`);
  }
}

/** Docker sends exactly `application/json` (the Go client parses errors only then) and a trailing newline. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}

/** A streamed JSON-lines response (pull, push, build, events): headers now, one object per line after. */
export function startJsonStream(res: ServerResponse): (obj: unknown) => void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  return (obj) => {
    if (!res.writableEnded && !res.destroyed) res.write(JSON.stringify(obj) + '\n');
  };
}

/** The response for handlers that need one; upgrade requests get a 400 from handlers that cannot hijack. */
export function mustRes(c: Call): ServerResponse {
  if (!c.res) throw invalidArgument('this endpoint does not support connection upgrade');
  return c.res;
}
