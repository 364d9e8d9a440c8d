/**
 * The run/create flags that exist for systemd units (`generate systemd --new`, Quadlet):
 * --cidfile, --replace, --sdnotify; and the command line kept for `generate systemd --new`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { App } from '../../app.js';
import { isEngineError, failedPrecondition, invalidArgument } from '../../../core/errdefs.js';
import type { ContainerCreateRequest, SdNotifyMode } from '../../../engine/containers/index.js';

export interface SystemdFlags {
  cidfile?: string;
  replace?: boolean;
  sdnotify?: string;
}

const MODES = ['conmon', 'container', 'healthy', 'ignore'] as const;

export function addSystemdFlags(cmd: Command): Command {
  return cmd
    .option('--cidfile <file>', 'write the container ID to the file')
    .option('--replace', 'if a container with the same name exists, replace it')
    .option('--sdnotify <mode>', "how systemd learns the container is ready: conmon, container, healthy or ignore");
}

/** The create request with what these flags and the command line add. */
export function withSystemd(req: ContainerCreateRequest, f: SystemdFlags, argv: string[]): ContainerCreateRequest {
  let sdNotify: SdNotifyMode | undefined;
  if (f.sdnotify !== undefined) {
    sdNotify = MODES.find((m) => m === f.sdnotify);
    if (!sdNotify) throw invalidArgument(`invalid --sdnotify ${JSON.stringify(f.sdnotify)}: want conmon, container, healthy or ignore`);
  }
  if (f.cidfile && existsSync(f.cidfile)) {
    throw failedPrecondition(`container ID file found, make sure the other container isn't running or delete ${f.cidfile}`);
  }
  return { ...req, createCommand: argv, ...(sdNotify ? { sdNotify } : {}) };
}

/** --replace: the container holding the name goes first (forced, as `rm -f`). */
export async function replaceByName(app: App, name: string | undefined, f: SystemdFlags): Promise<void> {
  if (!f.replace) return;
  if (!name) throw invalidArgument('cannot replace a container without --name');
  try {
    await (await app.engine()).containers.remove(name, { force: true });
  } catch (e) {
    if (!isEngineError(e, 'NotFound')) throw e;
  }
}

export function writeCidfile(f: SystemdFlags, id: string): void {
  if (f.cidfile) writeFileSync(f.cidfile, id, { flag: 'wx' });
}

/** This process's command line as a user would type it again: the CLI's path, then its args. */
export function commandLine(): string[] {
  return process.argv.slice(1);
}

/**
 * stop/rm `--cidfile FILE` adds the container the file names; with `--ignore` a missing file
 * or container is no error (a unit's ExecStop after the container is gone).
 */
export function cidfileRefs(refs: string[], o: { cidfile?: string; ignore?: boolean }): string[] {
  if (!o.cidfile) return refs;
  try {
    return [...refs, readFileSync(o.cidfile, 'utf8').trim()];
  } catch (e) {
    if (o.ignore && (e as NodeJS.ErrnoException).code === 'ENOENT') return refs;
    throw invalidArgument(`reading CIDFile: ${(e as Error).message}`);
  }
}

/** With `--ignore`, an unknown container counts as done. */
export function ignoring<T>(ignore: boolean | undefined, fn: (ref: string) => Promise<T>): (ref: string) => Promise<T | undefined> {
  return async (ref) => {
    try {
      return await fn(ref);
    } catch (e) {
      if (ignore && isEngineError(e, 'NotFound')) return undefined;
      throw e;
    }
  };
}
