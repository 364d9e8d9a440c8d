/**
 * @module build/parser
 * Dockerfile/Containerfile text → typed AST (./ast.ts). Pure: no fs, no processes.
 *
 * The line rules are BuildKit's (frontend/dockerfile/parser/parser.go), which is what
 * `docker build` does where Buildah differs:
 * - parser directives (`# syntax=`, `# escape=`, `# check=`, any case) are read only until the
 *   first line that is not one: an instruction, a blank line or any other comment ends them;
 * - the escape character at the end of a line continues the instruction on the next line;
 *   comment lines and blank lines inside a continuation are skipped (blank ones with a warning);
 *   an escape at the very end of the file simply ends the instruction;
 * - comments are whole lines starting with `#` (after blanks); `#` elsewhere is text;
 * - after a RUN/COPY/ADD line, the bodies of its heredocs follow, one per marker, in order.
 */
import { invalidArgument } from '../errdefs.js';
import { withDockerMessage } from './docker-words.js';
import type {
  ArgInstruction,
  Directives,
  Dockerfile,
  EscapeChar,
  Instruction,
  ParseOptions,
  ParseWarning,
  Stage,
} from './ast.js';
import { parseInstruction, takesHeredocs, type ReadHeredoc } from './instructions.js';
import { LineError, parseHeredocMarker, rawShellWords } from './words.js';

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check']);

class DirectiveReader {
  done = false;
  readonly values: Directives = { escape: '\\' };
  private seen = new Set<string>();
  private continuation = continuationRegex('\\');

  /** Called on every line until the first that is not a directive. */
  feed(line: string): void {
    if (this.done) return;
    const m = DIRECTIVE.exec(line);
    const key = m?.[1]!.toLowerCase();
    if (!m || !key || !KNOWN_DIRECTIVES.has(key)) {
      this.done = true;
      return;
    }
    if (this.seen.has(key)) throw new LineError(`only one ${key} parser directive can be used`);
    this.seen.add(key);
    const value = m[2]!;
    if (key === 'escape') {
      if (value !== '`' && value !== '\\') throw new LineError(`invalid escape token '${value}' does not match \` or \\`);
      this.values.escape = value;
      this.continuation = continuationRegex(value);
    } else if (key === 'syntax') this.values.syntax = value;
    else this.values.check = value;
  }

  /** Removes a trailing escape (and blanks after it); `ended` is false when the line continues. */
  trimContinuation(line: string): { text: string; ended: boolean } {
    if (!this.continuation.test(line)) return { text: line, ended: true };
    return { text: line.replace(this.continuation, '$1'), ended: false };
  }
}

/** An escape not itself escaped, then only blanks, at the end of the line (or alone on it). */
function continuationRegex(escape: EscapeChar): RegExp {
  const e = escape === '\\' ? '\\\\' : '`';
  return new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
}

const trimNewline = (s: string) => s.replace(/[\r\n]+$/, '');
const isComment = (raw: string) => /^\s*#/.test(trimNewline(raw));
const isBlank = (s: string) => /^\s*$/.test(s);

/** Throws EngineError InvalidArgument `Dockerfile:<line>: <what>`. */
export function parseDockerfile(text: string, opts: ParseOptions = {}): Dockerfile {
  const file = opts.filename ?? 'Dockerfile';
  const fail = (line: number, e: unknown) => {
    if (e instanceof LineError) return withDockerMessage(invalidArgument(`${file}:${line}: ${e.message}`), `dockerfile parse error line ${line}: ${e.message}`);
    return e;
  };
  const lines = text.replace(/^\uFEFF/, '').split(/(?<=\n)/).filter((l) => l !== '');
  const d = new DirectiveReader();
  const warnings: ParseWarning[] = [];
  const parsed: Instruction[] = [];

  // Strips the newline, optionally leading blanks, and empties comment lines; feeds directives.
  const processLine = (raw: string, lineNo: number, stripLeft: boolean): string => {
    let t = trimNewline(raw);
    if (stripLeft) t = t.replace(/^\s+/, '');
    try {
      d.feed(t);
    } catch (e) {
      throw fail(lineNo, e);
    }
    return t.startsWith('#') ? '' : t;
  };

  let i = 0;
  while (i < lines.length) {
    const startLine = i + 1;
    let { text: line, ended } = d.trimContinuation(processLine(lines[i]!, startLine, true));
    i++;
    if (ended && line === '') continue;
    let emptyContinuation = false;
    while (!ended && i < lines.length) {
      const raw = lines[i]!;
      const t = processLine(raw, i + 1, false);
      i++;
      if (isComment(raw)) continue;
      if (isBlank(t)) {
        emptyContinuation = true;
        continue;
      }
      const r = d.trimContinuation(t);
      line += r.text;
      ended = r.ended;
    }
    if (emptyContinuation) warnings.push({ line: startLine, message: `Empty continuation line found in: ${line.trim()}` });

    const heredocs: ReadHeredoc[] = [];
    if (takesHeredocs(line)) {
      let markers;
      try {
        markers = rawShellWords(line).map(parseHeredocMarker).filter((m) => m !== undefined);
      } catch (e) {
        throw fail(startLine, e);
      }
      for (const marker of markers) {
        let rawContent = '';
        let terminated = false;
        while (i < lines.length) {
          const raw = lines[i++]!;
          let candidate = trimNewline(raw);
          if (marker.chomp) candidate = candidate.replace(/^\t+/, '');
          if (candidate === marker.name) {
            terminated = true;
            break;
          }
          rawContent += raw;
        }
        if (!terminated) throw invalidArgument(`${file}:${startLine}: unterminated heredoc`);
        const content = marker.chomp ? rawContent.replace(/^\t+/gm, '') : rawContent;
        heredocs.push({ ...marker, content, rawContent });
      }
    }

    try {
      parsed.push(parseInstruction({ text: line, line: startLine, endLine: i, escape: d.values.escape, heredocs }));
    } catch (e) {
      throw fail(startLine, e);
    }
  }

  return { directives: d.values, ...assembleStages(parsed, file, lines.length), warnings };
}

function assembleStages(parsed: Instruction[], file: string, lastLine: number): Pick<Dockerfile, 'globalArgs' | 'stages'> {
  if (parsed.length === 0) throw invalidArgument(`${file}:${Math.max(lastLine, 1)}: file with no instructions`);
  const globalArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  const names = new Set<string>();
  for (const ins of parsed) {
    if (ins.kind === 'FROM') {
      const name = ins.as?.toLowerCase();
      if (name !== undefined) {
        if (names.has(name)) throw invalidArgument(`${file}:${ins.line}: duplicate stage name "${name}"`);
        names.add(name);
      }
      stages.push({ index: stages.length, name, from: ins, instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1]!.instructions.push(ins);
    } else if (ins.kind === 'ARG') {
      globalArgs.push(ins);
    } else {
      throw invalidArgument(`${file}:${ins.line}: no build stage in current context`);
    }
  }
  if (stages.length === 0) throw invalidArgument(`${file}:${parsed[0]!.line}: dockerfile contains no stages to build`);
  return { globalArgs, stages };
}
