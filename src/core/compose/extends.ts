/**
 * @module compose/extends
 * `extends` (docs "Extend your Compose files"): a service starts from another service of the
 * same file or of another file (`extends: {file, service}`), then its own attributes are merged
 * over by the merge rules. Chains are followed; a cycle is an error. A base from another file
 * has its relative paths made relative to that file.
 */
import { posix } from 'node:path';
import { invalidArgument } from '../errdefs.js';
import { isPlainObject } from './interpolate.js';
import { mergeDocs } from './merge.js';
import { rebaseService } from './rebase.js';

type Dict = Record<string, unknown>;

/** Loads another Compose file for `extends.file`: interpolated and validated, includes applied. */
export type LoadOther = (path: string) => Dict;

export function applyExtends(doc: Dict, file: string, loadOther: LoadOther, home?: string): Dict {
  if (!isPlainObject(doc.services)) return doc;
  const resolved: Dict = {};
  const cache = new Map<string, Dict>([[file, doc]]);
  const docOf = (path: string) => {
    let d = cache.get(path);
    if (!d) cache.set(path, (d = loadOther(path)));
    return d;
  };
  for (const name of Object.keys(doc.services)) resolved[name] = resolveService(file, name, docOf, [], home);
  return { ...doc, services: resolved };
}

function resolveService(file: string, name: string, docOf: (path: string) => Dict, chain: string[], home?: string): Dict {
  const key = `${file}#${name}`;
  if (chain.includes(key)) throw invalidArgument(`Circular reference with extends: ${[...chain, key].map((k) => k.split('#')[1]).join(' -> ')}`);
  const services = (docOf(file).services ?? {}) as Record<string, Dict | null>;
  const service = services[name] ?? {};
  const ext = service.extends;
  if (ext === undefined) return service;
  const { extends: _ext, ...own } = service;
  const ref = typeof ext === 'string' ? { service: ext } : (ext as { service: string; file?: string });
  const baseFile = ref.file ? posix.resolve(posix.dirname(file), ref.file) : file;
  const baseServices = (docOf(baseFile).services ?? {}) as Record<string, unknown>;
  if (!(ref.service in baseServices)) {
    throw invalidArgument(`cannot extend service "${name}" in ${file}: service "${ref.service}" not found in ${baseFile}`);
  }
  let base = resolveService(baseFile, ref.service, docOf, [...chain, key], home);
  if (baseFile !== file) base = rebaseService(base, posix.dirname(baseFile), home);
  const merged = mergeDocs({ services: { [name]: base } }, { services: { [name]: own } });
  return (merged.services as Record<string, Dict>)[name]!;
}
