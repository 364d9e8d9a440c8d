/**
 * Sigstore signatures stored in the registry beside the image, as cosign and containers/image
 * keep them: an OCI manifest tagged `sha256-<hex>.sig` in the same repository, each layer one
 * signature (the payload as the blob, the signature in the layer's annotations), the config an
 * image config listing the layers' digests as its diff_ids.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Descriptor } from '../../core/content/content.js';
import { EngineError, invalidArgument } from '../../core/errdefs.js';
import { MediaType } from '../../core/images/oci.js';
import type { Reference } from '../../core/images/reference.js';
import { dockerScopes } from './policy.js';
import type { RegistriesD } from './registries-d.js';
import type { SigstoreSignature } from './sigstore.js';

/** containers/image's limits: an attachment cannot make a pull read without end */
const MAX_SIGNATURES = 128;
const MAX_PAYLOAD_BYTES = 4 << 20;

/** What of a registry repository the attachments need (RemoteRepository has it). */
export interface AttachmentRepository {
  fetchManifest(reference: string): Promise<{ bytes: Buffer }>;
  fetchDocument(desc: Descriptor, what: string): Promise<Buffer>;
  exists(desc: Descriptor): Promise<boolean>;
  upload(desc: Descriptor, open: () => Readable): Promise<void>;
  putManifest(reference: string, mediaType: string, bytes: Buffer): Promise<string>;
}

export function attachmentTag(digest: string): string {
  const [alg, hex] = digest.split(':');
  if (!alg || !hex) throw invalidArgument(`"${digest}" is not a digest`);
  return `${alg}-${hex}.sig`;
}

/** registries.d's use-sigstore-attachments for `ref`: the most specific scope setting it, else default-docker's. */
export function useSigstoreAttachments(conf: RegistriesD, ref: Reference): boolean {
  for (const s of dockerScopes(ref)) {
    const v = conf.docker[s]?.useSigstoreAttachments;
    if (v !== undefined) return v;
  }
  return conf.defaultDocker?.useSigstoreAttachments ?? false;
}

interface AttachmentManifest {
  schemaVersion: number;
  mediaType?: string;
  config: Descriptor;
  layers: (Descriptor & { annotations?: Record<string, string> })[];
  [k: string]: unknown;
}

function parseAttachment(bytes: Buffer, what: string): AttachmentManifest {
  let m: unknown;
  try {
    m = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalidArgument(`${what}: not JSON`);
  }
  const o = m as AttachmentManifest;
  if (!o || typeof o !== 'object' || !Array.isArray(o.layers) || !o.config || typeof o.config.digest !== 'string') throw invalidArgument(`${what}: not an OCI image manifest`);
  if (o.layers.length > MAX_SIGNATURES) throw invalidArgument(`${what}: ${o.layers.length} signatures, more than ${MAX_SIGNATURES}`);
  return o;
}

async function fetchAttachment(repo: AttachmentRepository, digest: string): Promise<AttachmentManifest | undefined> {
  const tag = attachmentTag(digest);
  let bytes: Buffer;
  try {
    ({ bytes } = await repo.fetchManifest(tag));
  } catch (e) {
    if (e instanceof EngineError && e.code === 'NotFound') return undefined;
    throw e;
  }
  return parseAttachment(bytes, `signature attachment ${tag}`);
}

/** The sigstore signatures attached to the manifest `digest` (none when no attachment is tagged). */
export async function readAttachments(repo: AttachmentRepository, digest: string): Promise<SigstoreSignature[]> {
  const m = await fetchAttachment(repo, digest);
  if (!m) return [];
  const out: SigstoreSignature[] = [];
  for (const l of m.layers) {
    if (typeof l.size !== 'number' || l.size > MAX_PAYLOAD_BYTES) throw invalidArgument(`signature attachment of ${digest}: a layer of ${String(l.size)} bytes`);
    const payload = await repo.fetchDocument(l, `signature payload of ${digest}`);
    out.push({ mediaType: String(l.mediaType), payload, annotations: { ...(l.annotations ?? {}) } });
  }
  return out;
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function putBlob(repo: AttachmentRepository, bytes: Buffer, mediaType: string): Promise<Descriptor> {
  const desc: Descriptor = { mediaType, digest: sha256(bytes), size: bytes.length };
  if (!(await repo.exists(desc))) await repo.upload(desc, () => Readable.from([bytes]));
  return desc;
}

function sameSignature(l: AttachmentManifest['layers'][number], sig: SigstoreSignature): boolean {
  if (l.mediaType !== sig.mediaType || l.digest !== sha256(sig.payload)) return false;
  const a = l.annotations ?? {};
  const keys = Object.keys(sig.annotations);
  return Object.keys(a).length === keys.length && keys.every((k) => a[k] === sig.annotations[k]);
}

/**
 * Adds `sig` to the attachment of the manifest `digest`, keeping the signatures already there
 * (one already present is not added twice), as containers/image's putSignaturesToSigstoreAttachments.
 * Returns the attachment's tag.
 */
export async function writeAttachment(repo: AttachmentRepository, digest: string, sig: SigstoreSignature): Promise<string> {
  const tag = attachmentTag(digest);
  const m = (await fetchAttachment(repo, digest)) ?? { schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, digest: '', size: 0 }, layers: [] };
  let config: { rootfs?: { type?: string; diff_ids?: string[] }; [k: string]: unknown } = { architecture: '', os: '', config: { Labels: {} }, rootfs: { type: '', diff_ids: [] } };
  if (m.config.digest) config = JSON.parse((await repo.fetchDocument(m.config, `config of signature attachment ${tag}`)).toString('utf8')) as typeof config;
  if (!m.layers.some((l) => sameSignature(l, sig))) {
    const d = await putBlob(repo, sig.payload, sig.mediaType);
    m.layers.push({ ...d, annotations: sig.annotations });
    config.rootfs ??= { type: 'layers', diff_ids: [] };
    (config.rootfs.diff_ids ??= []).push(d.digest);
  }
  m.config = await putBlob(repo, Buffer.from(JSON.stringify(config)), MediaType.OciConfig);
  await repo.putManifest(tag, m.mediaType ?? MediaType.OciManifest, Buffer.from(JSON.stringify(m)));
  return tag;
}
