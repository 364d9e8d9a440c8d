/**
 * @module compose/interpolate
 * Variable substitution in Compose files, as compose-go's `template` package does it
 * (Compose Specification, "Interpolation"): `$VAR`, `${VAR}`, `${VAR:-default}`,
 * `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+replacement}`, `${VAR+replacement}`,
 * `$$` for a literal `$`. The text after an operator is itself interpolated, so defaults nest
 * (`${A:-${B:-x}}`). An unset variable without a default becomes "" with a warning.
 */
import { invalidArgument } from '../errdefs.js';

export type Lookup = (name: string) => string | undefined;

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;

export interface InterpolateContext {
  lookup: Lookup;
  /** Called once per unset variable used without a default. */
  warn?: (msg: string) => void;
}

/** Substitutes the variables in one string. */
export function interpolate(text: string, ctx: InterpolateContext): string {
  if (!text.includes('$')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = closingBrace(text, i + 2);
      if (end < 0) throw invalidTemplate(text);
      out += braced(text.slice(i + 2, end), text, ctx);
      i = end + 1;
      continue;
    }
    const m = NAME.exec(text.slice(i + 1));
    if (!m) throw invalidTemplate(text);
    out += valueOf(m[0], ctx);
    i += 1 + m[0].length;
  }
  return out;
}

/** The index of the `}` closing a `${` whose body starts at `from`, skipping nested `${…}`. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '$' && text[i + 1] === '$') {
      i++;
    } else if (c === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

function braced(body: string, whole: string, ctx: InterpolateContext): string {
  const m = NAME.exec(body);
  if (!m) throw invalidTemplate(whole);
  const name = m[0];
  const rest = body.slice(name.length);
  if (rest === '') return valueOf(name, ctx);
  const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
  if (!op) throw invalidTemplate(whole);
  const arg = rest.slice(op.length);
  const value = ctx.lookup(name);
  const unset = value === undefined;
  const empty = unset || value === '';
  switch (op) {
    case ':-':
      return empty ? interpolate(arg, ctx) : value!;
    case '-':
      return unset ? interpolate(arg, ctx) : value;
    case ':?':
      if (empty) throw missing(name, interpolate(arg, ctx));
      return value!;
    case '?':
      if (unset) throw missing(name, interpolate(arg, ctx));
      return value;
    case ':+':
      return empty ? '' : interpolate(arg, ctx);
    default: // '+'
      return unset ? '' : interpolate(arg, ctx);
  }
}

function valueOf(name: string, ctx: InterpolateContext): string {
  const v = ctx.lookup(name);
  if (v !== undefined) return v;
  ctx.warn?.(`The "${name}" variable is not set. Defaulting to a blank string.`);
  return '';
}

const invalidTemplate = (text: string) => invalidArgument(`Invalid template: "${text}"`);
const missing = (name: string, msg: string) =>
  invalidArgument(`required variable ${name} is missing a value${msg ? `: ${msg}` : ''}`);

/**
 * Interpolates every string value of a parsed Compose document (keys are left alone, as
 * compose-go does), naming the path of a failing value: `error while interpolating services.web.image: …`.
 */
export function interpolateTree(node: unknown, ctx: InterpolateContext, path: string[] = []): unknown {
  if (typeof node === 'string') {
    try {
      return interpolate(node, ctx);
    } catch (e) {
      throw invalidArgument(`error while interpolating ${path.join('.')}: ${(e as Error).message}`, e);
    }
  }
  if (Array.isArray(node)) return node.map((v, i) => interpolateTree(v, ctx, [...path, `[${i}]`]));
  if (isPlainObject(node)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = interpolateTree(v, ctx, [...path, k]);
    return out;
  }
  return node;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}
