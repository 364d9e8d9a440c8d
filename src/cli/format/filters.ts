/**
 * @module filters
 * `--filter key=value` as docker parses and checks it (docker/cli opts.FilterOpt and the
 * daemon's filters.Args): keys are trimmed and lower-cased, values trimmed, repeats of a
 * key accumulate, and a key the verb does not know is an invalid argument. The match
 * helpers are the filters.Args methods that images, ps and volume ls share.
 */

import { invalidArgument } from '../../core/errdefs.js';

/** Filter key → its values, in the order given, without repeats. */
export type Filters = Map<string, string[]>;

/**
 * Parses repeated `--filter` values. With `allowed`, a key outside it throws
 * `invalid filter 'foo'`; a value without `=` throws docker's "bad format" error.
 */
export function parseFilters(args: readonly string[] | undefined, allowed?: readonly string[]): Filters {
  const filters: Filters = new Map();
  for (const arg of args ?? []) {
    if (arg === '') continue;
    const eq = arg.indexOf('=');
    if (eq < 0) throw invalidArgument('bad format of filter (expected name=value)');
    const name = arg.slice(0, eq).trim().toLowerCase();
    const value = arg.slice(eq + 1).trim();
    const values = filters.get(name);
    if (!values) filters.set(name, [value]);
    else if (!values.includes(value)) values.push(value);
  }
  if (allowed) validateFilters(filters, allowed);
  return filters;
}

/** filters.Args.Validate: every key must be one the verb accepts. */
export function validateFilters(filters: Filters, allowed: readonly string[]): void {
  for (const name of filters.keys()) {
    if (!allowed.includes(name)) throw invalidArgument(`invalid filter '${name}'`);
  }
}

/** The values of a key; empty when the key was not given. */
export function filterValues(filters: Filters, key: string): string[] {
  return filters.get(key) ?? [];
}

/** filters.Args.ExactMatch: no filter on the key, or one of its values equals `source`. */
export function exactMatch(filters: Filters, key: string, source: string): boolean {
  const values = filters.get(key);
  return !values || values.length === 0 || values.includes(source);
}

/** filters.Args.FuzzyMatch: like exactMatch, but a value may also be a prefix (IDs). */
export function fuzzyMatch(filters: Filters, key: string, source: string): boolean {
  const values = filters.get(key);
  return !values || values.length === 0 || values.some((v) => source.startsWith(v));
}

/**
 * filters.Args.MatchKVList, the `label` filter: every `k` or `k=v` value must be present
 * in `labels` (and equal, when it has a value).
 */
export function matchLabels(filters: Filters, key: string, labels: Readonly<Record<string, string>> | undefined): boolean {
  const values = filters.get(key);
  if (!values || values.length === 0) return true;
  if (!labels || Object.keys(labels).length === 0) return false;
  return values.every((value) => {
    const eq = value.indexOf('=');
    const k = eq < 0 ? value : value.slice(0, eq);
    if (!Object.hasOwn(labels, k)) return false;
    return eq < 0 || labels[k] === value.slice(eq + 1);
  });
}

/**
 * filters.Args.GetBoolOrDefault, for keys such as `dangling`: "true"/"1" or "false"/"0";
 * none or both is an invalid filter.
 */
export function boolFilter(filters: Filters, key: string, defaultValue: boolean): boolean {
  const values = filters.get(key);
  if (!values) return defaultValue;
  const isFalse = values.includes('0') || values.includes('false');
  const isTrue = values.includes('1') || values.includes('true');
  if (isFalse === isTrue) throw invalidArgument(`invalid filter '${key}=${values.join(',')}'`);
  return isTrue;
}
