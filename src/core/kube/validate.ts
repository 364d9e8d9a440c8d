/**
 * @module core/kube/validate
 * Kubernetes manifests checked against the API's OpenAPI models (kubernetes-models, generated from
 * the Kubernetes OpenAPI spec): `kube generate` checks what it writes, `kube play` refuses what
 * does not match, with the model's own words.
 */
import { Pod } from 'kubernetes-models/v1/Pod';
import { Service } from 'kubernetes-models/v1/Service';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { invalidArgument } from '../errdefs.js';

interface Model {
  validate(): void;
}

/** The kinds skiff writes or plays, by `apiVersion/kind`. */
const MODELS: Record<string, new (data: never) => Model> = {
  'v1/Pod': Pod,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'apps/v1/Deployment': Deployment,
  'apps/v1/DaemonSet': DaemonSet,
  'batch/v1/Job': Job,
};

export const VALIDATED_KINDS = Object.keys(MODELS);

/**
 * Throws InvalidArgument naming the document and the model's complaint (`Pod web:
 * data/spec/containers/0/ports/0/containerPort must be integer`) unless `doc` is a valid object of
 * a kind listed in VALIDATED_KINDS.
 */
export function validateManifest(doc: unknown): void {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalidArgument('a Kubernetes document must be a mapping');
  const { apiVersion, kind, metadata } = doc as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') throw invalidArgument('a Kubernetes document needs apiVersion and kind');
  const Model = MODELS[`${apiVersion}/${kind}`];
  if (!Model) throw invalidArgument(`unsupported Kubernetes kind ${kind} (apiVersion ${apiVersion}): skiff knows ${VALIDATED_KINDS.join(', ')}`);
  const what = `${kind}${typeof metadata?.name === 'string' ? ` ${metadata.name}` : ''}`;
  try {
    new Model(doc as never).validate();
  } catch (e) {
    throw invalidArgument(`${what}: ${(e as Error).message}`, e);
  }
}
