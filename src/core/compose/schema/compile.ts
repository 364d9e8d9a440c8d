/**
 * @module compose/schema/compile
 * The Compose Specification validator, compiled by Ajv from the vendored schema. Compiling
 * costs 0.5-1 s, so scripts/build.mjs replaces this module in the CLI bundle with Ajv's
 * standalone code for the same schema, generated at build time (scripts/compose-validator.mjs);
 * this runtime compile serves the unit tests and the library.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import spec from './compose-spec.json' with { type: 'json' };

let validator: ValidateFunction | undefined;

export function composeValidator(): ValidateFunction {
  validator ??= new Ajv(AJV_OPTIONS).compile(withoutMetaSchema(spec));
  return validator;
}

/** Shared with the build's standalone compile, so both validate alike. */
export const AJV_OPTIONS = { strict: false, allErrors: false, validateSchema: false } as const;

/** The schema names draft-07 by an https URL Ajv does not index; its keywords are draft-07's. */
export function withoutMetaSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}
