/**
 * @module build/flags
 * Instruction flags (`--from=x`, `--link`, repeated `--mount=...`) checked against the set each
 * instruction accepts, with BuildKit's messages; Go-style durations for HEALTHCHECK.
 */
import { LineError } from './words.js';

export type FlagKind = 'string' | 'strings' | 'bool';
export type FlagSpec = Record<string, FlagKind>;

export interface ParsedFlags {
  raw: Record<string, string[]>;
  string(name: string): string | undefined;
  strings(name: string): string[];
  bool(name: string): boolean;
}

/** `words` are the flag words without their leading `--` stripped (as extractFlags returns them). */
export function parseFlags(words: string[], spec: FlagSpec): ParsedFlags {
  const raw: Record<string, string[]> = {};
  const bools: Record<string, boolean> = {};
  for (const word of words) {
    if (word === '--') break;
    if (!word.startsWith('--')) throw new LineError(`arg should start with -- : ${word}`);
    const body = word.slice(2);
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const value = eq < 0 ? undefined : body.slice(eq + 1);
    const kind = spec[name];
    if (!kind) throw new LineError(`unknown flag: ${name}`);
    if (kind !== 'strings' && raw[name]) throw new LineError(`duplicate flag specified: ${name}`);
    if (kind === 'bool') {
      if (value === undefined || value === '' || value.toLowerCase() === 'true') bools[name] = true;
      else if (value.toLowerCase() === 'false') bools[name] = false;
      else throw new LineError(`expecting boolean value for flag ${name}, not: ${value}`);
    } else if (value === undefined) {
      throw new LineError(`missing a value on flag: ${name}`);
    }
    (raw[name] ??= []).push(value ?? '');
  }
  return {
    raw,
    string: (n) => raw[n]?.[raw[n]!.length - 1],
    strings: (n) => raw[n] ?? [],
    bool: (n) => bools[n] ?? false,
  };
}

const UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3,
  'μs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go's time.ParseDuration (`1m30s`, `1.5h`, `300ms`), in whole nanoseconds. */
export function parseGoDuration(s: string): number {
  const bad = () => new LineError(`time: invalid duration "${s}"`);
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw bad();
  let total = 0;
  while (rest !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(rest)!;
    if (m[0] === '' || m[0] === '.') throw bad();
    rest = rest.slice(m[0].length);
    const unit = /^[^\d.]+/.exec(rest)?.[0];
    if (!unit) throw new LineError(`time: missing unit in duration "${s}"`);
    const mult = UNITS[unit];
    if (mult === undefined) throw new LineError(`time: unknown unit "${unit}" in duration "${s}"`);
    rest = rest.slice(unit.length);
    total += Number(`${m[1] || '0'}.${m[2] || '0'}`) * mult;
  }
  return sign * Math.trunc(total);
}
