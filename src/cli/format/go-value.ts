/**
 * @module go-value
 * How a JavaScript value looks through Go's eyes in templates: its kind, its type name in
 * messages, its truth, its map entries. `undefined` stands for Go's invalid value (a missing
 * map key, printed `<no value>`), `null` for nil.
 */

export type GoKind = 'invalid' | 'nil' | 'bool' | 'int' | 'float' | 'string' | 'slice' | 'map' | 'struct' | 'func';

let taggedMaps: WeakSet<object> | undefined;

/**
 * Marks a plain object as a Go map, so a missing key reads as `<no value>` rather than an
 * error even when every key happens to be capitalised (labels such as `{ Maintainer: … }`).
 */
export function goMap<T extends object>(o: T): T {
  (taggedMaps ??= new WeakSet()).add(o);
  return o;
}

export function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Go tells maps from structs by type; JavaScript cannot, so a plain object counts as a struct
 * when every key is an exported (capitalised) Go name, as docker's context objects are, and
 * as a map otherwise (labels, options: lowercase or dotted keys). Class instances are structs.
 */
export function isStructLike(v: object): boolean {
  if (v instanceof Map || taggedMaps?.has(v)) return false;
  if (!isPlainObject(v)) return true;
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => /^\p{Lu}/u.test(k));
}

export function isList(v: unknown): v is readonly unknown[] | Set<unknown> | ArrayBufferView {
  return Array.isArray(v) || v instanceof Set || ArrayBuffer.isView(v);
}

export function listItems(v: readonly unknown[] | Set<unknown> | ArrayBufferView): unknown[] {
  if (Array.isArray(v)) return v;
  if (v instanceof Set) return [...v];
  if (v instanceof DataView) return [...new Uint8Array(v.buffer, v.byteOffset, v.byteLength)];
  return Array.from(v as unknown as ArrayLike<number | bigint>);
}

/** An integral number inside int64's range reads as a Go int; anything else is a float64. */
export function isGoInt(n: number): boolean {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 63;
}

export function kindOf(v: unknown): GoKind {
  switch (typeof v) {
    case 'undefined':
      return 'invalid';
    case 'boolean':
      return 'bool';
    case 'number':
      return isGoInt(v) ? 'int' : 'float';
    case 'bigint':
      return 'int';
    case 'string':
      return 'string';
    case 'function':
      return 'func';
    default:
      if (v === null) return 'nil';
      if (isList(v)) return 'slice';
      return isStructLike(v as object) ? 'struct' : 'map';
  }
}

/** Go's reflect type string, close enough for error messages and %T. */
export function goTypeName(v: unknown): string {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return '<nil>';
    case 'bool':
      return 'bool';
    case 'int':
      return 'int';
    case 'float':
      return 'float64';
    case 'string':
      return 'string';
    case 'func':
      return 'func';
    case 'slice':
      return Array.isArray(v) && v.length > 0 && v.every((e) => typeof e === 'string') ? '[]string' : '[]interface {}';
    case 'map':
      return 'map[string]interface {}';
    case 'struct': {
      if (v instanceof Date) return 'time.Time';
      const name = (v as object).constructor?.name;
      return name && name !== 'Object' ? `*${name}` : 'struct';
    }
  }
}

/** Go's text/template truth: empty values are false, structs are always true. */
export function isTrue(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return false;
    case 'bool':
      return v as boolean;
    case 'int':
    case 'float':
      return typeof v === 'bigint' ? v !== 0n : v !== 0 && !Number.isNaN(v);
    case 'string':
      return (v as string).length > 0;
    case 'slice':
      return listItems(v as unknown[]).length > 0;
    case 'map':
      return mapSize(v as object) > 0;
    default:
      return true;
  }
}

export function mapSize(v: object): number {
  return v instanceof Map ? v.size : Object.keys(v).length;
}

/** Go orders map keys: numbers numerically, strings bytewise (UTF-16 order is close enough). */
export function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Entries of a map-like value in Go's iteration order (sorted keys). */
export function mapEntries(v: object): [unknown, unknown][] {
  const entries: [unknown, unknown][] =
    v instanceof Map ? [...(v as Map<unknown, unknown>).entries()] : Object.entries(v);
  return entries.sort((x, y) => compareKeys(x[0], y[0]));
}

/** Looks a key up in a map-like value; undefined when absent. */
export function mapGet(v: object, key: unknown): unknown {
  if (v instanceof Map) return (v as Map<unknown, unknown>).get(key);
  const k = String(key);
  return Object.hasOwn(v, k) ? (v as Record<string, unknown>)[k] : undefined;
}

/**
 * A named member of an object: own properties for plain objects, anything up the prototype
 * chain (getters, methods) for class instances, never Object.prototype's own methods.
 */
export function memberOf(v: object, name: string): { found: boolean; value: unknown } {
  if (v instanceof Map) {
    return (v as Map<unknown, unknown>).has(name)
      ? { found: true, value: (v as Map<unknown, unknown>).get(name) }
      : { found: false, value: undefined };
  }
  for (let o: object | null = v; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    if (Object.hasOwn(o, name)) return { found: true, value: (v as Record<string, unknown>)[name] };
  }
  return { found: false, value: undefined };
}

/** Byte length of a string in UTF-8, which is what Go's len and slice count. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
