// Validates OCI runtime config.json documents against the runtime-spec JSON schemas in
// test/vendor/oci-runtime (vendored).
//
// Same approach as oci-schema.ts: the draft-04 files name each other by file name
// ("defs-linux.json#/definitions/..."), so each file gets the $id https://oci-runtime.schema/<file>
// and Ajv resolves the refs as siblings. config-schema.json refers to fragments outside
// `definitions` ("config-linux.json#/linux"), which Ajv resolves as plain JSON pointers.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { REPO } from './env.js';

export const OCI_RUNTIME_SCHEMA_DIR = join(REPO, 'test/vendor/oci-runtime');
const BASE = 'https://oci-runtime.schema/';

function stripIds(node: unknown, inMap = false): unknown {
  if (Array.isArray(node)) return node.map((n) => stripIds(n));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    // Inside `properties` the keys are property names: a property called "id" must survive.
    if (!inMap && k === 'id' && typeof v === 'string') continue;
    if (!inMap && k === '$schema') continue;
    out[k] = inMap ? stripIds(v) : stripIds(v, k === 'properties' || k === 'patternProperties' || k === 'definitions');
  }
  return out;
}

let validator: ValidateFunction | undefined;

function load(): ValidateFunction {
  // "media" and similar annotations are not Ajv keywords; int64/uint64 bounds exceed 2^53,
  // which is fine for the values skiff writes.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormatsModule.default(ajv);
  for (const f of readdirSync(OCI_RUNTIME_SCHEMA_DIR).filter((n) => n.endsWith('.json'))) {
    const schema = stripIds(JSON.parse(readFileSync(join(OCI_RUNTIME_SCHEMA_DIR, f), 'utf8'))) as Record<string, unknown>;
    ajv.addSchema({ ...schema, $id: BASE + f });
  }
  const v = ajv.getSchema(BASE + 'config-schema.json');
  if (!v) throw new Error(`config-schema.json is missing from ${OCI_RUNTIME_SCHEMA_DIR}`);
  return v;
}

/** Throws with Ajv's error text unless `doc` is a valid OCI runtime config. */
export function validateRuntimeSpec(doc: unknown): void {
  validator ??= load();
  if (!validator(doc)) {
    const text = (validator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');
    throw new Error(`invalid OCI runtime spec: ${text}`);
  }
}
