/**
 * @module compose/dotenv
 * `.env` files as Docker Compose v2 reads them (compose-go's `dotenv`, Docker docs "Use an
 * environment file"): `KEY=VALUE`, `export KEY=VALUE`, `KEY: VALUE`; `#` comment lines and
 * ` #` inline comments after unquoted values; single quotes literal; double quotes with
 * `\n \t \r \\ \" \$` escapes; quoted values may span lines; unquoted and double-quoted values
 * are interpolated (the OS environment first, then the file's earlier keys); a bare `KEY`
 * takes its value from the OS environment, and is left out when that has none.
 */
import { invalidArgument } from '../errdefs.js';
import { interpolate, type Lookup } from './interpolate.js';

export function parseDotenv(text: string, osLookup: Lookup, fileName = '.env'): Record<string, string> {
  const vars: Record<string, string> = {};
  const lookup: Lookup = (k) => osLookup(k) ?? vars[k];
  const src = text.replace(/\r\n?/g, '\n');
  let i = 0;
  let line = 1;
  const fail = (msg: string) => invalidArgument(`failed to read ${fileName}: line ${line}: ${msg}`);
  while (i < src.length) {
    const eol = src.indexOf('\n', i) < 0 ? src.length : src.indexOf('\n', i);
    const raw = src.slice(i, eol);
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      i = eol + 1;
      line++;
      continue;
    }
    const body = trimmed.replace(/^export\s+/, '');
    const sep = /[=:]/.exec(body);
    if (!sep) {
      if (!/^[\w.-]+$/.test(body)) throw fail(`unexpected character in variable name "${body}"`);
      const v = osLookup(body);
      if (v !== undefined) vars[body] = v;
      i = eol + 1;
      line++;
      continue;
    }
    const key = body.slice(0, sep.index).trim();
    if (!/^[\w.-]+$/.test(key)) throw fail(`unexpected character in variable name "${key}"`);
    // The value starts after the separator in the source text (it may run past this line).
    const valueStart = i + raw.indexOf(body) + sep.index + 1;
    let j = valueStart;
    while (src[j] === ' ' || src[j] === '\t') j++;
    const q = src[j];
    if (q === "'" || q === '"') {
      let k = j + 1;
      let value = '';
      for (; k < src.length; k++) {
        const c = src[k]!;
        if (c === q) break;
        if (q === '"' && c === '\\' && k + 1 < src.length) {
          const e = src[++k]!;
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === '$' ? '$$' : e;
          continue;
        }
        if (c === '\n') line++;
        value += c;
      }
      if (k >= src.length) throw fail(`unterminated quoted value for ${key}`);
      vars[key] = q === '"' ? interpolate(value, { lookup }) : value;
      const after = src.indexOf('\n', k) < 0 ? src.length : src.indexOf('\n', k);
      i = after + 1;
      line++;
      continue;
    }
    let value = src.slice(j, eol);
    const comment = /\s#/.exec(value);
    if (comment) value = value.slice(0, comment.index);
    vars[key] = interpolate(value.trim(), { lookup });
    i = eol + 1;
    line++;
  }
  return vars;
}
