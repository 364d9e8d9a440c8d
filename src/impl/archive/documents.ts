/**
 * @module archive/documents
 * Parsing of the JSON documents found in archives. Archives come from anywhere, so every
 * document is checked for the fields skiff relies on before they are trusted; a wrong
 * shape is the archive's fault (InvalidArgument).
 */
import type { Descriptor } from '../../core/content/content.js';
import { isDigest } from '../../core/content/digest.js';
import { invalidArgument } from '../../core/errdefs.js';
import type { ImageConfig, Index, Manifest } from '../../core/images/oci.js';

export function parseJson(data: Buffer, what: string): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch (e) {
    throw invalidArgument(`${what} is not valid JSON: ${(e as Error).message}`, e);
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

export function checkDescriptor(v: unknown, what: string): Descriptor {
  if (!isRecord(v)) throw invalidArgument(`${what}: descriptor is not an object`);
  const { mediaType, digest, size } = v;
  if (typeof mediaType !== 'string' || !mediaType) throw invalidArgument(`${what}: descriptor has no mediaType`);
  if (typeof digest !== 'string' || !isDigest(digest)) {
    throw invalidArgument(`${what}: descriptor digest ${JSON.stringify(digest)} is not a sha256 digest`);
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw invalidArgument(`${what}: descriptor size ${JSON.stringify(size)} is not a byte count`);
  }
  if (v.annotations !== undefined && !isRecord(v.annotations)) throw invalidArgument(`${what}: annotations is not an object`);
  return v as unknown as Descriptor;
}

export function checkManifest(v: unknown, what: string): Manifest {
  if (!isRecord(v) || v.schemaVersion !== 2) throw invalidArgument(`${what}: not a schemaVersion 2 image manifest`);
  checkDescriptor(v.config, `${what} config`);
  if (!Array.isArray(v.layers)) throw invalidArgument(`${what}: layers is not a list`);
  v.layers.forEach((l, i) => checkDescriptor(l, `${what} layer ${i}`));
  return v as unknown as Manifest;
}

export function checkIndex(v: unknown, what: string): Index {
  if (!isRecord(v) || v.schemaVersion !== 2 || !Array.isArray(v.manifests)) {
    throw invalidArgument(`${what}: not a schemaVersion 2 image index`);
  }
  v.manifests.forEach((m, i) => checkDescriptor(m, `${what} entry ${i}`));
  return v as unknown as Index;
}

export function checkConfig(v: unknown, what: string): ImageConfig {
  if (!isRecord(v)) throw invalidArgument(`${what}: image config is not an object`);
  const rootfs = v.rootfs;
  if (!isRecord(rootfs) || !isStringArray(rootfs.diff_ids)) throw invalidArgument(`${what}: image config has no rootfs.diff_ids`);
  for (const d of rootfs.diff_ids) if (!isDigest(d)) throw invalidArgument(`${what}: diff ID "${d}" is not a sha256 digest`);
  if (typeof v.architecture !== 'string' || typeof v.os !== 'string') {
    throw invalidArgument(`${what}: image config lacks architecture/os`);
  }
  return v as unknown as ImageConfig;
}
