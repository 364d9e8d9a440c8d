// Validates API responses against the Docker Engine API swagger vendored in test/vendor/docker-api.
//
// The swagger is OpenAPI 2 (YAML): its `definitions` are JSON-schema-like, with vendor keys
// (x-go-name, x-nullable, example) that Ajv must ignore, so strict mode is off. Go encodes a
// nil slice or map as `null` and dockerd sends many of them (Config.Cmd, HostConfig.Binds,
// ExecIDs), which clients handle; so besides the fields marked `x-nullable`, every array and
// object may be null. A scalar may not.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { REPO } from './env.js';

export const DOCKER_SWAGGER = join(REPO, 'test/vendor/docker-api/swagger.yaml');

type Node = Record<string, unknown>;

/**
 * Scalars the swagger does not mark x-nullable that dockerd still sends as null (Go pointers left
 * unset): seen in test/vendor/dockerd/container-inspect.json for a plain `docker create`.
 */
const NULL_FROM_DOCKERD = new Set(['MemorySwappiness']);

function allowNull(node: Node): Node {
  const t = node.type;
  const nullable = node['x-nullable'] === true || t === 'array' || t === 'object';
  if (!nullable) return node;
  if (typeof t === 'string') return { ...node, type: [t, 'null'] };
  if (typeof node.$ref === 'string') {
    const { $ref, ...rest } = node;
    return { ...rest, anyOf: [{ $ref }, { type: 'null' }] };
  }
  return node;
}

function transform(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(transform);
  if (node === null || typeof node !== 'object') return node;
  const out: Node = {};
  for (const [k, v] of Object.entries(node as Node)) {
    if (k === 'example') continue;
    if (k === 'properties' || k === 'definitions') {
      out[k] = Object.fromEntries(
        Object.entries(v as Node).map(([p, s]) => [p, NULL_FROM_DOCKERD.has(p) ? allowNull({ ...(transform(s) as Node), 'x-nullable': true }) : transform(s)]),
      );
    } else {
      out[k] = transform(v);
    }
  }
  // The swagger's date-time format is spelled "dateTime"; formats are not checked anyway.
  return allowNull(out);
}

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function validator(definition: string): ValidateFunction {
  let v = compiled.get(definition);
  if (v) return v;
  if (!ajv) {
    const doc = parse(readFileSync(DOCKER_SWAGGER, 'utf8')) as { definitions: Node };
    ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ $id: 'https://docker.schema/swagger', definitions: transform(doc.definitions) }, 'swagger');
  }
  if (!ajv.getSchema(`swagger#/definitions/${definition}`)) throw new Error(`no definition ${definition} in the swagger`);
  v = ajv.compile({ $ref: `swagger#/definitions/${definition}` });
  compiled.set(definition, v);
  return v;
}

/** The schema errors of `doc` as a swagger definition (ContainerSummary, ImageInspect, ...); [] when valid. */
export function dockerSchemaErrors(definition: string, doc: unknown): string[] {
  const v = validator(definition);
  if (v(doc)) return [];
  return (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** Fails the test unless `doc` matches the swagger definition. */
export function assertDockerSchema(definition: string, doc: unknown): void {
  const errors = dockerSchemaErrors(definition, doc);
  assert.deepEqual(errors, [], `${definition} does not match the swagger:\n${errors.join('\n')}`);
}
