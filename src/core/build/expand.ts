/**
 * @module build/expand
 * Build-time variable substitution, with the rules of BuildKit's shell lexer
 * (frontend/dockerfile/shell/lex.go): `$x`, `${x}`, `${x:-w}`, `${x-w}`, `${x:+w}`, `${x+w}`,
 * `${x:?msg}`, `${x?msg}`, `${x#pat}`, `${x##pat}`, `${x%pat}`, `${x%%pat}`, `${x/pat/repl}`,
 * `${x//pat/repl}`; single quotes are literal, double quotes expand, the escape character
 * (the file's: `\` or `` ` ``) escapes. Quotes are removed from the result.
 *
 * Which fields to pass through here is listed in ./ast.ts: ADD, COPY, ENV, EXPOSE, FROM,
 * LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR and ARG defaults (plus some flag values). RUN, CMD,
 * ENTRYPOINT, SHELL and HEALTHCHECK are left to the shell; ONBUILD triggers expand when they run.
 *
 * Errors are thrown as plain `Error` (the caller knows the line): use `expandError` to wrap them.
 */
import { invalidArgument, type EngineError } from '../errdefs.js';
import type { EscapeChar, VarLookup } from './ast.js';
import { withDockerMessage } from './docker-words.js';

const isSpace = (ch: string) => /\s/u.test(ch);
const SPECIAL = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);

/**
 * Which substitutions a file may use. `classic` is dockerd 20.10's builder, which knows only
 * `${x:-w}`, `${x:+w}`, `${x?w}` and `${x:?w}` and refuses the rest ("missing ':' in
 * substitution"), even under a `# syntax=` line; `buildkit` is BuildKit's frontend.
 */
export type Dialect = 'classic' | 'buildkit';

interface LexOptions {
  classic?: boolean;
  /** Keep escape characters in the output (heredoc bodies, `${x#pat}` patterns). */
  rawEscapes?: boolean;
  /** Treat quotes as ordinary characters (heredoc bodies). */
  skipQuotes?: boolean;
}

class Words {
  word = '';
  words: string[] = [];
  inWord = false;
  addChar(ch: string): void {
    if (isSpace(ch)) {
      if (this.inWord && this.word !== '') {
        this.words.push(this.word);
        this.word = '';
        this.inWord = false;
      }
    } else this.addRaw(ch);
  }
  addRaw(s: string): void {
    this.word += s;
    this.inWord = true;
  }
  addString(s: string): void {
    for (const ch of s) this.addChar(ch);
  }
  done(): string[] {
    if (this.word !== '') this.words.push(this.word);
    this.word = '';
    return this.words;
  }
}

class Lexer {
  private pos = 0;
  private rawEscapes: boolean;
  constructor(
    private readonly src: string,
    private readonly lookup: VarLookup,
    private readonly escape: string,
    private readonly opts: LexOptions,
  ) {
    this.rawEscapes = opts.rawEscapes ?? false;
  }

  private peek(): string | undefined {
    return this.src[this.pos];
  }
  private next(): string | undefined {
    return this.src[this.pos++];
  }

  run(): { result: string; words: string[] } {
    return this.until(undefined, this.rawEscapes);
  }

  private until(stop: string | undefined, rawEscapes: boolean): { result: string; words: string[] } {
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      let result = '';
      const words = new Words();
      while (this.pos < this.src.length) {
        let ch = this.peek()!;
        if (stop !== undefined && ch === stop) {
          this.pos++;
          return { result, words: words.done() };
        }
        if (ch === '$') {
          const v = this.dollar();
          result += v;
          words.addString(v);
        } else if ((ch === "'" || ch === '"') && !this.opts.skipQuotes) {
          const v = ch === "'" ? this.singleQuote() : this.doubleQuote();
          result += v;
          words.addRaw(v);
        } else {
          this.pos++;
          if (ch === this.escape) {
            if (this.rawEscapes) {
              words.addRaw(ch);
              result += ch;
            }
            if (this.pos >= this.src.length) break;
            ch = this.next()!;
            words.addRaw(ch);
          } else words.addChar(ch);
          result += ch;
        }
      }
      if (stop !== undefined) throw new Error(`unexpected end of statement while looking for matching ${stop}`);
      return { result, words: words.done() };
    } finally {
      this.rawEscapes = saved;
    }
  }

  private singleQuote(): string {
    this.pos++;
    const close = this.src.indexOf("'", this.pos);
    if (close < 0) throw new Error('unexpected end of statement while looking for matching single-quote');
    const v = this.src.slice(this.pos, close);
    this.pos = close + 1;
    return v;
  }

  private doubleQuote(): string {
    this.pos++;
    let out = '';
    for (;;) {
      const p = this.peek();
      if (p === undefined) throw new Error('unexpected end of statement while looking for matching double-quote');
      if (p === '"') {
        this.pos++;
        return out;
      }
      if (p === '$') {
        out += this.dollar();
        continue;
      }
      let ch = this.next()!;
      if (ch === this.escape) {
        if (this.rawEscapes) out += ch;
        const n = this.peek();
        if (n === undefined) continue;
        if (n === '"' || n === '$' || n === this.escape) ch = this.next()!;
      }
      out += ch;
    }
  }

  private name(): string {
    let name = '';
    while (this.pos < this.src.length) {
      const ch = this.peek()!;
      if (name === '' && /\d/.test(ch)) {
        while (this.pos < this.src.length && /\d/.test(this.peek()!)) name += this.next();
        return name;
      }
      if (name === '' && SPECIAL.has(ch)) return this.next()!;
      if (!/[\p{L}\p{Nd}_]/u.test(ch)) break;
      name += this.next();
    }
    return name;
  }

  private dollar(): string {
    this.pos++;
    if (this.peek() !== '{') {
      const name = this.name();
      if (name === '') return '$';
      return this.lookup(name) ?? '';
    }
    this.pos++;
    const first = this.peek();
    if (first === undefined) throw new Error("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new Error('syntax error: bad substitution');
    const name = this.name();
    let ch = this.next();
    if (ch === undefined) throw new Error("syntax error: missing '}'");
    let mod = ch;
    if (ch === '}') return this.lookup(name) ?? '';
    let nullIsUnset = false;
    if (ch === ':') {
      nullIsUnset = true;
      ch = this.next();
      if (ch === undefined) throw new Error("syntax error: missing '}'");
      mod += ch;
    }
    if (this.opts.classic) {
      if (!nullIsUnset && ch !== '?') throw new Error("missing ':' in substitution");
      if (nullIsUnset && !['+', '-', '?'].includes(ch)) {
        this.word(false);
        throw new Error(`unsupported modifier (${ch}) in substitution`);
      }
    }
    if (ch === '/' && !nullIsUnset) return this.replace(name);
    if (!['+', '-', '?', '#', '%'].includes(ch)) {
      // Consume the word so that the message matches BuildKit's for `${x:=y}` and the like.
      this.word(false);
      throw new Error(`unsupported modifier (${mod}) in substitution`);
    }
    const word = this.word(ch === '#' || ch === '%');
    const value = this.lookup(name);
    const unset = value === undefined || (nullIsUnset && value === '');
    switch (ch) {
      case '-':
        return unset ? word : value!;
      case '+':
        return unset ? '' : word;
      case '?':
        if (value === undefined) throw new Error(`${name}: ${word || 'is not allowed to be unset'}`);
        if (nullIsUnset && value === '') throw new Error(`${name}: ${word || 'is not allowed to be empty'}`);
        return value;
      default: {
        let pat = word;
        const greedy = pat.startsWith(ch);
        if (greedy) pat = pat.slice(1);
        return ch === '%' ? trimSuffix(value ?? '', pat, greedy) : trimPrefix(value ?? '', pat, greedy);
      }
    }
  }

  private word(rawEscapes: boolean): string {
    try {
      return this.until('}', rawEscapes).result;
    } catch (e) {
      if (this.pos >= this.src.length) throw new Error("syntax error: missing '}'");
      throw e;
    }
  }

  private replace(name: string): string {
    const all = this.peek() === '/';
    if (all) this.pos++;
    let pattern: string;
    try {
      pattern = this.until('/', true).result;
    } catch (e) {
      if (this.pos >= this.src.length) throw new Error("syntax error: missing '/' in ${}");
      throw e;
    }
    const replacement = this.word(true);
    const value = this.lookup(name) ?? '';
    const re = patternRegex(pattern, true, all ? 'g' : '');
    return value.replace(re, () => replacement);
  }
}

/**
 * A shell pattern (`*`, `?`, `\` escapes; no bracket expressions, as BuildKit) as a regex.
 * `\}` and `\/` only protect the delimiters of `${}` and are not part of the pattern.
 */
function patternRegex(pattern: string, greedy: boolean, flags = '', anchored = false): RegExp {
  let out = anchored ? '^' : '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') out += greedy ? '[\\s\\S]*' : '[\\s\\S]*?';
    else if (ch === '?') out += '[\\s\\S]';
    else if (ch === '\\') {
      const n = pattern[i + 1];
      if (n === '}' || n === '/') continue;
      if (n !== '*' && n !== '?' && n !== '\\') throw new Error(`invalid pattern (${pattern}) in substitution: invalid escape '\\${n ?? ''}'`);
      out += '\\' + n;
      i++;
    } else out += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(anchored ? out + '$' : out, flags + 'u');
}

function trimPrefix(value: string, pattern: string, greedy: boolean): string {
  const re = patternRegex(pattern, true, '', true);
  const chars = [...value];
  for (let n = greedy ? chars.length : 0; greedy ? n >= 0 : n <= chars.length; n += greedy ? -1 : 1) {
    if (re.test(chars.slice(0, n).join(''))) return chars.slice(n).join('');
  }
  return value;
}

function trimSuffix(value: string, pattern: string, greedy: boolean): string {
  const re = patternRegex(pattern, true, '', true);
  const chars = [...value];
  for (let n = greedy ? 0 : chars.length; greedy ? n <= chars.length : n >= 0; n += greedy ? 1 : -1) {
    if (re.test(chars.slice(n).join(''))) return chars.slice(0, n).join('');
  }
  return value;
}

/** One word: variables substituted, quotes and escapes removed, inner blanks kept. */
export function expandWord(word: string, lookup: VarLookup, escape: EscapeChar = '\\', dialect: Dialect = 'buildkit'): string {
  return new Lexer(word, lookup, escape, { classic: dialect === 'classic' }).run().result;
}

/**
 * Like expandWord, then split on blanks that were neither quoted nor escaped (blanks coming
 * from a variable's value do split, as in the shell): EXPOSE ports.
 */
export function expandWords(word: string, lookup: VarLookup, escape: EscapeChar = '\\', dialect: Dialect = 'buildkit'): string[] {
  return new Lexer(word, lookup, escape, { classic: dialect === 'classic' }).run().words;
}

/** A COPY/ADD heredoc body with an unquoted delimiter: `$x` expands, quotes and escapes stay. */
export function expandHeredoc(content: string, lookup: VarLookup, escape: EscapeChar = '\\'): string {
  return new Lexer(content, lookup, escape, { rawEscapes: true, skipQuotes: true }).run().result;
}

/** `Dockerfile:7: failed to process "${x": syntax error: missing '}'` (Docker's words: without `Dockerfile:7: `). */
export function expandError(file: string, line: number, word: string, e: unknown): EngineError {
  const msg = e instanceof Error ? e.message : String(e);
  return withDockerMessage(invalidArgument(`${file}:${line}: failed to process "${word}": ${msg}`, e), `failed to process "${word}": ${msg}`);
}

/** Names a word refers to (for the build cache key: which build args an instruction uses). */
export function referencedVars(word: string, escape: EscapeChar = '\\'): Set<string> {
  const seen = new Set<string>();
  try {
    new Lexer(word, (n) => (seen.add(n), undefined), escape, {}).run();
  } catch {
    // A malformed word fails at expansion with a proper message; here only names matter.
  }
  return seen;
}
