/**
 * @module template-funcs
 * The functions a --format template can call: Go's text/template builtins and the set
 * docker's CLI adds (json, split, join, title, lower, upper, pad, truncate), plus the
 * header variants docker uses to print a table's header row from the same template.
 */

import { formatValue, sprint, sprintf, sprintln } from './go-fmt.js';
import {
  goTypeName,
  isList,
  isPlainObject,
  isTrue,
  kindOf,
  listItems,
  mapGet,
  mapSize,
  utf8Length,
} from './go-value.js';

/** A parameter type the executor checks before the call, as Go's reflection does. */
export type ParamType = 'any' | 'string' | 'int' | 'strings';

export interface FuncDef {
  fn: (...args: unknown[]) => unknown;
  /** fixed parameter types; with `variadic`, the last one repeats */
  params?: readonly ParamType[];
  /** min and max argument counts when `params` does not say */
  min?: number;
  max?: number;
}

/** A user function: its arguments arrive as JavaScript values, unchecked. */
export type TemplateFunc = (...args: unknown[]) => unknown;

/** An error a function reports; the executor prefixes "error calling NAME: ". */
export class FuncError extends Error {}

type BasicKind = 'bool' | 'number' | 'string' | 'nil' | 'other';

function basicKind(v: unknown): BasicKind {
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
    case 'bigint':
      return 'number';
    case 'string':
      return 'string';
    case 'undefined':
      return 'nil';
    default:
      return v === null ? 'nil' : 'other';
  }
}

function eq(a: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new FuncError('missing argument for comparison');
  const ka = basicKind(a);
  for (const b of rest) {
    const kb = basicKind(b);
    let truth: boolean;
    if (ka !== kb) {
      if (ka !== 'nil' && kb !== 'nil') throw new FuncError('incompatible types for comparison');
      truth = false;
    } else if (ka === 'nil') {
      truth = true;
    } else if (ka === 'number') {
      // loose equality so that a bigint and a number compare by value
      truth = (a as number) == (b as number);
    } else if (ka === 'other') {
      if (isList(a) || isList(b) || kindOf(a) === 'map' || kindOf(b) === 'map') {
        throw new FuncError(`non-comparable type ${formatValue(a)}: ${goTypeName(a)}`);
      }
      truth = a === b;
    } else {
      truth = a === b;
    }
    if (truth) return true;
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'nil' || ka === 'other' || kb === 'nil' || kb === 'other') throw new FuncError('invalid type for comparison');
  if (ka !== kb) throw new FuncError('incompatible types for comparison');
  if (ka === 'bool') throw new FuncError('invalid type for comparison');
  return (a as number | string) < (b as number | string);
}

function indexOne(item: unknown, idx: unknown): unknown {
  if (typeof item === 'string' || isList(item)) {
    const len = typeof item === 'string' ? utf8Length(item) : listItems(item).length;
    if (typeof idx !== 'number' && typeof idx !== 'bigint') {
      throw new FuncError(`cannot index slice/array with type ${goTypeName(idx)}`);
    }
    const i = Number(idx);
    if (!Number.isInteger(i)) throw new FuncError(`cannot index slice/array with type ${goTypeName(idx)}`);
    if (i < 0 || i >= len) throw new FuncError(`index out of range: ${i}`);
    return typeof item === 'string' ? Buffer.from(item, 'utf8')[i] : listItems(item)[i];
  }
  if (kindOf(item) === 'map' || (typeof item === 'object' && item !== null && isPlainObject(item))) {
    const obj = item as object;
    if (!(obj instanceof Map) && typeof idx !== 'string') {
      throw new FuncError(`value has type ${goTypeName(idx)}; should be string`);
    }
    const v = mapGet(obj, idx);
    if (v !== undefined) return v;
    // Go yields the element type's zero value: "" for string maps such as labels.
    const values = obj instanceof Map ? [...obj.values()] : Object.values(obj);
    return values.every((x) => typeof x === 'string') ? '' : undefined;
  }
  if (item === null || item === undefined) throw new FuncError('index of untyped nil');
  throw new FuncError(`can't index item of type ${goTypeName(item)}`);
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  if (item === null || item === undefined) throw new FuncError('index of untyped nil');
  let v: unknown = item;
  for (const idx of indexes) v = indexOne(v, idx);
  return v;
}

function sliceIndex(v: unknown): number {
  if ((typeof v !== 'number' && typeof v !== 'bigint') || !Number.isInteger(Number(v))) {
    throw new FuncError(`cannot index slice/array with type ${goTypeName(v)}`);
  }
  return Number(v);
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (item === null || item === undefined) throw new FuncError('slice of untyped nil');
  if (indexes.length > 3) throw new FuncError(`too many slice indexes: ${indexes.length}`);
  const isString = typeof item === 'string';
  if (!isString && !isList(item)) throw new FuncError(`can't slice item of type ${goTypeName(item)}`);
  if (isString && indexes.length === 3) throw new FuncError('cannot 3-index slice a string');
  const bytes = isString ? Buffer.from(item, 'utf8') : undefined;
  const items = isString ? [] : listItems(item as unknown[]);
  const cap = bytes ? bytes.length : items.length;
  const idx = [0, cap];
  indexes.forEach((x, i) => {
    const n = sliceIndex(x);
    if (n < 0 || n > cap) throw new FuncError(`index out of range: ${n}`);
    idx[i] = n;
  });
  if (idx[0]! > idx[1]!) throw new FuncError(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  return bytes ? bytes.subarray(idx[0], idx[1]).toString('utf8') : items.slice(idx[0], idx[1]);
}

function len(v: unknown): number {
  if (v === null || v === undefined) throw new FuncError('len of nil pointer');
  if (typeof v === 'string') return utf8Length(v);
  if (isList(v)) return listItems(v).length;
  if (kindOf(v) === 'map' || (typeof v === 'object' && isPlainObject(v))) return mapSize(v as object);
  throw new FuncError(`len of type ${goTypeName(v)}`);
}

function call(fn: unknown, ...args: unknown[]): unknown {
  if (fn === null || fn === undefined) throw new FuncError('call of nil');
  if (typeof fn !== 'function') throw new FuncError(`non-function of type ${goTypeName(fn)}`);
  return (fn as (...a: unknown[]) => unknown)(...args);
}

/** Go's evalArgs for html/js/urlquery: one string as is, anything else through Sprint. */
function argText(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args);
}

function htmlEscape(...args: unknown[]): string {
  return argText(args).replace(/[<>&'"\0]/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === "'" ? '&#39;' : c === '"' ? '&#34;' : '\uFFFD',
  );
}

function jsEscape(...args: unknown[]): string {
  let out = '';
  for (const ch of argText(args)) {
    const r = ch.codePointAt(0)!;
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case '<':
      case '>':
      case '&':
      case '=':
        out += '\\u' + r.toString(16).toUpperCase().padStart(4, '0');
        continue;
    }
    if (r < 0x20 || (r >= 0x7f && !/^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch))) {
      out += '\\u' + r.toString(16).toUpperCase().padStart(4, '0');
    } else {
      out += ch;
    }
  }
  return out;
}

function urlQueryEscape(...args: unknown[]): string {
  let out = '';
  for (const b of Buffer.from(argText(args), 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/**
 * encoding/json as docker's `json` function runs it: compact, HTML characters left alone,
 * Go maps (Map instances) with sorted keys, times in RFC 3339 with trailing zeros trimmed.
 */
export function toGoJSON(v: unknown, indent?: string): string {
  const replacer = function (this: unknown, key: string, value: unknown): unknown {
    const raw = (this as Record<string, unknown>)[key];
    if (raw instanceof Date) {
      return Number.isNaN(raw.getTime()) ? '0001-01-01T00:00:00Z' : raw.toISOString().replace(/\.?0*Z$/, 'Z');
    }
    if (typeof value === 'bigint') return Number(value);
    if (value instanceof Map) {
      return Object.fromEntries([...value.entries()].map(([k, x]) => [String(k), x]).sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0)));
    }
    if (value instanceof Set) return [...value];
    return value;
  };
  const out = JSON.stringify(v === undefined ? null : v, replacer, indent) ?? 'null';
  return out.replace(/[\u2028\u2029]/g, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'));
}

/** strings.Split, including its splitting into characters on an empty separator. */
function split(s: unknown, sep: unknown): string[] {
  const str = s as string;
  return sep === '' ? Array.from(str) : str.split(sep as string);
}

function join(list: unknown, sep: unknown): string {
  return listItems(list as unknown[])
    .map((x) => (typeof x === 'string' ? x : formatValue(x)))
    .join(sep as string);
}

/** strings.Title: upper-cases the first letter of each word. */
function title(s: unknown): string {
  let prev = ' ';
  let out = '';
  for (const ch of s as string) {
    out += isSeparator(prev) ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}

function isSeparator(ch: string): boolean {
  if (ch.charCodeAt(0) < 0x80) return !/[0-9A-Za-z_]/.test(ch);
  if (/^[\p{L}\p{Nd}]$/u.test(ch)) return false;
  return /^\s$/u.test(ch);
}

function pad(s: unknown, prefix: unknown, suffix: unknown): string {
  const str = s as string;
  if (str === '') return str;
  return ' '.repeat(Math.max(Number(prefix), 0)) + str + ' '.repeat(Math.max(Number(suffix), 0));
}

function truncate(s: unknown, length: unknown): string {
  const chars = Array.from(s as string);
  const n = Number(length);
  if (n < 0) throw new FuncError(`slice bounds out of range [:${n}]`);
  return chars.length < n ? (s as string) : chars.slice(0, n).join('');
}

const variadic = Infinity;

// The tables are built on first use: nothing runs when the CLI merely imports this module.
let builtinCache: ReadonlyMap<string, FuncDef> | undefined;
let dockerCache: ReadonlyMap<string, FuncDef> | undefined;
let headerCache: ReadonlyMap<string, FuncDef> | undefined;

/** Go's text/template builtins. */
export const builtinFuncs = (): ReadonlyMap<string, FuncDef> => (builtinCache ??= new Map<string, FuncDef>([
  // and/or never reach these bodies: the executor evaluates them lazily.
  ['and', { fn: (...a) => a.find((x) => !isTrue(x)) ?? a.at(-1), min: 1, max: variadic }],
  ['or', { fn: (...a) => a.find((x) => isTrue(x)) ?? a.at(-1), min: 1, max: variadic }],
  ['not', { fn: (a) => !isTrue(a), min: 1, max: 1 }],
  ['len', { fn: len, min: 1, max: 1 }],
  ['index', { fn: index, min: 1, max: variadic }],
  ['slice', { fn: slice, min: 1, max: variadic }],
  ['print', { fn: (...a) => sprint(a), min: 0, max: variadic }],
  ['println', { fn: (...a) => sprintln(a), min: 0, max: variadic }],
  ['printf', { fn: (f, ...a) => sprintf(f as string, a), params: ['string', 'any'], min: 1, max: variadic }],
  ['call', { fn: call, min: 1, max: variadic }],
  ['html', { fn: htmlEscape, min: 0, max: variadic }],
  ['js', { fn: jsEscape, min: 0, max: variadic }],
  ['urlquery', { fn: urlQueryEscape, min: 0, max: variadic }],
  ['eq', { fn: eq, min: 1, max: variadic }],
  ['ne', { fn: (a, b) => !eq(a, b), min: 2, max: 2 }],
  ['lt', { fn: lt, min: 2, max: 2 }],
  ['le', { fn: (a, b) => lt(a, b) || eq(a, b), min: 2, max: 2 }],
  ['gt', { fn: (a, b) => !(lt(a, b) || eq(a, b)), min: 2, max: 2 }],
  ['ge', { fn: (a, b) => !lt(a, b), min: 2, max: 2 }],
]));

/** The functions docker's CLI adds to every --format template. */
export const dockerFuncs = (): ReadonlyMap<string, FuncDef> => (dockerCache ??= new Map<string, FuncDef>([
  ['json', { fn: (v) => toGoJSON(v), min: 1, max: 1 }],
  ['split', { fn: split, params: ['string', 'string'] }],
  ['join', { fn: join, params: ['strings', 'string'] }],
  ['title', { fn: title, params: ['string'] }],
  ['lower', { fn: (s) => (s as string).toLowerCase(), params: ['string'] }],
  ['upper', { fn: (s) => (s as string).toUpperCase(), params: ['string'] }],
  ['pad', { fn: pad, params: ['string', 'int', 'int'] }],
  ['truncate', { fn: truncate, params: ['string', 'int'] }],
]));

const identity = (v: unknown): unknown => v;

/** docker's HeaderFunctions: a header cell shows the column name, not its transformation. */
export const headerFuncs = (): ReadonlyMap<string, FuncDef> => (headerCache ??= new Map<string, FuncDef>([
  // Untyped, unlike docker's (string) versions, so that a field without a header text
  // passes through as missing and still prints as its name.
  ['json', { fn: identity, min: 1, max: 1 }],
  ['split', { fn: identity, min: 2, max: 2 }],
  ['join', { fn: identity, min: 2, max: 2 }],
  ['title', { fn: identity, min: 1, max: 1 }],
  ['lower', { fn: identity, min: 1, max: 1 }],
  ['upper', { fn: identity, min: 1, max: 1 }],
  ['truncate', { fn: identity, min: 2, max: 2 }],
]));
