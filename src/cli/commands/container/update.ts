import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples, forEachRef } from '../common.js';
import { invalidArgument } from '../../../core/errdefs.js';
import { parseBytes } from '../../../core/runtime/units.js';
import { parseRestartFlag } from '../../../engine/containers/restart-policy.js';
import type { ContainerUpdateRequest } from '../../../engine/containers/index.js';
import type { ResourceFlags } from './create-flags.js';

interface UpdateFlags extends ResourceFlags {
  restart?: string;
}

function num(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw invalidArgument(`invalid value for ${flag}: "${v}"`);
  return n;
}

function bytes(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  return v === '-1' ? -1 : parseBytes(v);
}

export function updateRequest(f: UpdateFlags): ContainerUpdateRequest {
  const resources = {
    memory: bytes(f.memory),
    memorySwap: bytes(f.memorySwap),
    memoryReservation: bytes(f.memoryReservation),
    cpus: num(f.cpus, '--cpus'),
    cpuShares: num(f.cpuShares, '--cpu-shares'),
    cpuQuota: num(f.cpuQuota, '--cpu-quota'),
    cpuPeriod: num(f.cpuPeriod, '--cpu-period'),
    cpusetCpus: f.cpusetCpus,
    cpusetMems: f.cpusetMems,
    pidsLimit: num(f.pidsLimit, '--pids-limit'),
    blkioWeight: num(f.blkioWeight, '--blkio-weight'),
  };
  const restart = f.restart === undefined ? undefined : parseRestartFlag(f.restart);
  if (restart === undefined && Object.values(resources).every((v) => v === undefined)) {
    throw invalidArgument('you must provide one or more flags when using this command');
  }
  return { resources, ...(restart ? { restartPolicy: restart } : {}) };
}

export function register(parent: Command, app: App, name = 'update'): void {
  const cmd = parent
    .command(name)
    .description('Update the resource limits and restart policy of one or more containers')
    .argument('<CONTAINER...>')
    .option('-m, --memory <bytes>', 'memory limit')
    .option('--memory-swap <bytes>', "swap limit equal to memory plus swap: '-1' to enable unlimited swap")
    .option('--memory-reservation <bytes>', 'memory soft limit')
    .option('--cpus <number>', 'number of CPUs')
    .option('-c, --cpu-shares <shares>', 'CPU shares (relative weight)')
    .option('--cpu-quota <us>', 'limit the CPU CFS quota')
    .option('--cpu-period <us>', 'limit the CPU CFS period')
    .option('--cpuset-cpus <list>', 'CPUs in which to allow execution (0-3, 0,1)')
    .option('--cpuset-mems <list>', 'memory nodes in which to allow execution')
    .option('--pids-limit <n>', 'tune container pids limit (-1 for unlimited)')
    .option('--blkio-weight <weight>', 'block IO weight (10-1000)')
    .option('--restart <policy>', 'restart policy: no, always, unless-stopped, on-failure[:max-retries]')
    .action(async (refs: string[], f: UpdateFlags) => {
      const req = updateRequest(f);
      const engine = await app.engine();
      await forEachRef(app, refs, async (r) => {
        for (const w of (await engine.containers.update(r, req)).warnings) app.err(`WARNING: ${w}\n`);
      });
    });
  examples(cmd, ['skiff update --memory 64m --pids-limit 50 web', 'skiff update --restart on-failure:3 web']);
}
