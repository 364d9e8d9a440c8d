/**
 * @module units
 * Docker's size strings ("64m", "1.5g", "65536k"): binary multiples, as `units.RAMInBytes`.
 */
import { invalidArgument } from '../errdefs.js';

const MULT: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

export function parseBytes(s: string | number): number {
  if (typeof s === 'number') return s;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?\s*$/i.exec(s);
  if (!m) throw invalidArgument(`invalid size: ${JSON.stringify(s)}`);
  const unit = (m[2] ?? '').toLowerCase();
  return Math.floor(Number(m[1]) * MULT[unit]!);
}
