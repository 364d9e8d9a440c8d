import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AttachStreams, ExecResult, ProcessSpec } from '../../core/oci-runtime/runtime.js';
import { failedPrecondition, invalidArgument } from '../../core/errdefs.js';
import { OciRuntimeError, isOciRuntimeError } from '../../core/oci-runtime/errors.js';
import { allCapabilities } from '../../core/runtime/capabilities.js';
import { mergeEnv, withoutUnset } from '../../core/runtime/command.js';
import { resolveUser } from '../../core/runtime/etc-files.js';
import { readRootedText } from '../../impl/rooted/read-file.js';
import { readHostFacts } from './spec/host-facts.js';
import type { ContainerContext } from './context.js';
import { withContainer } from './locked.js';

export interface ExecRequest {
  cmd: string[];
  tty?: boolean;
  /** Keep stdin open (`-i`). */
  stdin?: boolean;
  detach?: boolean;
  env?: string[];
  workdir?: string;
  user?: string;
  privileged?: boolean;
  streams?: AttachStreams;
  /** Names the monitor's session (an exec instance's); random when absent. */
  sessionId?: string;
  /**
   * Called once the session id is known, before the process starts: lets a `-t` caller follow
   * its terminal's size for this session.
   */
  onSession?: (resize: (size: { rows: number; cols: number }) => Promise<void>) => void;
}

type Caps = Record<'bounding' | 'effective' | 'permitted' | 'inheritable' | 'ambient', string[]>;

/**
 * The container's own process object (from its config.json) with the exec's overrides, as
 * Podman builds it: same rlimits, caps, apparmor and no-new-privileges unless asked otherwise.
 */
function execProcess(base: ProcessSpec, rootfs: string, req: ExecRequest, groupAdd: string[] = []): ProcessSpec {
  const p: ProcessSpec = { ...base, args: req.cmd, terminal: !!req.tty };
  delete p.consoleSize;
  let env = Array.isArray(base.env) ? (base.env as string[]) : [];
  if (req.user !== undefined) {
    let u: ReturnType<typeof resolveUser>;
    try {
      // The container's --group-add holds for an exec's user too, as under dockerd.
      u = resolveUser(req.user, readRootedText(rootfs, '/etc/passwd'), readRootedText(rootfs, '/etc/group'), groupAdd);
    } catch (e) {
      // Docker reports an unknown user as a process that could not be started: 126, in the
      // resolver's own words (dockerd and Podman alike: "unable to find user x: …").
      throw new OciRuntimeError('InvalidArgument', (e as Error).message, 126, { cause: e });
    }
    const old = (base.user ?? {}) as Record<string, unknown>;
    p.user = { ...old, uid: u.uid, gid: u.gid, additionalGids: u.additionalGids };
    if (!u.additionalGids.length) delete (p.user as Record<string, unknown>).additionalGids;
    env = mergeEnv(env, [`HOME=${u.home}`]);
    const caps = base.capabilities as Caps | undefined;
    // A non-root user starts without effective capabilities, as the container's own process would.
    if (caps && u.uid !== 0 && !req.privileged) p.capabilities = { ...caps, effective: [], permitted: [], ambient: [] };
  }
  if (req.privileged) {
    const host = readHostFacts();
    const all = host.boundingCaps ?? allCapabilities(host.lastCap);
    p.capabilities = { bounding: all, effective: all, permitted: all, inheritable: [], ambient: [] };
  }
  if (req.tty && !env.some((e) => e.startsWith('TERM='))) env = [...env, 'TERM=xterm'];
  p.env = withoutUnset(mergeEnv(env, req.env));
  if (req.workdir) {
    if (!req.workdir.startsWith('/')) throw invalidArgument(`the working directory ${JSON.stringify(req.workdir)} is invalid, it needs to be an absolute path`);
    p.cwd = req.workdir;
  }
  return p;
}

/** `exec`: runs a process in a running container through conmon; resolves when it ends (or starts, with `detach`). */
export async function execContainer(cc: ContainerContext, ref: string, req: ExecRequest): Promise<ExecResult> {
  if (!req.cmd.length) throw invalidArgument('exec requires at least one argument');
  // The lock covers the check and the spec read, not the session: a `stop` must not wait for
  // the exec it is about to end.
  const { c, bundleSpec } = await withContainer(cc, ref, async (c) => {
    if (c.state.status === 'paused') throw failedPrecondition(`container ${c.id.slice(0, 12)} is paused, unpause the container before exec`);
    if (c.state.status !== 'running') throw failedPrecondition(`container ${c.id.slice(0, 12)} is not running`);
    return { c, bundleSpec: JSON.parse(readFileSync(join(cc.paths(c.id).bundle, 'config.json'), 'utf8')) as { process: ProcessSpec } };
  });
  const paths = cc.paths(c.id);
  const process = execProcess(bundleSpec.process, paths.rootfs, req, c.config.opts.groupAdd);
  const runtime = await cc.runtime(c.config.runtime);
  const rc = cc.runtimeContainer(c);
  const sessionId = req.sessionId ?? randomBytes(16).toString('hex');
  req.onSession?.((size) => runtime.resizePty(rc, size, sessionId));
  try {
    return await runtime.exec(rc, process, {
      sessionId,
      tty: !!req.tty,
      stdin: !!req.stdin,
      detach: !!req.detach,
      ...(req.streams ? { streams: req.streams } : {}),
    });
  } catch (e) {
    // By name: the runtime may live in another bundle chunk with its own copy of the class.
    if (!isOciRuntimeError(e) && (e as Error).name !== 'OciRuntimeError') throw e;
    const err = e as OciRuntimeError;
    throw new OciRuntimeError(err.code, `OCI runtime exec failed: ${runtimeWords(err.message)}`, err.exitCode, { cause: e });
  }
}

/** The message inside a runtime's logrus line (`time=… level=error msg="…"`), unescaped. */
function runtimeWords(text: string): string {
  const m = /msg="((?:[^"\\]|\\.)*)"/.exec(text);
  if (!m) return text.trim();
  try {
    return JSON.parse(`"${m[1]}"`) as string;
  } catch {
    return m[1]!;
  }
}
