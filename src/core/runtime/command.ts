/**
 * @module command
 * What the container runs and with which environment, by Docker's rules.
 */
import { invalidArgument } from '../errdefs.js';
import type { ImageRunConfig } from '../images/oci.js';
import type { ContainerCreateOptions } from './create-options.js';

/**
 * | image ENTRYPOINT | image CMD | --entrypoint | command | args |
 * |---|---|---|---|---|
 * | E | C | – | – | E C |
 * | E | C | – | X | E X |
 * | E | C | N | – | N (the image's CMD is dropped) |
 * | E | C | N | X | N X |
 * | E | C | "" | X | X |
 */
export function commandArgs(image: ImageRunConfig, opts: Pick<ContainerCreateOptions, 'command' | 'entrypoint'>): string[] {
  const command = opts.command?.length ? opts.command : undefined;
  let entrypoint: string[];
  let cmd: string[];
  if (opts.entrypoint !== undefined) {
    entrypoint = opts.entrypoint.length === 1 && opts.entrypoint[0] === '' ? [] : opts.entrypoint;
    cmd = command ?? [];
  } else {
    entrypoint = image.Entrypoint ?? [];
    cmd = command ?? image.Cmd ?? [];
  }
  const args = [...entrypoint, ...cmd];
  if (args.length === 0) throw invalidArgument('no command or entrypoint provided, and no CMD or ENTRYPOINT from image');
  return args;
}

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function key(entry: string): string {
  const i = entry.indexOf('=');
  return i < 0 ? entry : entry.slice(0, i);
}

/** KEY=VALUE lists merged left to right; a later KEY keeps the earlier one's position. */
export function mergeEnv(...lists: (string[] | undefined)[]): string[] {
  const m = new Map<string, string>();
  for (const list of lists) for (const e of list ?? []) m.set(key(e), e);
  return [...m.values()];
}

export interface EnvInput {
  image: ImageRunConfig;
  opts: Pick<ContainerCreateOptions, 'env' | 'envFile' | 'tty'>;
  hostname: string;
  home: string;
}

/**
 * A bare `NAME` (the API's `Env: ["NAME"]`, what the docker CLI sends for `-e NAME` when its
 * own environment lacks NAME) replaces an earlier NAME and is then dropped, as dockerd drops it:
 * the process never sees a variable without `=`.
 */
export function withoutUnset(env: string[]): string[] {
  return env.filter((e) => e.includes('='));
}

/** Engine defaults first so the image and then the user can override them. */
export function buildEnv({ image, opts, hostname, home }: EnvInput): string[] {
  const defaults = [DEFAULT_PATH, ...(opts.tty ? ['TERM=xterm'] : []), 'container=skiff', `HOSTNAME=${hostname}`];
  const env = withoutUnset(mergeEnv(defaults, image.Env, opts.envFile, opts.env));
  if (!env.some((e) => key(e) === 'HOME')) env.push(`HOME=${home}`);
  return env;
}

/** Docker joins a relative image WORKDIR to /; a relative `-w` is an error. */
export function workingDir(image: ImageRunConfig, workdir: string | undefined): string {
  if (workdir) {
    if (!workdir.startsWith('/')) throw invalidArgument(`the working directory ${JSON.stringify(workdir)} is invalid, it needs to be an absolute path`);
    return workdir;
  }
  const w = image.WorkingDir;
  if (!w) return '/';
  return w.startsWith('/') ? w : `/${w}`;
}
