/**
 * @module build/mount
 * `RUN --mount=type=cache,target=/root/.cache,sharing=locked`: the CSV, its keys and defaults
 * as BuildKit reads them. Values may hold `$VAR`: the parser only checks the shape; the builder
 * parses again with an expander once ARG/ENV values are known.
 */
import type { MountSpec } from './ast.js';
import { LineError } from './words.js';

const TYPES = new Set(['bind', 'cache', 'tmpfs', 'secret', 'ssh']);
const SHARING = new Set(['shared', 'private', 'locked']);

/** One CSV record as Go's encoding/csv reads it: `"` quotes a field, `""` is a literal quote. */
export function parseCsvRecord(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (s[i] === '"') {
      i++;
      for (;;) {
        if (i >= s.length) throw new LineError(`failed to parse csv mounts: extraneous or missing " in quoted-field`);
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += s[i++];
      }
      if (i < s.length && s[i] !== ',') throw new LineError(`failed to parse csv mounts: extraneous or missing " in quoted-field`);
    } else {
      const end = s.indexOf(',', i);
      field = s.slice(i, end < 0 ? s.length : end);
      if (field.includes('"')) throw new LineError(`failed to parse csv mounts: bare " in non-quoted-field`);
      i = end < 0 ? s.length : end;
    }
    out.push(field);
    if (i >= s.length) return out;
    i++; // the comma
  }
}

function uint(value: string, key: string, radix: number): number {
  const ok = radix === 8 ? /^[0-7]+$/.test(value) : /^\d+$/.test(value);
  const n = parseInt(value, radix);
  if (!ok || n > 0xffffffff) throw new LineError(`invalid value ${value} for ${key}`);
  return n;
}

function bool(value: string, key: string): boolean {
  if (/^(1|t|true)$/i.test(value)) return true;
  if (/^(0|f|false)$/i.test(value)) return false;
  throw new LineError(`invalid value for ${key}: ${value}`);
}

/** docker/go-units RAMInBytes: `64m`, `1.5g`, `512kb`, plain bytes. */
function ramInBytes(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$/i.exec(value);
  if (!m) throw new LineError(`invalid value for size: ${value}`);
  const pow = ' kmgtp'.indexOf((m[2] || ' ').toLowerCase());
  return Math.trunc(Number(m[1]) * 1024 ** pow);
}

/**
 * With `expand`, every value is substituted first and the result fully checked. Without it
 * (parse time) values holding `$` are kept as written and not checked, except `from`, which
 * BuildKit never expands.
 */
export function parseMount(raw: string, expand?: (word: string) => string): MountSpec {
  const m: MountSpec = { raw, type: 'bind', readonly: false, required: false };
  let roAuto = true;
  for (const field of parseCsvRecord(raw)) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro') {
        m.readonly = true;
        roAuto = false;
      } else if (key === 'readwrite' || key === 'rw') {
        m.readonly = false;
        roAuto = false;
      } else if (key === 'required') {
        if (m.type !== 'secret' && m.type !== 'ssh') throw new LineError(`unexpected key '${key}' for mount type '${m.type}'`);
        m.required = true;
      } else throw new LineError(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    let value = field.slice(eq + 1);
    if (key === 'from' && /\$./.test(value)) {
      throw new LineError(`'from' doesn't support variable expansion, define alias stage instead`);
    }
    if (expand) value = expand(value);
    else if (value.includes('$')) {
      if (['source', 'src', 'target', 'dst', 'destination', 'id', 'env'].includes(key)) setString(m, key, value);
      continue;
    }
    switch (key) {
      case 'type': {
        const t = value.toLowerCase();
        if (!TYPES.has(t)) throw new LineError(`unsupported mount type "${value}"`);
        m.type = t as MountSpec['type'];
        break;
      }
      case 'readonly':
      case 'ro':
        m.readonly = bool(value, key);
        roAuto = false;
        break;
      case 'readwrite':
      case 'rw':
        m.readonly = !bool(value, key);
        roAuto = false;
        break;
      case 'required':
        if (m.type !== 'secret' && m.type !== 'ssh') throw new LineError(`unexpected key '${key}' for mount type '${m.type}'`);
        m.required = bool(value, key);
        break;
      case 'size':
        if (m.type !== 'tmpfs') throw new LineError(`unexpected key '${key}' for mount type '${m.type}'`);
        m.size = ramInBytes(value);
        break;
      case 'sharing': {
        const s = value.toLowerCase();
        if (!SHARING.has(s)) throw new LineError(`unsupported sharing value "${value}"`);
        m.sharing = s as MountSpec['sharing'];
        break;
      }
      case 'mode':
        m.mode = uint(value, 'mode', 8);
        break;
      case 'uid':
        m.uid = uint(value, 'uid', 10);
        break;
      case 'gid':
        m.gid = uint(value, 'gid', 10);
        break;
      case 'from':
      case 'source':
      case 'src':
      case 'target':
      case 'dst':
      case 'destination':
      case 'id':
      case 'env':
        setString(m, key, value);
        break;
      default:
        throw new LineError(`unexpected key '${key}' in '${field}'`);
    }
  }
  validate(m, roAuto);
  return m;
}

function setString(m: MountSpec, key: string, value: string): void {
  if (key === 'from') m.from = value;
  else if (key === 'source' || key === 'src') m.source = value;
  else if (key === 'id') m.id = value;
  else if (key === 'env') m.env = value;
  else m.target = value;
}

function validate(m: MountSpec, roAuto: boolean): void {
  const fileInfo = m.type === 'secret' || m.type === 'ssh' || m.type === 'cache';
  if (!fileInfo) {
    for (const k of ['mode', 'uid', 'gid'] as const) {
      if (m[k] !== undefined) throw new LineError(`${k} not allowed for "${m.type}" type mounts`);
    }
  }
  if (roAuto) m.readonly = !(m.type === 'cache' || m.type === 'tmpfs');
  if (m.type === 'secret') {
    if (m.from !== undefined) throw new LineError('secret mount should not have a from');
    if (m.sharing !== undefined) throw new LineError('secret mount should not define sharing');
    if (m.source === undefined && m.target === undefined && m.id === undefined && m.env === undefined) {
      throw new LineError('invalid secret mount. one of source, target required');
    }
    if (m.source !== undefined && m.id !== undefined) throw new LineError("both source and id can't be set");
  }
  if (m.sharing !== undefined && m.type !== 'cache') throw new LineError(`invalid cache sharing set for ${m.type} mount`);
  if (m.type === 'bind' || m.type === 'cache' || m.type === 'tmpfs') {
    if (m.target === undefined) throw new LineError('mount target is required');
  }
}
