/**
 * @module unit-file
 * systemd's unit file syntax (systemd.syntax(7)): sections in order, keys that repeat, `#`/`;`
 * comments, a trailing backslash joining lines. Writing keeps the order things were added;
 * Exec lines are built from argv with systemd's quoting, so any argument survives the trip.
 */
import { invalidArgument } from '../errdefs.js';

export interface UnitEntry {
  key: string;
  value: string;
}

export class UnitFile {
  readonly sections = new Map<string, UnitEntry[]>();

  static parse(text: string, what = 'unit file'): UnitFile {
    const u = new UnitFile();
    let section: string | undefined;
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i]!.trim();
      if (!line || line.startsWith('#') || line.startsWith(';')) continue;
      // systemd: a continued line may be followed by comment lines, which are skipped.
      while (line.endsWith('\\') && i + 1 < lines.length) {
        const next = lines[++i]!.trim();
        if (next.startsWith('#') || next.startsWith(';')) {
          line = `${line.slice(0, -1)}\\`;
          continue;
        }
        line = `${line.slice(0, -1)} ${next}`;
      }
      if (line.endsWith('\\')) line = line.slice(0, -1);
      if (line.startsWith('[')) {
        if (!line.endsWith(']')) throw invalidArgument(`${what}:${i + 1}: invalid section header ${JSON.stringify(line)}`);
        section = line.slice(1, -1);
        if (!u.sections.has(section)) u.sections.set(section, []);
        continue;
      }
      const eq = line.indexOf('=');
      if (eq <= 0) throw invalidArgument(`${what}:${i + 1}: expected KEY=VALUE, got ${JSON.stringify(line)}`);
      if (!section) throw invalidArgument(`${what}:${i + 1}: a key outside any section`);
      u.add(section, line.slice(0, eq).trim(), line.slice(eq + 1).trim());
    }
    return u;
  }

  add(section: string, key: string, value: string): this {
    const list = this.sections.get(section) ?? [];
    this.sections.set(section, list);
    list.push({ key, value });
    return this;
  }

  /** An Exec line from argv, each argument quoted as systemd needs (see `quoteArg`). */
  addExec(section: string, key: string, argv: string[], prefix = ''): this {
    return this.add(section, key, prefix + argv.map((a) => quoteArg(a)).join(' '));
  }

  has(section: string): boolean {
    return this.sections.has(section);
  }

  /** Every value of `key`, in order; an empty assignment resets the list, as systemd does. */
  all(section: string, key: string): string[] {
    const out: string[] = [];
    for (const e of this.sections.get(section) ?? []) {
      if (e.key !== key) continue;
      if (e.value === '') out.length = 0;
      else out.push(e.value);
    }
    return out;
  }

  /** The last value of `key`. */
  get(section: string, key: string): string | undefined {
    return this.all(section, key).at(-1);
  }

  keys(section: string): string[] {
    return [...new Set((this.sections.get(section) ?? []).map((e) => e.key))];
  }

  /** Copies a section (all entries) from another file, under a name of our choosing. */
  copySection(from: UnitFile, section: string, as = section): this {
    for (const e of from.sections.get(section) ?? []) this.add(as, e.key, e.value);
    return this;
  }

  toString(): string {
    const out: string[] = [];
    for (const [name, entries] of this.sections) {
      if (out.length) out.push('');
      out.push(`[${name}]`);
      for (const e of entries) out.push(`${e.key}=${e.value}`);
    }
    return out.join('\n') + '\n';
  }
}

/**
 * One argument of an Exec line. `%` and `$` are doubled (no specifier, no variable) unless the
 * argument comes from a unit file whose author meant them (`keepSpecifiers`), and an argument
 * with blanks, quotes, backslashes or nothing in it is double-quoted with C escapes.
 */
export function quoteArg(arg: string, o: { keepSpecifiers?: boolean } = {}): string {
  const s = o.keepSpecifiers ? arg : arg.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (s !== '' && !/[\s"'\\;]/.test(s)) return s;
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
}

/**
 * systemd's word splitting of a value (Exec=, Environment=, PodmanArgs=): blanks separate,
 * double or single quotes group, C escapes inside double quotes and outside quotes.
 */
export function splitWords(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < value.length) cur += unescape(value[++i]!);
      else cur += ch;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '\\' && i + 1 < value.length) cur += unescape(value[++i]!);
    else cur += ch;
  }
  if (quote) throw invalidArgument(`unbalanced quotes in ${JSON.stringify(value)}`);
  if (inWord) out.push(cur);
  return out;
}

function unescape(ch: string): string {
  return ({ n: '\n', t: '\t', r: '\r' } as Record<string, string>)[ch] ?? ch;
}
