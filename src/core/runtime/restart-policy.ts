/**
 * @module restart-policy
 * Docker's `--restart` syntax: `no`, `always`, `unless-stopped`, `on-failure[:MAX]`, checked as
 * dockerd's `ValidateRestartPolicy` does (a retry count only with on-failure, never negative).
 */
import { invalidArgument } from '../errdefs.js';

export interface RestartPolicySpec {
  name: 'no' | 'always' | 'unless-stopped' | 'on-failure';
  maximumRetryCount: number;
}

const NAMES = ['no', 'always', 'unless-stopped', 'on-failure'] as const;

export function parseRestartPolicy(flag: string): RestartPolicySpec {
  const [name, max, ...rest] = flag.split(':');
  if (rest.length) throw invalidArgument(`invalid restart policy format: ${JSON.stringify(flag)}`);
  return validRestartPolicy(name ?? '', max === undefined ? 0 : retryCount(max, flag));
}

export function validRestartPolicy(name: string, maximumRetryCount: number): RestartPolicySpec {
  const n = NAMES.find((x) => x === name);
  if (!n) throw invalidArgument(`invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  if (!Number.isInteger(maximumRetryCount) || maximumRetryCount < 0) {
    throw invalidArgument('invalid restart policy: maximum retry count must be a positive integer');
  }
  if (maximumRetryCount > 0 && n !== 'on-failure') {
    throw invalidArgument(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  }
  return { name: n, maximumRetryCount };
}

function retryCount(s: string, flag: string): number {
  if (!/^-?\d+$/.test(s)) throw invalidArgument(`invalid restart policy format: maximum retry count must be an integer: ${JSON.stringify(flag)}`);
  return Number(s);
}
