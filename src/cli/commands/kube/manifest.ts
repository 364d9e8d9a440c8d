import { readFile } from 'node:fs/promises';
import { parseManifests, planPlay, type KubePlan } from '../../../core/kube/play.js';

/**
 * Kinds with a model are checked against it; any other kind gets play's own "not supported".
 * The models (~1 MB) are one bundle of their own, loaded by a dynamic import.
 */
async function validator(): Promise<(doc: { apiVersion?: unknown; kind?: unknown }) => void> {
  const { VALIDATED_KINDS, validateManifest } = await import('../../../core/kube/validate.js');
  return (doc) => {
    if (VALIDATED_KINDS.includes(`${String(doc.apiVersion)}/${String(doc.kind)}`)) validateManifest(doc);
  };
}

async function readText(path: string): Promise<string> {
  if (path !== '-') return readFile(path, 'utf8');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/** FILE (or `-`) and `--configmap` files as `kube play`'s plan. */
export async function loadPlan(file: string, configmaps: string[] = [], opts: { namesOnly?: boolean } = {}): Promise<KubePlan> {
  const extra = [];
  for (const f of configmaps.flatMap((c) => c.split(',')).filter(Boolean)) extra.push(...parseManifests(await readFile(f, 'utf8')));
  const validate = await validator();
  return planPlay(parseManifests(await readText(file)), { extraDocs: extra, validate, ...(opts.namesOnly ? { namesOnly: true } : {}) });
}
