/**
 * Docker's detach keys ("ctrl-p,ctrl-q"): a client-side feature, the monitor knows nothing of
 * them. Bytes that might start the sequence are held back until it completes (detach, the
 * keys are never sent) or breaks (they are sent late, in order).
 */
import { invalidArgument } from '../errdefs.js';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** Docker's grammar: comma-separated single characters or `ctrl-<a-z @ [ \ ] ^ _>`. */
export function parseDetachKeys(spec: string): Buffer {
  if (spec === '') return Buffer.alloc(0);
  const out: number[] = [];
  for (const key of spec.split(',')) {
    const k = key.trim().toLowerCase();
    if (k.length === 1) {
      out.push(k.charCodeAt(0));
      continue;
    }
    const m = /^ctrl-(.)$/.exec(k);
    const ch = m?.[1];
    if (ch !== undefined && ch >= 'a' && ch <= 'z') out.push(ch.charCodeAt(0) - 96);
    // ctrl-@ is NUL; ctrl-[ … ctrl-_ are 27 … 31.
    else if (ch !== undefined && '@[\\]^_'.includes(ch)) out.push(ch === '@' ? 0 : 26 + '@[\\]^_'.indexOf(ch));
    else throw invalidArgument(`invalid detach keys ${JSON.stringify(spec)}: unknown key ${JSON.stringify(key)}`);
  }
  return Buffer.from(out);
}

export class DetachKeyMatcher {
  private matched = 0;
  constructor(private readonly keys: Buffer) {}

  /** What to forward from this chunk, and whether the sequence completed inside it. */
  feed(chunk: Buffer): { forward: Buffer; detach: boolean } {
    if (this.keys.length === 0) return { forward: chunk, detach: false };
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) return { forward: Buffer.from(out), detach: true };
        continue;
      }
      // The sequence broke: the held-back bytes were input after all.
      for (let i = 0; i < this.matched; i++) out.push(this.keys[i]!);
      this.matched = byte === this.keys[0] ? 1 : 0;
      if (this.matched === 0) out.push(byte);
    }
    return { forward: Buffer.from(out), detach: false };
  }
}
