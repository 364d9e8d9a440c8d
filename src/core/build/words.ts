/**
 * @module build/words
 * The lexical helpers of the Dockerfile parser, each mirroring one of BuildKit's quirks
 * (frontend/dockerfile/parser) so that files parse as `docker build` parses them.
 */
import type { EscapeChar } from './ast.js';

/** Thrown by the helpers; the parser prefixes `file:line: ` and turns it into an EngineError. */
export class LineError extends Error {}

const isSpace = (ch: string) => /\s/u.test(ch);

/** Instruction word and the rest; the word ends at the first run of blanks (not newlines). */
export function splitInstruction(line: string): { cmd: string; rest: string } {
  const t = line.trim();
  const m = /[\t\v\f\r ]+/.exec(t);
  if (!m) return { cmd: t, rest: '' };
  return { cmd: t.slice(0, m.index), rest: t.slice(m.index + m[0].length) };
}

/**
 * Leading `--flag[=value]` words. Quotes are removed and `\` escapes the next character
 * (always backslash here, whatever the escape directive says); a bare `--` ends the flags.
 */
export function extractFlags(line: string): { flags: string[]; rest: string } {
  const flags: string[] = [];
  let i = 0;
  for (;;) {
    while (i < line.length && isSpace(line[i]!)) i++;
    if (i >= line.length) return { flags, rest: '' };
    if (!line.startsWith('--', i)) return { flags, rest: line.slice(i).trim() };
    let word = '';
    let quote = '';
    let blankOk = false;
    for (; i < line.length; i++) {
      const ch = line[i]!;
      if (quote) {
        if (ch === quote) quote = '';
        else if (ch === '\\' && i + 1 < line.length) word += line[++i];
        else if (ch !== '\\') word += ch;
        continue;
      }
      if (isSpace(ch)) break;
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOk = true;
      } else if (ch === '\\') {
        if (i + 1 < line.length) word += line[++i];
      } else word += ch;
    }
    if (word === '--') return { flags, rest: line.slice(i).trim() };
    if (blankOk || word) flags.push(word);
  }
}

/**
 * Words for ENV, LABEL and ARG: split on unquoted blanks, keeping quotes and escapes as
 * written (they are removed later, by variable expansion). An escape at the very end is dropped.
 */
export function parseWords(rest: string, escape: EscapeChar): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote = '';
  let blankOk = false;
  const chars = [...rest];
  for (let i = 0; i < chars.length; i++) {
    let ch = chars[i]!;
    if (!inWord) {
      if (isSpace(ch)) continue;
      inWord = true;
    }
    if (!quote) {
      if (isSpace(ch)) {
        if (blankOk || word) words.push(word);
        word = '';
        blankOk = false;
        inWord = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOk = true;
      }
      if (ch === escape) {
        if (i + 1 === chars.length) continue;
        word += ch;
        ch = chars[++i]!;
      }
      word += ch;
      continue;
    }
    if (ch === quote) quote = '';
    if (ch === escape && quote !== "'") {
      if (i + 1 === chars.length) {
        quote = '';
        continue;
      }
      word += ch;
      ch = chars[++i]!;
    }
    word += ch;
  }
  if (inWord && (blankOk || word)) words.push(word);
  return words;
}

/** Whitespace-delimited words, no quote handling (FROM, EXPOSE, shell-form COPY/ADD/VOLUME). */
export function splitWhitespace(rest: string): string[] {
  return rest === '' ? [] : rest.split(/[\t\v\f\r ]+/);
}

/**
 * The exec form: a JSON array of strings at the start of `rest`. Like Go's json.Decoder,
 * anything after the closing bracket is ignored (`RUN ["ls"],` is exec form).
 * Returns undefined when it is not valid JSON (the caller falls back to shell form) and
 * throws when it is valid JSON but not only strings.
 */
export function parseJsonArray(rest: string): string[] | undefined {
  const s = rest.trimStart();
  if (!s.startsWith('[')) return undefined;
  const end = jsonValueEnd(s);
  if (end < 0) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(s.slice(0, end));
  } catch {
    return undefined;
  }
  if (!Array.isArray(v)) return undefined;
  if (!v.every((x) => typeof x === 'string')) {
    throw new LineError('when using JSON array syntax, arrays must be comprised of strings only');
  }
  return v as string[];
}

/** Index just past the JSON value opening at 0, or -1 if it never closes. */
function jsonValueEnd(s: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * Shell-like words of a line with quotes and backslash escapes kept raw, as BuildKit's
 * lexer does when it looks for heredoc markers (`<<EOF`, `<<-"EOF"`, `2<<EOF`).
 */
export function rawShellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'" || ch === '"') {
      const close = closingQuote(line, i);
      // BuildKit's lexer fails on an open quote and then finds no heredoc at all.
      if (close < 0) return [];
      const end = close + 1;
      word += line.slice(i, end);
      inWord = true;
      i = end - 1;
    } else if (ch === '\\') {
      word += line.slice(i, i + 2);
      inWord = true;
      i++;
    } else if (isSpace(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Index of the quote closing the one at `open`; inside double quotes a backslash escapes. */
function closingQuote(s: string, open: number): number {
  const q = s[open];
  for (let i = open + 1; i < s.length; i++) {
    if (s[i] === q) return i;
    if (q === '"' && s[i] === '\\') i++;
  }
  return -1;
}

export interface HeredocMarker {
  name: string;
  chomp: boolean;
  expand: boolean;
}

/**
 * `<<EOF`, `<<-EOF`, `<<'EOF'`, `<<"E"OF`, `3<<EOF`: any quoting of the delimiter turns
 * expansion off. Undefined when the word is not a heredoc marker.
 */
export function parseHeredocMarker(word: string): HeredocMarker | undefined {
  const m = /^(\d*)<<(-?)([^<]*)$/.exec(word);
  if (!m || m[3] === '') return undefined;
  const raw = m[3]!;
  let name = '';
  let quoted = false;
  let words = 0;
  let inWord = false;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === "'" || ch === '"') {
      const close = raw.indexOf(ch, i + 1);
      if (close < 0) throw new LineError(`unexpected end of statement while looking for matching ${ch === '"' ? 'double' : 'single'}-quote`);
      name += raw.slice(i + 1, close);
      quoted = true;
      if (!inWord) words++;
      inWord = true;
      i = close;
    } else if (ch === '\\') {
      if (i + 1 < raw.length) name += raw[++i];
      if (!inWord) words++;
      inWord = true;
    } else if (isSpace(ch)) {
      inWord = false;
    } else {
      name += ch;
      if (!inWord) words++;
      inWord = true;
    }
  }
  if (words !== 1 || name === '') return undefined;
  return { name, chomp: m[2] === '-', expand: !quoted };
}
