/**
 * @module compose/schema
 * Validates one Compose file (after interpolation) against the Compose Specification's JSON
 * schema, vendored beside this file (`schema/compose-spec.json`, provenance in
 * `schema/README.md`), compiled by `schema/compile.ts` (precompiled into the CLI bundle by the
 * build), so nothing is read from disk at run time. Messages name the path as compose-go's do:
 * `services.web additional properties 'foo' not allowed`.
 */
import type { ErrorObject } from 'ajv';
import { invalidArgument } from '../errdefs.js';
import { composeValidator } from './schema/compile.js';

export function validateComposeFile(doc: unknown, fileName: string): void {
  const validator = composeValidator();
  if (validator(doc)) return;
  throw invalidArgument(`validating ${fileName}: ${describe(validator.errors ?? [], doc)}`);
}

function describe(errors: ErrorObject[], doc: unknown): string {
  // oneOf/anyOf report every branch: the deepest path is the one the user got wrong.
  const e = [...errors].sort((a, b) => depth(b.instancePath) - depth(a.instancePath))[0];
  if (!e) return 'invalid Compose file';
  const segs = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const where = segs.length ? segs.join('.') : '(root)';
  switch (e.keyword) {
    case 'additionalProperties':
      return `${where} additional properties '${String(e.params.additionalProperty)}' not allowed`;
    case 'type':
      return `${where} must be a ${String(e.params.type).replace(/,/g, ' or a ')}`;
    case 'required':
      return `${where} missing property '${String(e.params.missingProperty)}'`;
    case 'enum':
      return `${where} must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'uniqueItems':
      return `${where} array items[${String(e.params.j)},${String(e.params.i)}] must be unique`;
    default:
      return `${where} ${e.message ?? 'is invalid'}${valueHint(doc, segs)}`;
  }
}

const depth = (p: string) => (p === '' ? 0 : p.split('/').length);

function valueHint(doc: unknown, segs: string[]): string {
  let v = doc;
  for (const s of segs) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  return typeof v === 'string' || typeof v === 'number' ? ` (got ${JSON.stringify(v)})` : '';
}
