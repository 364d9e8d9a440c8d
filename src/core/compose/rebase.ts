/**
 * @module compose/rebase
 * Relative paths of a service or a whole document made absolute against the directory they
 * were written for: a service `extends`'d from another file is read relative to that file,
 * and an included project relative to its own project directory (docs "extends", "include");
 * what comes from `-f` files stays relative, to the project directory, until normalisation.
 */
import { isPlainObject } from './interpolate.js';
import { resolvePath } from './normalize.js';
import { isPathSource } from './short-syntax.js';

type Dict = Record<string, unknown>;

export function rebaseService(s: Dict, dir: string, home?: string): Dict {
  const out: Dict = { ...s };
  const abs = (p: string) => resolvePath(p, dir, home);
  if (typeof s.build === 'string') out.build = isRemote(s.build) ? s.build : abs(s.build);
  else if (isPlainObject(s.build)) {
    const ctx = typeof s.build.context === 'string' ? s.build.context : '.';
    out.build = { ...s.build, context: isRemote(ctx) ? ctx : abs(ctx) };
  }
  if (Array.isArray(s.volumes)) {
    out.volumes = s.volumes.map((v) => {
      if (typeof v === 'string') {
        const [src, ...rest] = v.split(':');
        return rest.length && src && isPathSource(src) ? [abs(src), ...rest].join(':') : v;
      }
      if (isPlainObject(v) && v.type === 'bind' && typeof v.source === 'string') return { ...v, source: abs(v.source) };
      return v;
    });
  }
  for (const k of ['env_file', 'label_file']) {
    const v = s[k];
    if (v === undefined) continue;
    const list = Array.isArray(v) ? v : [v];
    out[k] = list.map((e) => (typeof e === 'string' ? abs(e) : isPlainObject(e) && typeof e.path === 'string' ? { ...e, path: abs(e.path) } : e));
  }
  if (isPlainObject(s.extends) && typeof s.extends.file === 'string') out.extends = { ...s.extends, file: abs(s.extends.file) };
  return out;
}

export function rebaseDocument(doc: Dict, dir: string, home?: string): Dict {
  const out: Dict = { ...doc };
  if (isPlainObject(doc.services)) {
    out.services = Object.fromEntries(Object.entries(doc.services).map(([n, s]) => [n, isPlainObject(s) ? rebaseService(s, dir, home) : s]));
  }
  for (const kind of ['secrets', 'configs']) {
    const section = doc[kind];
    if (!isPlainObject(section)) continue;
    out[kind] = Object.fromEntries(
      Object.entries(section).map(([n, o]) => [n, isPlainObject(o) && typeof o.file === 'string' ? { ...o, file: resolvePath(o.file, dir, home) } : o]),
    );
  }
  return out;
}

const isRemote = (c: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(c) || c.startsWith('git@') || c.startsWith('github.com/');
