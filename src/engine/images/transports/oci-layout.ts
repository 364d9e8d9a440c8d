/**
 * The copy's side of an OCI layout destination, shared by `oci:DIR` and `oci-archive:FILE`:
 * the two differ only in where the blobs land (a directory or a tar), not in what is written.
 */
import type { Descriptor } from '../../../core/content/content.js';
import { REF_NAME } from '../../../impl/archive/oci-read.js';
import type { LayoutSink } from '../../../impl/archive/oci-write.js';
import { deferred } from './streams.js';
import type { DestinationWriter } from './types.js';

export interface LayoutOutput extends LayoutSink {
  finish(entries: Descriptor[]): Promise<void>;
}

/**
 * Runs `body` against `out`, then finishes the layout with one index entry for the manifest,
 * named `refName` when there is one. Rolling back on failure is the caller's.
 */
export async function writeToLayout<T>(
  out: LayoutOutput,
  refName: string | undefined,
  transport: string,
  body: (w: DestinationWriter) => Promise<T>,
): Promise<T> {
  let entry: Descriptor | undefined;
  const result = await body({
    has: async (desc) => out.hasBlob(desc.digest),
    putBlob: async (desc, open) => {
      await out.writeBlob(desc.digest, desc.size, () => deferred(open));
      return 'written';
    },
    putManifest: async (m) => {
      const cfg = m.manifest.config;
      if (!out.hasBlob(cfg.digest)) await out.writeBlob(cfg.digest, cfg.size, m.config);
      if (!out.hasBlob(m.digest)) await out.writeBlob(m.digest, m.bytes.length, m.bytes);
      entry = { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length };
      if (refName !== undefined) entry.annotations = { [REF_NAME]: refName };
      return { digest: m.digest };
    },
  });
  if (!entry) throw new Error(`${transport}: the copy ended without a manifest`);
  await out.finish([entry]);
  return result;
}
