import { invalidArgument } from '../../../core/errdefs.js';

/** `--label k=v` / `-o k=v` lists; a label may have no value, a driver option may not. */
export function keyValues(list: string[] | undefined, flag: string, valueRequired: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list ?? []) {
    const i = kv.indexOf('=');
    if (i === 0 || (i < 0 && valueRequired)) throw invalidArgument(`invalid ${flag} "${kv}": want KEY=VALUE`);
    out[i < 0 ? kv : kv.slice(0, i)] = i < 0 ? '' : kv.slice(i + 1);
  }
  return out;
}
