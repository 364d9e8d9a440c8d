/** Restart policies as Docker spells and checks them (restart.ts acts on them). */
import { invalidArgument } from '../../core/errdefs.js';
import type { RestartPolicy } from './types.js';

const NAMES = ['no', 'always', 'on-failure', 'unless-stopped'];

/** The docker CLI's `--restart NAME[:MAX_RETRIES]` (opts.ParseRestartPolicy), with its messages. */
export function parseRestartFlag(s: string): RestartPolicy | undefined {
  if (s === '') return undefined;
  const i = s.indexOf(':');
  const name = i < 0 ? s : s.slice(0, i);
  const count = i < 0 ? '' : s.slice(i + 1);
  if (i >= 0 && name === '') throw invalidArgument('invalid restart policy format: no policy provided before colon');
  if (count !== '' && !/^[+-]?\d+$/.test(count)) {
    throw invalidArgument('invalid restart policy format: maximum retry count must be an integer');
  }
  return { name, maximumRetryCount: count === '' ? 0 : Number(count) };
}

/** dockerd's ValidateRestartPolicy, and its refusal of a policy on an auto-removed container. */
export function checkRestartPolicy(p: RestartPolicy | undefined, autoRemove: boolean): void {
  if (!p) return;
  const n = p.maximumRetryCount;
  if (!Number.isSafeInteger(n)) throw invalidArgument(`invalid restart policy: maximum retry count ${n} is not an integer`);
  if (p.name === 'on-failure') {
    if (n < 0) throw invalidArgument('invalid restart policy: maximum retry count cannot be negative');
  } else if (NAMES.includes(p.name)) {
    if (n !== 0) {
      throw invalidArgument(`invalid restart policy: maximum retry count can only be used with 'on-failure'${n < 0 ? ' and cannot be negative' : ''}`);
    }
  } else if (p.name !== '') {
    throw invalidArgument(`invalid restart policy: unknown policy '${p.name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
  if (autoRemove && p.name !== '' && p.name !== 'no') throw invalidArgument("can't create 'AutoRemove' container with restart policy");
}
