/**
 * `generate systemd CTR`: the container's row → Podman's unit (core/systemd/container-unit.ts).
 * Pods are not in skiff yet, so a name that is no container is refused saying so.
 */
import { SKIFF_VERSION } from '../system/info.js';
import { containerUnit, type SkiffInvocation } from '../../core/systemd/container-unit.js';
import { invalidArgument, isEngineError, notFound } from '../../core/errdefs.js';
import type { ContainerContext } from '../containers/context.js';
import { resolveContainer } from '../containers/resolve.js';
import type { ContainerRecord } from '../containers/types.js';

export interface GenerateSystemdOptions {
  invocation: SkiffInvocation;
  /** Units that create the container (from its create command) instead of starting it. */
  new?: boolean;
  /** Name the unit and the commands after the container's name, not its ID. */
  useName?: boolean;
  /** systemd's Restart= (default on-failure). */
  restartPolicy?: string;
  /** Seconds `stop` waits (default: the container's stop timeout). */
  stopTimeout?: number;
}

export interface GeneratedUnit {
  name: string;
  text: string;
}

export async function generateSystemd(cc: ContainerContext, ref: string, o: GenerateSystemdOptions): Promise<GeneratedUnit[]> {
  let c: ContainerRecord;
  try {
    c = resolveContainer(cc, ref);
  } catch (e) {
    if (isEngineError(e, 'NotFound')) throw notFound(`${ref} does not refer to a container (skiff has no pods yet)`, e);
    throw e;
  }
  if (o.new && !c.config.createCommand?.length) {
    throw invalidArgument(`cannot use --new: container ${c.name} was not created by the skiff CLI, so there is no command line to replay`);
  }
  return [
    containerUnit({
      invocation: o.invocation,
      id: c.id,
      name: c.name,
      useName: !!o.useName,
      ...(o.new ? { createCommand: c.config.createCommand } : {}),
      image: c.config.image,
      command: c.config.opts.command ?? [],
      stopTimeout: o.stopTimeout ?? c.config.stopTimeout,
      restartPolicy: o.restartPolicy ?? 'on-failure',
      runRoot: cc.ctx.runroot,
      pidFile: `${cc.paths(c.id).runDir}/conmon.pid`,
      version: SKIFF_VERSION,
    }),
  ];
}
