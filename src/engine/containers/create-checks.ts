/**
 * Everything `create` refuses, checked before it writes anything: both fronts (CLI flags, the
 * API's create body) arrive here as the same request, so one refusal reads the same from both,
 * in dockerd's words where dockerd refuses the same thing (400 over the API, 125 from the CLI).
 */
import { existsSync } from 'node:fs';
import { invalidArgument } from '../../core/errdefs.js';
import { checkResources } from '../../core/runtime/resource-rules.js';
import type { ContainerContext } from './context.js';
import { readHostCpuFacts } from './host-cpus.js';
import { resolveContainer } from './resolve.js';
import { checkRestartPolicy } from './restart-policy.js';
import { checkRootlessLimits } from './rootless-limits.js';
import type { ContainerCreateRequest } from './types.js';

export function checkCreateRequest(cc: ContainerContext, req: ContainerCreateRequest): void {
  const o = req.opts;
  checkResources(o.resources ?? {}, readHostCpuFacts());
  checkRootlessLimits(o.resources, o.cgroupParent);
  if (o.shmSize !== undefined && (!Number.isSafeInteger(o.shmSize) || o.shmSize < 0)) throw invalidArgument('SHM size can not be less than 0');
  if (o.oomScoreAdj !== undefined && (!Number.isSafeInteger(o.oomScoreAdj) || o.oomScoreAdj < -1000 || o.oomScoreAdj > 1000)) {
    throw invalidArgument(`Invalid value ${o.oomScoreAdj}, range for oom score adj is [-1000, 1000]`);
  }
  if (req.stopTimeout !== undefined && !Number.isSafeInteger(req.stopTimeout)) {
    throw invalidArgument(`invalid stop timeout ${req.stopTimeout}: want whole seconds`);
  }
  checkRestartPolicy(req.restartPolicy, !!req.autoRemove);
  checkNetworkMode(cc, req);
  checkBindSources(req);
}

/** dockerd's validateNetContainerMode, and the other container must exist (404 otherwise). */
function checkNetworkMode(cc: ContainerContext, req: ContainerCreateRequest): void {
  const mode = req.network ?? '';
  if (mode === 'ns' || mode === 'ns:') throw invalidArgument('invalid network mode: ns:<path> needs the path of a network namespace');
  if (mode !== 'container' && !mode.startsWith('container:')) return;
  const other = mode.slice('container:'.length);
  if (!other) throw invalidArgument('invalid network mode: invalid container format container:<name|id>');
  if (req.opts.hostname) throw invalidArgument('conflicting options: hostname and the network mode');
  if (req.netFiles?.dns?.length) throw invalidArgument('conflicting options: dns and the network mode');
  if (req.netFiles?.addHosts?.length) throw invalidArgument('conflicting options: custom host-to-IP mapping and the network mode');
  if (req.networkOpts?.publish?.length || req.networkOpts?.publishAll) {
    throw invalidArgument('conflicting options: port publishing and the container type network mode');
  }
  if (req.exposedPorts?.length) throw invalidArgument('conflicting options: port exposing and the container type network mode');
  resolveContainer(cc, other);
}

/**
 * A bind's host path must exist (Podman's rule, and dockerd's for `--mount`); otherwise the
 * runtime fails at start, and its "no such file or directory" reads like a missing command.
 * Binds sent as Docker's `HostConfig.Binds` are the exception: Docker makes those directories.
 */
function checkBindSources(req: ContainerCreateRequest): void {
  for (const m of req.opts.mounts ?? []) {
    if (m.type !== 'bind' || m.createSource || existsSync(m.source)) continue;
    throw invalidArgument(`invalid mount config for type "bind": bind source path does not exist: ${m.source}`);
  }
}
