/**
 * @module build/dockerignore
 * `.dockerignore` reading and matching with the semantics of moby/patternmatcher (and its
 * ignorefile reader), which docker build and BuildKit share:
 * - a line starting with `#` in its first column is a comment; blank lines are skipped;
 * - `!` makes an exception; patterns are path-cleaned, a leading `/` (or `./`) is dropped;
 * - `*` and `?` never cross `/`, `**` spans any number of directories (also none), `[...]` is a class,
 *   `\` escapes; the last pattern that matches decides;
 * - a path is excluded when it, or one of its parent directories, matches.
 * Written here rather than taken from npm: the packages there follow older Docker rules
 * (no parent matching) and offer no way to tell that a whole directory can be skipped.
 */
import { invalidArgument } from '../errdefs.js';

/** `<dockerfile basename>.dockerignore` wins over `.dockerignore` (e.g. `Containerfile.dockerignore`). */
export function dockerignoreCandidates(dockerfileBasename: string): string[] {
  return [`${dockerfileBasename}.dockerignore`, '.dockerignore'];
}

/** Go's path.Clean for slash-separated paths. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
    } else out.push(part);
  }
  const s = out.join('/');
  return rooted ? '/' + s : s || '.';
}

/** The patterns of a `.dockerignore`, cleaned, exceptions keeping their `!`. */
export function parseDockerignore(text: string): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (const line of lines) {
    if (line.startsWith('#')) continue;
    let p = line.trim();
    if (p === '') continue;
    const invert = p.startsWith('!');
    if (invert) p = p.slice(1).trim();
    if (p !== '') {
      p = cleanPath(p);
      if (p.length > 1 && p.startsWith('/')) p = p.slice(1);
    }
    out.push(invert ? '!' + p : p);
  }
  return out;
}

const REGEX_SPECIAL = /[.+()|{}$]/;

interface Pattern {
  source: string;
  exception: boolean;
  segments: string[];
  test: (path: string) => boolean;
}

/** Pattern → test, as patternmatcher compiles it (exact, `prefix**`, `**suffix`, or a regex). */
function compile(p: string): (path: string) => boolean {
  if (!/[*?[\]\\]/.test(p)) return (path) => path === p;
  let re = '^';
  let kind: 'exact' | 'prefix' | 'suffix' | 'regexp' = 'exact';
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    if (ch === '*') {
      if (p[i + 1] === '*') {
        const start = i;
        i++;
        if (p[i + 1] === '/') i++;
        if (i + 1 >= p.length) {
          if (kind === 'exact') kind = 'prefix';
          else {
            re += '[\\s\\S]*';
            kind = 'regexp';
          }
        } else {
          re += '(?:[\\s\\S]*/)?';
          kind = 'regexp';
        }
        if (start === 0) kind = 'suffix';
      } else {
        re += '[^/]*';
        kind = 'regexp';
      }
    } else if (ch === '?') {
      re += '[^/]';
      kind = 'regexp';
    } else if (ch === '\\') {
      if (i + 1 < p.length) {
        const n = p[++i]!;
        re += /[\^$\\.*+?()[\]{}|/]/.test(n) ? '\\' + n : n;
        kind = 'regexp';
      } else re += '\\\\';
    } else if (ch === '[' || ch === ']') {
      re += ch;
      kind = 'regexp';
    } else re += REGEX_SPECIAL.test(ch) ? '\\' + ch : ch;
  }
  if (kind === 'prefix') {
    const prefix = p.slice(0, -2);
    return (path) => path.startsWith(prefix);
  }
  if (kind === 'suffix') {
    const suffix = p.slice(2);
    return (path) => path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
  }
  if (kind === 'exact') return (path) => path === p;
  let regex: RegExp;
  try {
    regex = new RegExp(re + '$', 'u');
  } catch (e) {
    throw invalidArgument(`.dockerignore: syntax error in pattern "${p}"`, e);
  }
  return (path) => regex.test(path);
}

export class IgnoreMatcher {
  private readonly patterns: Pattern[];
  readonly hasExceptions: boolean;

  /** `patterns` as parseDockerignore returns them. Throws InvalidArgument on a malformed one. */
  constructor(patterns: string[]) {
    this.patterns = [];
    for (let p of patterns) {
      p = p.trim();
      if (p === '') continue;
      p = cleanPath(p);
      const exception = p.startsWith('!');
      if (exception) {
        if (p.length === 1) throw invalidArgument('.dockerignore: illegal exclusion pattern: "!"');
        p = p.slice(1);
      }
      this.patterns.push({ source: p, exception, segments: p.split('/'), test: compile(p) });
    }
    this.hasExceptions = this.patterns.some((p) => p.exception);
  }

  /** `relPath` is slash-separated, relative to the context root. It or a parent matching excludes it. */
  isExcluded(relPath: string): boolean {
    const file = cleanPath(relPath);
    if (file === '.' || this.patterns.length === 0) return false;
    const parts = file.split('/');
    const parents = parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
    let matched = false;
    for (const p of this.patterns) {
      if (p.exception !== matched) continue;
      if (p.test(file) || parents.some((d) => p.test(d))) matched = !p.exception;
    }
    return matched;
  }

  /**
   * True when `relDir` is excluded and no exception could re-include anything below it, so a
   * context walk need not descend. Conservative: when unsure (`**`, deeper wildcards) it says no.
   */
  canSkipDir(relDir: string): boolean {
    if (!this.isExcluded(relDir)) return false;
    if (!this.hasExceptions) return true;
    const dir = cleanPath(relDir).split('/');
    return !this.patterns.some((p) => p.exception && couldMatchBelow(p.segments, dir));
  }
}

/** Could a pattern with these segments match some path strictly inside `dir`? */
function couldMatchBelow(segments: string[], dir: string[]): boolean {
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (seg.includes('**')) return true;
    if (i >= dir.length) return true;
    if (!compile(seg)(dir[i]!)) return false;
  }
  return false;
}
