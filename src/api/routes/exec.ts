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

function execConfig(b: Obj): ExecConfig {
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

async function start(c: Call): Promise<void> {
  const id = c.params.id!;
  // A missing instance is a plain 404, before any upgrade.
  const e = await c.engine.containers.execInspect(id);
  // Refused before the stream starts, so the client gets a status, not a stream.
  if (e.started) throw conflict(`Exec command ${id} ${e.running ? 'is already running' : 'has already run'}`);
  const body = (c.hijack ? await readHijackedJson<Obj>(c.req, c.hijack.socket, c.hijack.head) : await readJson<Obj>(c.req)) ?? {};
  if (body.Detach === true) {
    await c.engine.containers.execStart(id, { detach: true });
    if (c.res) return sendEmpty(c.res, 200);
    c.hijack!.socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  const stream = openRawStream(c, { tty: !!e.config.tty || body.Tty === true });
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
        ...(e.config.attachStderr ? { stderr: stream.stderr } : {}),
        ...(stdin ? { stdin } : {}),
      },
    });
  } catch (err) {
    stream.error((err as Error).message);
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
