/**
 * @module units
 * docker/go-units, which every docker listing prints through: sizes (decimal kB/MB and
 * binary KiB/MiB), "About an hour"-style durations, and the parser behind --memory and
 * --shm-size. The algorithms are Go's, line for line, including their rounding.
 */

import { invalidArgument } from '../../core/errdefs.js';
import { formatFloat } from './go-float.js';
import { humanDuration } from '../../core/human-duration.js';

const DECIMAL_ABBRS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'] as const;
const BINARY_ABBRS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'] as const;

function sizeAndUnit(size: number, base: number, abbrs: readonly string[]): [number, string] {
  let i = 0;
  while (size >= base && i < abbrs.length - 1) {
    size /= base;
    i++;
  }
  return [size, abbrs[i]!];
}

/**
 * units.HumanSizeWithPrecision: decimal units, `precision` significant digits (Go's
 * `%.*g`). docker's SIZE columns (images, ps -s) use precision 3: 4096 → "4.1kB".
 */
export function humanSizeWithPrecision(bytes: number, precision: number): string {
  const [size, unit] = sizeAndUnit(bytes, 1000, DECIMAL_ABBRS);
  let result = formatFloat(size, 'g', precision) + unit;
  // go-units avoids "1e+03MB" this way; the test also catches the E of "EB", as Go's does.
  if (/[eE]/.test(result)) result = formatFloat(size, 'f', 0) + unit;
  return result;
}

/** units.HumanSize: four significant digits, decimal units. 1240000 → "1.24MB", 4096 → "4.096kB". */
export function humanSize(bytes: number): string {
  return humanSizeWithPrecision(bytes, 4);
}

/** units.BytesSize: binary units, four significant digits. 1048576 → "1MiB". */
export function bytesSize(bytes: number): string {
  const [size, unit] = sizeAndUnit(bytes, 1024, BINARY_ABBRS);
  return formatFloat(size, 'g', 4) + unit;
}

export { humanDuration };

/** docker's CREATED column: humanDuration(now - date) + " ago". */
export function timeAgo(date: Date | number | string, now: number = Date.now()): string {
  const then = date instanceof Date ? date.getTime() : typeof date === 'number' ? date : Date.parse(date);
  return `${humanDuration(now - then)} ago`;
}

const DECIMAL_MULT: Readonly<Record<string, number>> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };
const BINARY_MULT: Readonly<Record<string, number>> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

// strconv.ParseFloat's decimal syntax
const GO_FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** go-units parseSize: a number, an optional space, then b, or k/m/g/t/p with optional b or ib. */
function parseSizeWith(sizeStr: string, mult: Readonly<Record<string, number>>): number {
  let sep = -1;
  for (let i = sizeStr.length - 1; i >= 0; i--) {
    if ('0123456789. '.includes(sizeStr[i]!)) {
      sep = i;
      break;
    }
  }
  if (sep === -1) throw invalidArgument(`invalid size: '${sizeStr}'`);
  const num = sizeStr[sep] === ' ' ? sizeStr.slice(0, sep) : sizeStr.slice(0, sep + 1);
  let sfx = sizeStr.slice(sep + 1);
  if (!GO_FLOAT.test(num)) throw invalidArgument(`strconv.ParseFloat: parsing ${JSON.stringify(num)}: invalid syntax`);
  let size = Number(num);
  if (size < 0 || !Number.isFinite(size)) throw invalidArgument(`invalid size: '${sizeStr}'`);
  if (sfx.length === 0) return Math.trunc(size);
  const badSuffix = () => invalidArgument(`invalid suffix: '${sfx}'`);
  if (sfx.length > 3) throw badSuffix();
  sfx = sfx.toLowerCase();
  if (sfx[0] === 'b') {
    if (sfx.length > 1) throw badSuffix();
    return Math.trunc(size);
  }
  const m = mult[sfx[0]!];
  if (m === undefined) throw badSuffix();
  size *= m;
  if ((sfx.length === 2 && sfx[1] !== 'b') || (sfx.length === 3 && sfx.slice(1) !== 'ib')) throw badSuffix();
  return Math.trunc(size);
}

/**
 * units.RAMInBytes, the parser of --memory, --shm-size and friends: binary multiples,
 * case-insensitive, "64m" = "64MB" = "64 MiB" = 67108864. Throws invalidArgument on junk.
 */
export function parseSize(size: string): number {
  return parseSizeWith(size, BINARY_MULT);
}

/** units.FromHumanSize: the same syntax with decimal multiples ("1kB" = 1000). */
export function fromHumanSize(size: string): number {
  return parseSizeWith(size, DECIMAL_MULT);
}
