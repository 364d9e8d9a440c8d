/**
 * @module go-fmt
 * The part of Go's fmt package that templates reach: Sprint, Sprintln, Sprintf with flags,
 * width, precision and argument indexes, and the %v rendering of values (`[a b]`,
 * `map[k:v]`, `<nil>`). Wrong verbs print Go's `%!d(string=x)` forms rather than throwing,
 * as Go does. One deliberate leniency: JavaScript has no int/float split, so an
 * integer-valued number prints as an int but is still accepted by %e %f %g.
 */

import { formatFloat } from './go-float.js';
import { goTypeName, isGoInt, isList, listItems, mapEntries, isStructLike, isPlainObject } from './go-value.js';

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid: number | undefined;
  prec: number | undefined;
}

const noFlags = (): Flags => ({
  plus: false,
  minus: false,
  sharp: false,
  space: false,
  zero: false,
  plusV: false,
  sharpV: false,
  wid: undefined,
  prec: undefined,
});

/** fmt.Sprint: operands joined, with a space between two operands when neither is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && !prevString) out += ' ';
    out += printArg(arg, 'v', noFlags());
    prevString = isString;
  });
  return out;
}

/** fmt.Sprintln: operands always space-separated, newline appended. */
export function sprintln(args: readonly unknown[]): string {
  return args.map((a) => printArg(a, 'v', noFlags())).join(' ') + '\n';
}

/** fmt.Sprint of one value: the %v form. */
export function formatValue(v: unknown): string {
  return printArg(v, 'v', noFlags());
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  const end = format.length;
  let i = 0;
  while (i < end) {
    const lasti = i;
    while (i < end && format[i] !== '%') i++;
    if (i > lasti) out += format.slice(lasti, i);
    if (i >= end) break;
    i++; // the '%'
    const f = noFlags();
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case '#':
          f.sharp = true;
          break;
        case '0':
          f.zero = !f.minus; // zero padding only ever goes on the left
          break;
        case '+':
          f.plus = true;
          break;
        case '-':
          f.minus = true;
          f.zero = false;
          break;
        case ' ':
          f.space = true;
          break;
        default:
          break flags;
      }
    }
    let goodArgNum = true;
    let afterIndex = false;
    const idx = (): void => {
      const r = argNumber(format, i, args.length);
      if (r) {
        reordered = true;
        i = r.next;
        afterIndex = true;
        if (r.ok) argNum = r.num;
        else goodArgNum = false;
      }
    };
    idx();
    if (i < end && format[i] === '*') {
      i++;
      const w = intFromArg(args, argNum);
      argNum = w.argNum;
      if (w.value === undefined) {
        out += '%!(BADWIDTH)';
      } else {
        f.wid = w.value;
        if (f.wid < 0) {
          f.wid = -f.wid;
          f.minus = true;
          f.zero = false;
        }
      }
      afterIndex = false;
    } else {
      const n = parseNum(format, i);
      if (n) {
        f.wid = n.value;
        i = n.next;
        if (afterIndex) goodArgNum = false; // "%[3]2d"
      }
    }
    if (i + 1 <= end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false; // "%[3].2d"
      afterIndex = false;
      idx();
      if (i < end && format[i] === '*') {
        i++;
        const p = intFromArg(args, argNum);
        argNum = p.argNum;
        if (p.value === undefined) out += '%!(BADPREC)';
        else if (p.value >= 0) f.prec = p.value;
        afterIndex = false;
      } else {
        const n = parseNum(format, i);
        f.prec = n ? n.value : 0;
        if (n) i = n.next;
      }
    }
    if (!afterIndex) idx();
    if (i >= end) {
      out += '%!(NOVERB)';
      break;
    }
    const cp = format.codePointAt(i)!;
    let verb = String.fromCodePoint(cp);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (!goodArgNum) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    if (verb === 'w') verb = 'v';
    if (verb === 'v') {
      if (f.sharp) {
        f.sharp = false;
        f.sharpV = true;
      }
      if (f.plus) {
        f.plus = false;
        f.plusV = true;
      }
    }
    out += printArg(args[argNum], verb, f);
    argNum++;
  }
  if (!reordered && argNum < args.length) {
    const extra = args.slice(argNum).map((a) => (a === null || a === undefined ? '<nil>' : `${goTypeName(a)}=${printArg(a, 'v', noFlags())}`));
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}

function parseNum(s: string, i: number): { value: number; next: number } | undefined {
  let j = i;
  while (j < s.length && s[j]! >= '0' && s[j]! <= '9') j++;
  if (j === i) return undefined;
  const value = Number(s.slice(i, j));
  return value > 1e6 ? undefined : { value, next: j };
}

function argNumber(s: string, i: number, numArgs: number): { ok: boolean; num: number; next: number } | undefined {
  if (s[i] !== '[') return undefined;
  const close = s.indexOf(']', i + 1);
  if (close < 0) return { ok: false, num: 0, next: i + 1 };
  const n = /^\d+$/.test(s.slice(i + 1, close)) ? Number(s.slice(i + 1, close)) : NaN;
  const ok = n >= 1 && n <= numArgs;
  return { ok, num: ok ? n - 1 : 0, next: close + 1 };
}

function intFromArg(args: readonly unknown[], argNum: number): { value: number | undefined; argNum: number } {
  if (argNum >= args.length) return { value: undefined, argNum };
  const a = args[argNum];
  const value = typeof a === 'number' && Number.isInteger(a) && Math.abs(a) <= 1e6 ? a : undefined;
  return { value, argNum: argNum + 1 };
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function pad(s: string, f: Flags, zero = f.zero): string {
  if (f.wid === undefined || f.wid === 0) return s;
  const width = f.wid - runeCount(s);
  if (width <= 0) return s;
  if (f.minus) return s + ' '.repeat(width);
  return (zero ? '0' : ' ').repeat(width) + s;
}

function badVerb(arg: unknown, verb: string, f: Flags): string {
  if (arg === null || arg === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(arg)}=${printArg(arg, 'v', f)})`;
}

/** One operand under one verb: fmt's printArg and printValue. */
function printArg(arg: unknown, verb: string, f: Flags): string {
  if (arg === null || arg === undefined) {
    return verb === 'T' || verb === 'v' ? pad('<nil>', f, false) : badVerb(arg, verb, f);
  }
  if (verb === 'T') return pad(goTypeName(arg), f, false);
  switch (typeof arg) {
    case 'boolean':
      return verb === 't' || verb === 'v' ? pad(String(arg), f, false) : badVerb(arg, verb, f);
    case 'bigint':
      return fmtIntegerVerb(arg, verb, f);
    case 'number':
      if (isGoInt(arg) && !Object.is(arg, -0) && !'eEfFgG'.includes(verb)) {
        return fmtIntegerVerb(BigInt(arg), verb, f);
      }
      return fmtFloatVerb(arg, verb, f);
    case 'string':
      return fmtStringVerb(arg, verb, f);
    case 'symbol':
      return fmtStringVerb(arg.toString(), verb, f);
    case 'function':
      // Go prints a func's address; a JavaScript function has none to show.
      return verb === 'v' || verb === 'p' ? pad('0x0', f, false) : badVerb(arg, verb, f);
    default:
      return printObject(arg as object, verb, f);
  }
}

function printObject(o: object, verb: string, f: Flags): string {
  if (isList(o)) {
    return '[' + listItems(o).map((e) => (e === null || e === undefined ? '<nil>' : printArg(e, verb, f))).join(' ') + ']';
  }
  // Go prints error and Stringer values through their method for the string verbs.
  const text = stringerText(o);
  if (text !== undefined && 'vsxXq'.includes(verb)) return fmtStringVerb(text, verb, f);
  if (o instanceof Date) return badVerb(o, verb, f);
  const entries = mapEntries(o).map(([k, v]) => `${printArg(k, verb, f)}:${v === null || v === undefined ? '<nil>' : printArg(v, verb, f)}`);
  const open = f.sharpV && isStructLike(o) ? '{' : 'map[';
  return open + entries.join(' ') + (open === '{' ? '}' : ']');
}

function stringerText(o: object): string | undefined {
  if (o instanceof Date) return goTime(o);
  if (o instanceof Error) return o.message;
  if (isPlainObject(o) || o instanceof Map) return undefined;
  const toString = (o as { toString?: unknown }).toString;
  if (typeof toString === 'function' && toString !== Object.prototype.toString) {
    return String((toString as () => unknown).call(o));
  }
  return undefined;
}

/** Go's time.Time String() form, always in UTC. */
export function goTime(d: Date): string {
  if (Number.isNaN(d.getTime())) return '0001-01-01 00:00:00 +0000 UTC';
  const iso = d.toISOString(); // 2024-01-02T03:04:05.123Z
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? '.' + frac : ''} +0000 UTC`;
}

function fmtIntegerVerb(v: bigint, verb: string, f: Flags): string {
  switch (verb) {
    case 'v':
    case 'd':
      return fmtInteger(v, 10, verb, f);
    case 'b':
      return fmtInteger(v, 2, verb, f);
    case 'o':
    case 'O':
      return fmtInteger(v, 8, verb, f);
    case 'x':
      return fmtInteger(v, 16, verb, f);
    case 'X':
      return fmtInteger(v, 16, verb, f).toUpperCase();
    case 'c':
      return pad(runeString(v), f, false);
    case 'q':
      return pad(quoteRune(runeOf(v), f.plus), f, false);
    case 'U': {
      let s = 'U+' + v.toString(16).toUpperCase().padStart(4, '0');
      if (f.sharp) s += ` '${runeString(v)}'`;
      return pad(s, f, false);
    }
    default:
      return badVerb(Number(v), verb, f);
  }
}

function runeOf(v: bigint): number {
  return v < 0n || v > 0x10ffffn || (v >= 0xd800n && v <= 0xdfffn) ? 0xfffd : Number(v);
}

function runeString(v: bigint): string {
  return String.fromCodePoint(runeOf(v));
}

function fmtInteger(v: bigint, base: number, verb: string, f: Flags): string {
  const negative = v < 0n;
  const u = negative ? -v : v;
  let prec = 0;
  if (f.prec !== undefined) {
    prec = f.prec;
    // Precision 0 and value 0 means "print nothing" but padding.
    if (prec === 0 && u === 0n) return pad('', f, false);
  } else if (f.zero && f.wid !== undefined) {
    prec = f.wid;
    if (negative || f.plus || f.space) prec--; // leave room for the sign
  }
  let digits = u.toString(base).padStart(prec, '0');
  if (f.sharp) {
    if (base === 2) digits = '0b' + digits;
    else if (base === 8 && digits[0] !== '0') digits = '0' + digits;
    else if (base === 16) digits = '0x' + digits;
  }
  if (verb === 'O') digits = '0o' + digits;
  const sign = negative ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  return pad(sign + digits, f, false);
}

function fmtFloatVerb(x: number, verb: string, f: Flags): string {
  let fmt: 'e' | 'E' | 'f' | 'g' | 'G';
  let prec: number;
  switch (verb) {
    case 'v':
      fmt = 'g';
      prec = -1;
      break;
    case 'g':
    case 'G':
      fmt = verb;
      prec = -1;
      break;
    case 'e':
    case 'E':
    case 'f':
      fmt = verb;
      prec = 6;
      break;
    case 'F':
      fmt = 'f';
      prec = 6;
      break;
    default:
      return badVerb(x, verb, f);
  }
  if (f.prec !== undefined) prec = f.prec;
  const num = formatFloat(x, fmt, prec);
  let sign = num[0] === '-' || num[0] === '+' ? num[0] : '+';
  const body = num[0] === '-' || num[0] === '+' ? num.slice(1) : num;
  if (f.space && sign === '+' && !f.plus) sign = ' ';
  if (body === 'Inf' || body === 'NaN') {
    if (body === 'NaN' && !f.space && !f.plus) sign = '';
    return pad(sign + body, f, false);
  }
  if (f.plus || sign !== '+') {
    const s = sign + body;
    if (f.zero && !f.minus && f.wid !== undefined && f.wid > s.length) {
      return sign + '0'.repeat(f.wid - s.length) + body;
    }
    return pad(s, f, false);
  }
  return pad(body, f);
}

function fmtStringVerb(s: string, verb: string, f: Flags): string {
  switch (verb) {
    case 'v':
      if (f.sharpV) return pad(quote(s, false), f, false);
      return pad(truncate(s, f), f);
    case 's':
      return pad(truncate(s, f), f);
    case 'q': {
      const t = truncate(s, f);
      if (f.sharp && canBackquote(t)) return pad('`' + t + '`', f);
      return pad(quote(t, f.plus), f);
    }
    case 'x':
    case 'X': {
      let bytes = [...Buffer.from(s, 'utf8')];
      if (f.prec !== undefined) bytes = bytes.slice(0, f.prec);
      const hex = bytes.map((b) => b.toString(16).padStart(2, '0'));
      let out: string;
      if (f.space) out = hex.map((h) => (f.sharp ? '0x' + h : h)).join(' ');
      else out = (f.sharp && hex.length > 0 ? '0x' : '') + hex.join('');
      return pad(verb === 'X' ? out.toUpperCase() : out, f);
    }
    default:
      return badVerb(s, verb, f);
  }
}

function truncate(s: string, f: Flags): string {
  if (f.prec === undefined) return s;
  return Array.from(s).slice(0, f.prec).join('');
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

function isPrint(ch: string): boolean {
  return ch === ' ' || PRINTABLE.test(ch);
}

function escapeRune(ch: string, r: number, q: string, ascii: boolean): string {
  if (ch === q || ch === '\\') return '\\' + ch;
  if (ascii ? r < 0x80 && isPrint(ch) : isPrint(ch)) return ch;
  switch (r) {
    case 7:
      return '\\a';
    case 8:
      return '\\b';
    case 12:
      return '\\f';
    case 10:
      return '\\n';
    case 13:
      return '\\r';
    case 9:
      return '\\t';
    case 11:
      return '\\v';
  }
  if (r < 0x20 || r === 0x7f) return '\\x' + r.toString(16).padStart(2, '0');
  if (r >= 0xd800 && r <= 0xdfff) return '\\ufffd';
  if (r < 0x10000) return '\\u' + r.toString(16).padStart(4, '0');
  return '\\U' + r.toString(16).padStart(8, '0');
}

/** strconv.Quote (or QuoteToASCII). */
export function quote(s: string, ascii = false): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch, ch.codePointAt(0)!, '"', ascii);
  return out + '"';
}

function quoteRune(r: number, ascii: boolean): string {
  const ch = String.fromCodePoint(r);
  return "'" + escapeRune(ch, r, "'", ascii) + "'";
}

function canBackquote(s: string): boolean {
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    if (ch === '`' || r === 0xfeff || (r < 0x20 && ch !== '\t') || r === 0x7f) return false;
  }
  return true;
}
