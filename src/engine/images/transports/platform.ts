import type { Descriptor, Platform } from '../../../core/content/content.js';
import { notFound } from '../../../core/errdefs.js';
import { hostPlatform } from '../../../core/images/oci.js';
import { parsePlatform } from '../remote-common.js';

const show = (p: Partial<Platform> | undefined) => [p?.os, p?.architecture, p?.variant].filter(Boolean).join('/');

/** The entry of an index for `platform` (`os/arch[/variant]`, default the host's). */
export function choosePlatform(entries: Descriptor[], platform: string | undefined, what: string): Descriptor {
  const want = platform ? parsePlatform(platform) : hostPlatform();
  const match = entries.find(
    (d) =>
      d.platform?.os === want.os &&
      d.platform.architecture === want.architecture &&
      (want.variant === undefined || d.platform.variant === want.variant),
  );
  if (!match) {
    throw notFound(`${what}: no image for platform ${show(want)} (the index has ${entries.map((d) => show(d.platform)).join(', ') || 'none'})`);
  }
  return match;
}
