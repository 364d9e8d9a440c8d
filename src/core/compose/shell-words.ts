/**
 * @module compose/shell-words
 * A `command:`/`entrypoint:` string into argv, as compose-go does with go-shellwords: words split
 * on blanks, single quotes literal, double quotes with `\"` `\\` `\$` escapes, a backslash outside
 * quotes escaping the next character; no variable or glob expansion (interpolation already ran).
 */
import { invalidArgument } from '../errdefs.js';

export function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) word += line[++i];
      else word += c;
      continue;
    }
    if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw invalidArgument(`invalid command line string: ${line}`);
  if (inWord) words.push(word);
  return words;
}
