/**
 * Errors reported by an OCI runtime, and the one place skiff reads a runtime's message to pick
 * an exit code. runc (and crun) report "command not found" and "not executable" only as text
 * on stderr / in their JSON log, with the same exit status as every other failure, so Docker,
 * Podman and skiff all have to look at the words. Everything else keys on `code`.
 */
import { EngineError } from '../errdefs.js';
import type { ErrorCode } from '../errdefs.js';

/** Docker's statuses for a command that cannot be run. */
export type StartExitCode = 126 | 127;

/**
 * 127 when the runtime says the command does not exist, 126 when it exists but cannot be
 * executed; undefined for any other failure (the caller's generic 125).
 * runc 1.1: `exec: "foo": executable file not found in $PATH`, `exec: "/x": stat /x: no such
 * file or directory`, `exec: "/etc": permission denied`; crun: `executable file `foo` not
 * found in $PATH: No such file or directory`, `open executable: Permission denied`.
 */
export function exitCodeForStartError(message: string): StartExitCode | undefined {
  const m = message.toLowerCase();
  // A mount whose source is gone is the engine's failure (125), not a missing command. runc:
  // `error mounting "/x" to rootfs at "/y": stat /x: no such file or directory`; crun: "mount `/x` to `/y`: ...".
  if (/error mounting |mount `/.test(m)) return undefined;
  if (/executable file .*not found|no such file or directory/.test(m)) return 127;
  if (/permission denied|is a directory|exec format error|not executable/.test(m)) return 126;
  return undefined;
}

/** A runtime or monitor failure, carrying the runtime's own words. */
export class OciRuntimeError extends EngineError {
  /** Set when the failure means the container's command could not be run (Docker's 126/127). */
  readonly exitCode: StartExitCode | undefined;
  constructor(code: ErrorCode, message: string, exitCode?: StartExitCode, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'OciRuntimeError';
    this.exitCode = exitCode;
  }
}

/**
 * The error for a failed `create`/`exec`: a command that cannot be run is the caller's
 * mistake (Docker answers 400 and exits 126/127); anything else is the runtime's (500, 125).
 */
export function startError(message: string, options?: { cause?: unknown }): OciRuntimeError {
  const exitCode = exitCodeForStartError(message);
  return new OciRuntimeError(exitCode ? 'InvalidArgument' : 'Internal', message, exitCode, options);
}

export function isOciRuntimeError(e: unknown): e is OciRuntimeError {
  return e instanceof OciRuntimeError;
}
