import { invalidArgument } from '../../../core/errdefs.js';
import { formatImageLocation, type ImageLocation } from '../../../core/images/transport.js';
import type { EngineContext } from '../../context.js';
import type { RemoteOptions } from '../remote-types.js';
import { ArchiveSource, DockerArchiveDestination, OciArchiveDestination } from './archive.js';
import { LocalDestination, LocalSource } from './local.js';
import { OciDirDestination, OciDirSource } from './oci-dir.js';
import { RegistryDestination, RegistrySource } from './registry.js';
import type { SignOptions } from '../sign.js';
import type { ImageDestination, ImageSource } from './types.js';

export type * from './types.js';

export interface SourceOptions extends RemoteOptions {
  platform?: string;
  /** a directory of the copy's own for unpacked archives, removed after it */
  staging: string;
  /** policy.json a registry source is checked against, and where its signatures are found */
  signaturePolicy?: string;
  registriesDir?: string;
}

export function openSource(ctx: EngineContext, loc: ImageLocation, opts: SourceOptions): ImageSource {
  const what = formatImageLocation(loc);
  switch (loc.transport) {
    case 'docker':
      return new RegistrySource(what, loc.ref, opts);
    case 'oci':
      return new OciDirSource(what, loc.path, loc.refName, opts.platform);
    case 'oci-archive':
      return new ArchiveSource(what, loc.path, loc.refName !== undefined ? { refName: loc.refName } : {}, opts.staging);
    case 'docker-archive':
      return new ArchiveSource(what, loc.path, { ...(loc.name ? { name: loc.name } : {}), ...(loc.index !== undefined ? { index: loc.index } : {}) }, opts.staging);
    case 'local':
      return new LocalSource(what, ctx, loc.name);
  }
}

export function openDestination(ctx: EngineContext, loc: ImageLocation, opts: RemoteOptions & { sign?: SignOptions }): ImageDestination {
  const what = formatImageLocation(loc);
  if (opts.sign && loc.transport !== 'docker') throw invalidArgument(`${opts.sign.signBy ? '--sign-by' : '--sign-by-sigstore-private-key'}: ${what} is not a registry; only a docker:// destination can be signed`);
  switch (loc.transport) {
    case 'docker':
      return new RegistryDestination(what, loc.ref, opts);
    case 'oci':
      return new OciDirDestination(what, loc.path, loc.refName);
    case 'oci-archive':
      return new OciArchiveDestination(what, loc.path, loc.refName);
    case 'docker-archive':
      if (loc.index !== undefined) throw invalidArgument(`${what}: @N picks an image to read; name the image written as NAME:TAG`);
      return new DockerArchiveDestination(what, loc.path, loc.name);
    case 'local':
      return new LocalDestination(what, ctx, loc.name);
  }
}
