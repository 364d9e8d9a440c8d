/** /containers/{id}/exec and /exec/*: exec instances (create, start, inspect, resize). */
import type { Router } from '../router.js';
import { intParam, mustRes, readJson, sendEmpty, sendJson, type Call } from '../call.js';
import { conflict, invalidArgument } from '../../core/errdefs.js';
import type { ExecConfig, ExecInstance } from '../../engine/containers/index.js';
import { drain, openRawStream, readHijackedJson } from '../stream.js';

type Obj = Record<string, unknown>;

function strs(v: unknown, field: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalidArgument(`invalid ${field}: want an array of strings`);
  return v as string[];
}

function optStr(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw invalidArgument(`invalid ${field}: want a string`);
  return v;
}

/**
 * dockerd decodes with Go's encoding/json, which matches field names case-insensitively:
 * docker-py sends `detachKeys`, for one.
 */
function caseless(b: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(b)) {
    const known = FIELDS.find((f) => f.toLowerCase() === k.toLowerCase());
    if (known && !(known in out && k !== known)) out[known] = v;
    else if (!known) out[k] = v;
  }
  return out;
}
const FIELDS = ['Cmd', 'Tty', 'AttachStdin', 'AttachStdout', 'AttachStderr', 'Env', 'WorkingDir', 'User', 'Privileged', 'DetachKeys', 'Detach'];

function execConfig(raw: Obj): ExecConfig {
  const b = caseless(raw);
  const cmd = strs(b.Cmd, 'Cmd') ?? [];
  if (!cmd.length) throw invalidArgument('No exec command specified');
  return {
    cmd,
    tty: b.Tty === true,
    attachStdin: b.AttachStdin === true,
    attachStdout: b.AttachStdout === true,
    attachStderr: b.AttachStderr === true,
    ...(strs(b.Env, 'Env') ? { env: strs(b.Env, 'Env') } : {}),
    ...(optStr(b.WorkingDir, 'WorkingDir') ? { workdir: b.WorkingDir as string } : {}),
    ...(optStr(b.User, 'User') ? { user: b.User as string } : {}),
    privileged: b.Privileged === true,
    ...(optStr(b.DetachKeys, 'DetachKeys') ? { detachKeys: b.DetachKeys as string } : {}),
  };
}

/** Docker's exec inspect document. */
function inspectDoc(e: ExecInstance) {
  return {
    ID: e.id,
    Running: e.running,
    ExitCode: e.exitCode,
    ProcessConfig: {
      tty: !!e.config.tty,
      entrypoint: e.config.cmd[0],
      arguments: e.config.cmd.slice(1),
      privileged: !!e.config.privileged,
      ...(e.config.user ? { user: e.config.user } : {}),
    },
    OpenStdin: !!e.config.attachStdin,
    OpenStderr: !!e.config.attachStderr,
    OpenStdout: !!e.config.attachStdout,
    CanRemove: false,
    ContainerID: e.containerId,
    DetachKeys: e.config.detachKeys ?? '',
    Pid: e.pid,
  };
}

/** A runtime's refusal as dockerd relays it: containerd's gRPC code ends the message. */
function dockerdWords(message: string): string {
  return message.startsWith('OCI runtime exec failed:') && !message.endsWith(': unknown') ? `${message}: unknown` : message;
}

async function start(c: Call): Promise<void> {
  const id = c.params.id!;
  // A missing instance is a plain 404, before any upgrade.
  const e = await c.engine.containers.execInspect(id);
  // Refused before the stream starts, so the client gets a status, not a stream.
  if (e.started) throw conflict(`Exec command ${id} ${e.running ? 'is already running' : 'has already run'}`);
  const body = caseless((c.hijack ? await readHijackedJson<Obj>(c.req, c.hijack.socket, c.hijack.head) : await readJson<Obj>(c.req)) ?? {});
  if (body.Detach === true) {
    await c.engine.containers.execStart(id, { detach: true }).catch((err: Error) => {
      throw Object.assign(err, { message: dockerdWords(err.message) });
    });
    if (c.res) return sendEmpty(c.res, 200);
    c.hijack!.socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  // dockerd frames the output by the start request's Tty, whatever the create said: raw when
  // it is true, and then a non-tty process's stderr is not forwarded at all.
  const tty = body.Tty === true;
  const stream = openRawStream(c, { tty });
  const stdin = e.config.attachStdin ? stream.stdin : undefined;
  if (!stdin) drain(stream.stdin);
  stream.begin();
  // A client that goes away lets go of the session (its thread and socket); the process runs
  // on, as with dockerd, and its exit code is still recorded.
  const gone = new AbortController();
  void stream.gone.then(() => gone.abort());
  try {
    await c.engine.containers.execStart(id, {
      streams: {
        signal: gone.signal,
        ...(e.config.attachStdout ? { stdout: stream.stdout } : {}),
        ...(e.config.attachStderr && !tty ? { stderr: stream.stderr } : {}),
        ...(stdin ? { stdin } : {}),
      },
    });
  } catch (err) {
    // dockerd writes why the process could not start on the output as stdout, and the
    // instance ends with 126: the docker CLI shows it and exits 126.
    stream.stdout.write(Buffer.from(`${dockerdWords((err as Error).message)}\r\n`));
  }
  // The exit code is recorded by now: the docker CLI inspects the instance once this closes.
  stream.end();
}

export function registerExecRoutes(r: Router): void {
  r.post('/containers/{id}/exec', async (c) => {
    const body = await readJson<Obj>(c.req);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidArgument('the body must be a JSON object');
    const id = await c.engine.containers.execCreate(c.params.id!, execConfig(body));
    sendJson(mustRes(c), 201, { Id: id });
  });
  r.post('/exec/{id}/start', start);
  r.get('/exec/{id}/json', async (c) => {
    sendJson(mustRes(c), 200, inspectDoc(await c.engine.containers.execInspect(c.params.id!)));
  });
  r.post('/exec/{id}/resize', async (c) => {
    const h = intParam(c.query, 'h');
    const w = intParam(c.query, 'w');
    if (!h || !w) throw invalidArgument('resize needs h and w');
    await c.engine.containers.execResize(c.params.id!, { rows: h, cols: w });
    sendEmpty(mustRes(c), 200);
  });
}
