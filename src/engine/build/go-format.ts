/**
 * Go's fmt renderings the classic builder writes into history (`CMD %q`, `SHELL %v`,
 * `HEALTHCHECK %q`), so skiff's `created_by` lines read as dockerd's do.
 */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const NAMED: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

function quoteChar(ch: string, quote: string): string {
  const cp = ch.codePointAt(0)!;
  if (ch === quote || ch === '\\') return '\\' + ch;
  if (PRINTABLE.test(ch)) return ch;
  if (NAMED[cp]) return NAMED[cp]!;
  if (cp < 0x80) return '\\x' + cp.toString(16).padStart(2, '0');
  if (cp < 0x10000) return '\\u' + cp.toString(16).padStart(4, '0');
  return '\\U' + cp.toString(16).padStart(8, '0');
}

/** strconv.Quote. */
export function goQuote(s: string): string {
  return `"${[...s].map((ch) => quoteChar(ch, '"')).join('')}"`;
}

/** `%q` of a []string: `["a" "b"]`. */
export function goQuoteList(list: readonly string[]): string {
  return `[${list.map(goQuote).join(' ')}]`;
}

/** `%v` of a []string: `[a b]`. */
export function goList(list: readonly string[]): string {
  return `[${list.join(' ')}]`;
}

/** `%q` of an int: strconv.QuoteRune (`'\x03'`, `'\n'`, `'A'`). */
export function goQuoteRune(n: number): string {
  const ch = n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '\ufffd';
  return `'${quoteChar(ch, "'")}'`;
}

function fraction(v: number, unit: number): string {
  const whole = Math.floor(v / unit);
  const rest = v % unit;
  if (rest === 0) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}

/** time.Duration's String of `ns` nanoseconds: `0s`, `500ms`, `1.5s`, `1m30s`, `1h0m0s`. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let u = Math.abs(ns);
  if (u < 1e3) return `${sign}${u}ns`;
  if (u < 1e6) return `${sign}${fraction(u, 1e3)}µs`;
  if (u < 1e9) return `${sign}${fraction(u, 1e6)}ms`;
  const h = Math.floor(u / 3.6e12);
  u -= h * 3.6e12;
  const m = Math.floor(u / 6e10);
  u -= m * 6e10;
  const s = `${fraction(u, 1e9)}s`;
  return sign + (h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s);
}
