/**
 * Reading and writing simple-signing signatures in a lookaside store: `signature-1`,
 * `signature-2`, … until the first missing one (a 404, or no such file), as containers/image.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidArgument, unavailable } from '../../core/errdefs.js';
import { signatureUrl } from './registries-d.js';

/** containers/image's limits: a store cannot make a pull read without end */
const MAX_SIGNATURES = 128;
const MAX_SIGNATURE_BYTES = 4 << 20;

async function readOne(url: string): Promise<Buffer | undefined> {
  const u = new URL(url);
  if (u.protocol === 'file:') {
    try {
      const b = await readFile(fileURLToPath(u));
      if (b.length > MAX_SIGNATURE_BYTES) throw invalidArgument(`signature ${url} is larger than ${MAX_SIGNATURE_BYTES} bytes`);
      return b;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }
  let res: Response;
  try {
    res = await fetch(u, { redirect: 'follow' });
  } catch (e) {
    throw unavailable(`reading signature ${url}: ${(e as Error).message}`, e);
  }
  if (res.status === 404) return undefined;
  if (!res.ok) throw unavailable(`reading signature ${url}: HTTP ${res.status}`);
  const b = Buffer.from(await res.arrayBuffer());
  if (b.length > MAX_SIGNATURE_BYTES) throw invalidArgument(`signature ${url} is larger than ${MAX_SIGNATURE_BYTES} bytes`);
  return b;
}

/** Every signature stored under `base` for the manifest `digest`. */
export async function readSignatures(base: string, digest: string): Promise<{ url: string; bytes: Buffer }[]> {
  const out: { url: string; bytes: Buffer }[] = [];
  for (let i = 1; i <= MAX_SIGNATURES; i++) {
    const url = signatureUrl(base, digest, i);
    const bytes = await readOne(url);
    if (!bytes) break;
    out.push({ url, bytes });
  }
  return out;
}

/**
 * Adds `sig` after the signatures already there (only `file://` stores are writable, as in
 * containers/image); one already stored byte for byte is not added twice. Returns its URL.
 */
export async function appendSignature(base: string, digest: string, sig: Buffer): Promise<string> {
  if (!base.startsWith('file:')) throw invalidArgument(`writing signatures to ${base}: only file:// lookaside stores can be written; set lookaside-staging in registries.d`);
  const have = await readSignatures(base, digest);
  const same = have.find((h) => h.bytes.equals(sig));
  if (same) return same.url;
  const url = signatureUrl(base, digest, have.length + 1);
  const path = fileURLToPath(url);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, sig, { flag: 'wx' });
  return url;
}
