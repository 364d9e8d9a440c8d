/** Type checks for JSON request bodies: a wrong type is the client's error (400), never a crash. */
import { invalidArgument } from '../core/errdefs.js';

export type Json = Record<string, unknown>;

export function asObject(v: unknown, what: string): Json {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidArgument(`${what}: expected an object`);
  return v as Json;
}

export function optString(o: Json, key: string, what = key): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidArgument(`${what}: expected a string, got ${typeof v}`);
  return v;
}

export function optBool(o: Json, key: string, what = key): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw invalidArgument(`${what}: expected a boolean, got ${typeof v}`);
  return v;
}

export function optStringMap(o: Json, key: string, what = key): Record<string, string> | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  const m = asObject(v, what);
  for (const [k, x] of Object.entries(m)) if (typeof x !== 'string') throw invalidArgument(`${what}.${k}: expected a string`);
  return m as Record<string, string>;
}

export function optStringArray(o: Json, key: string, what = key): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalidArgument(`${what}: expected an array of strings`);
  return v as string[];
}

/** The request body as an object: `{}` when empty, 400 when it is JSON of another kind. */
export function bodyObject(v: unknown): Json {
  return asObject(v, 'request body');
}
