// Validates documents against the OCI image-spec JSON schemas vendored in test/vendor/oci-image.
//
// The schemas are draft-04 and name each other by file name ("defs-descriptor.json#/...")
// relative to `id`s that do not share one base (…/schema/descriptor vs …/schema/image/manifest),
// so the upstream Go loader maps file names itself. We do the same: drop every `id` and
// `$schema`, give each file the `$id` https://oci.schema/<file>, and let plain Ajv resolve the
// file-name refs as siblings. Nothing these schemas use differs between draft-04 and draft-07,
// so no draft-04 plugin is needed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { REPO } from './env.js';

export const OCI_SCHEMA_DIR = join(REPO, 'test/vendor/oci-image');
const BASE = 'https://oci.schema/';

export type OciKind = 'manifest' | 'index' | 'config' | 'layout' | 'descriptor';

const FILE_OF: Record<OciKind, string> = {
  manifest: 'image-manifest-schema.json',
  index: 'image-index-schema.json',
  config: 'config-schema.json',
  layout: 'image-layout-schema.json',
  descriptor: 'content-descriptor.json',
};

function stripIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripIds);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'id' && typeof v === 'string') continue;
    if (k === '$schema') continue;
    // `properties` maps names to schemas: a property called "id" must survive.
    out[k] = k === 'properties' || k === 'patternProperties' || k === 'definitions' ? mapValues(v) : stripIds(v);
  }
  return out;
}

function mapValues(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return stripIds(v);
  return Object.fromEntries(Object.entries(v).map(([k, s]) => [k, stripIds(s)]));
}

let validators: Map<OciKind, ValidateFunction> | undefined;

function load(): Map<OciKind, ValidateFunction> {
  // The schemas carry keywords Ajv does not know ("media"); they are annotations, not rules.
  const ajv = new Ajv({ strict: false, allErrors: true });
  // ajv-formats is CommonJS: under NodeNext its default import is the module object, whose
  // `default` is the plugin.
  addFormatsModule.default(ajv);
  for (const f of readdirSync(OCI_SCHEMA_DIR).filter((n) => n.endsWith('.json'))) {
    const schema = stripIds(JSON.parse(readFileSync(join(OCI_SCHEMA_DIR, f), 'utf8'))) as Record<string, unknown>;
    ajv.addSchema({ ...schema, $id: BASE + f });
  }
  const m = new Map<OciKind, ValidateFunction>();
  for (const [kind, file] of Object.entries(FILE_OF) as [OciKind, string][]) {
    const v = ajv.getSchema(BASE + file);
    if (!v) throw new Error(`OCI schema ${file} is missing from ${OCI_SCHEMA_DIR}`);
    m.set(kind, v);
  }
  return m;
}

/** Throws with Ajv's error text unless `doc` is a valid OCI document of this kind. */
export function validateOci(kind: OciKind, doc: unknown): void {
  validators ??= load();
  const v = validators.get(kind)!;
  if (!v(doc)) {
    const text = (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');
    throw new Error(`invalid OCI ${kind}: ${text}`);
  }
}
