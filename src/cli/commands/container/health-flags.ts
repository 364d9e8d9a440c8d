import type { Command } from 'commander';
import { invalidArgument } from '../../../core/errdefs.js';
import { parseGoDuration } from '../../../core/build/flags.js';
import type { HealthConfig } from '../../../core/images/oci.js';
import type { ContainerCreateRequest } from '../../../engine/containers/types.js';

/** docker's and podman's health check flags of `run` and `create`. */
export interface HealthFlags {
  healthCmd?: string;
  healthInterval?: string;
  healthTimeout?: string;
  healthRetries?: string;
  healthStartPeriod?: string;
  healthStartInterval?: string;
  healthOnFailure?: string;
  healthcheck?: boolean;
}

export function addHealthFlags(cmd: Command): Command {
  return cmd
    .option('--health-cmd <command>', 'command to run to check health (a shell command, or a JSON array)')
    .option('--health-interval <duration>', 'time between running the check (default 30s)')
    .option('--health-timeout <duration>', 'maximum time to allow one check to run (default 30s)')
    .option('--health-retries <n>', 'consecutive failures needed to report unhealthy (default 3)')
    .option('--health-start-period <duration>', 'start period during which failures do not count')
    .option('--health-start-interval <duration>', 'time between checks during the start period (default 5s)')
    .option('--health-on-failure <action>', 'action when unhealthy: none, kill, restart, stop')
    .option('--no-healthcheck', 'disable any container-specified HEALTHCHECK');
}

function duration(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  let ns: number;
  try {
    ns = parseGoDuration(v);
  } catch (e) {
    throw invalidArgument(`invalid argument "${v}" for "${flag}" flag: ${(e as Error).message}`);
  }
  if (ns < 0) throw invalidArgument(`${flag} cannot be negative`);
  return ns;
}

/** `--health-cmd`: a JSON array is an exec form (`["CMD", …]` or plain argv), anything else a shell command. */
function testOf(cmd: string): string[] {
  if (cmd.toLowerCase() === 'none') return ['NONE'];
  if (cmd.trimStart().startsWith('[')) {
    let argv: unknown;
    try {
      argv = JSON.parse(cmd);
    } catch {
      argv = undefined;
    }
    if (Array.isArray(argv) && argv.length && argv.every((a) => typeof a === 'string')) {
      return ['CMD', 'CMD-SHELL', 'NONE'].includes(argv[0] as string) ? (argv as string[]) : ['CMD', ...(argv as string[])];
    }
  }
  return ['CMD-SHELL', cmd];
}

export function healthRequest(f: HealthFlags): Pick<ContainerCreateRequest, 'healthcheck' | 'healthOnFailure'> {
  const onFailure = f.healthOnFailure ? { healthOnFailure: f.healthOnFailure } : {};
  const any = [f.healthCmd, f.healthInterval, f.healthTimeout, f.healthRetries, f.healthStartPeriod, f.healthStartInterval].some((v) => v !== undefined);
  if (f.healthcheck === false) {
    if (any) throw invalidArgument('--no-healthcheck conflicts with --health-* options');
    return { healthcheck: { Test: ['NONE'] }, ...onFailure };
  }
  if (!any) return onFailure;
  const h: HealthConfig = {};
  if (f.healthCmd !== undefined) h.Test = testOf(f.healthCmd);
  const set = (k: 'Interval' | 'Timeout' | 'StartPeriod' | 'StartInterval', v: string | undefined, flag: string) => {
    const ns = duration(v, flag);
    if (ns !== undefined) h[k] = ns;
  };
  set('Interval', f.healthInterval, '--health-interval');
  set('Timeout', f.healthTimeout, '--health-timeout');
  set('StartPeriod', f.healthStartPeriod, '--health-start-period');
  set('StartInterval', f.healthStartInterval, '--health-start-interval');
  if (f.healthRetries !== undefined) {
    if (!/^\d+$/.test(f.healthRetries)) throw invalidArgument(`invalid argument "${f.healthRetries}" for "--health-retries" flag`);
    h.Retries = Number(f.healthRetries);
  }
  return { healthcheck: h, ...onFailure };
}
