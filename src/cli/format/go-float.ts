/**
 * @module go-float
 * Go's strconv.FormatFloat for the e/E/f/g/G formats. Go rounds the exact binary value
 * half-to-even, where JavaScript's toFixed/toPrecision round half-up, so sizes such as
 * 1.125 kB would print differently; the digits here are therefore worked out exactly.
 */

export type FloatFormat = 'e' | 'E' | 'f' | 'g' | 'G';

/** Decimal digits with the point after `dp` of them (Go's decimalSlice); no trailing zeros. */
interface Digits {
  d: string;
  dp: number;
}

/** Go's strconv.FormatFloat(x, fmt, prec, 64); prec < 0 asks for the shortest exact form. */
export function formatFloat(x: number, fmt: FloatFormat, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const ax = Math.abs(x);
  const shortest = prec < 0;
  let digs: Digits;
  if (shortest) {
    digs = shortestDigits(ax);
    if (fmt === 'e' || fmt === 'E') prec = Math.max(digs.d.length - 1, 0);
    else if (fmt === 'f') prec = Math.max(digs.d.length - digs.dp, 0);
    else prec = digs.d.length;
  } else {
    digs = exactDigits(ax);
    if (fmt === 'e' || fmt === 'E') digs = round(digs, prec + 1);
    else if (fmt === 'f') digs = round(digs, digs.dp + prec);
    else {
      if (prec === 0) prec = 1;
      digs = round(digs, prec);
    }
  }
  return (neg ? '-' : '') + formatDigits(digs, shortest, prec, fmt);
}

function formatDigits(digs: Digits, shortest: boolean, prec: number, fmt: FloatFormat): string {
  if (fmt === 'e' || fmt === 'E') return fmtE(digs, prec, fmt);
  if (fmt === 'f') return fmtF(digs, prec);
  const nd = digs.d.length;
  let eprec = prec;
  if (eprec > nd && nd >= digs.dp) eprec = nd;
  // Go decides between %e and %f with precision 6 when asked for the shortest form.
  if (shortest) eprec = 6;
  const exp = digs.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > nd) prec = nd;
    return fmtE(digs, prec - 1, fmt === 'g' ? 'e' : 'E');
  }
  if (prec > digs.dp) prec = nd;
  return fmtF(digs, Math.max(prec - digs.dp, 0));
}

function fmtE(digs: Digits, prec: number, fmt: 'e' | 'E'): string {
  const nd = digs.d.length;
  let out = nd === 0 ? '0' : digs.d[0]!;
  if (prec > 0) {
    out += '.';
    const m = Math.min(nd, prec + 1);
    let i = 1;
    if (i < m) {
      out += digs.d.slice(i, m);
      i = m;
    }
    out += '0'.repeat(Math.max(prec + 1 - i, 0));
  }
  let exp = nd === 0 ? 0 : digs.dp - 1;
  const sign = exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return `${out}${fmt}${sign}${exp < 10 ? '0' : ''}${exp}`;
}

function fmtF(digs: Digits, prec: number): string {
  const nd = digs.d.length;
  let out: string;
  if (digs.dp > 0) {
    const m = Math.min(nd, digs.dp);
    out = digs.d.slice(0, m) + '0'.repeat(digs.dp - m);
  } else {
    out = '0';
  }
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) {
      const j = digs.dp + i - 1;
      out += j >= 0 && j < nd ? digs.d[j] : '0';
    }
  }
  return out;
}

/** The shortest digits that read back as x; JavaScript and Go agree on these. */
function shortestDigits(x: number): Digits {
  if (x === 0) return { d: '', dp: 0 };
  const [mant = '0', exp = '0'] = x.toExponential().split('e');
  return trim({ d: mant.replace('.', ''), dp: Number(exp) + 1 });
}

/** Every decimal digit of the binary value of x (x >= 0), as Go's decimal.Assign+Shift gives. */
function exactDigits(x: number): Digits {
  if (x === 0) return { d: '', dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (biased === 0) {
    e = -1074;
  } else {
    mant |= 1n << 52n;
    e = biased - 1075;
  }
  if (e >= 0) {
    const s = (mant << BigInt(e)).toString();
    return trim({ d: s, dp: s.length });
  }
  // mant / 2^k == mant * 5^k / 10^k
  const s = (mant * 5n ** BigInt(-e)).toString();
  return trim({ d: s, dp: s.length + e });
}

function trim(digs: Digits): Digits {
  const d = digs.d.replace(/0+$/, '');
  return d === '' ? { d: '', dp: 0 } : { d, dp: digs.dp };
}

/** Go's decimal.Round: keep nd digits, ties to even (the digits are exact, so a lone 5 is a tie). */
function round(digs: Digits, nd: number): Digits {
  const { d } = digs;
  if (nd < 0 || nd >= d.length) return digs;
  const next = d[nd]!;
  const up = next === '5' && nd + 1 === d.length ? nd > 0 && Number(d[nd - 1]) % 2 === 1 : next >= '5';
  if (!up) return trim({ d: d.slice(0, nd), dp: digs.dp });
  for (let i = nd - 1; i >= 0; i--) {
    if (d[i] !== '9') {
      return { d: d.slice(0, i) + String(Number(d[i]) + 1), dp: digs.dp };
    }
  }
  return { d: '1', dp: digs.dp + 1 };
}
