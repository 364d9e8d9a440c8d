// What a private dockerd 20.10 answered, recorded by test/vendor/dockerd/record.sh (see
// test/vendor/README.md): the shape tests compare skiff's documents with these.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './env.js';

const DIR = join(REPO, 'test/vendor/dockerd');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function dockerdFixture(name: string): any {
  return JSON.parse(readFileSync(join(DIR, name), 'utf8'));
}

/** The keys of `want` that `got` lacks, as dotted paths, descending into objects both have. */
export function missingKeys(want: unknown, got: unknown, path = ''): string[] {
  if (!isObject(want) || !isObject(got)) return [];
  return Object.entries(want).flatMap(([k, v]) => {
    const p = path ? `${path}.${k}` : k;
    if (!Object.hasOwn(got, k)) return [p];
    return missingKeys(v, got[k], p);
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
