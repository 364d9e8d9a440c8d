/**
 * The infra container's image when `--infra-image` names none: built here, as Podman builds its
 * pause image locally, holding only the host's static catatonit, run as `catatonit -P` (pause
 * mode: PID 1 that waits for a signal and reaps nothing else's children).
 */
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { failedPrecondition, isEngineError } from '../../core/errdefs.js';
import type { EngineContext } from '../context.js';
import { importImage } from '../images/import.js';
import { resolveImage } from '../images/resolve.js';
import { SKIFF_VERSION } from '../system/info.js';
import { DEFAULT_INIT } from '../containers/create-input.js';

export const PAUSE_IMAGE = `localhost/skiff-pause:${SKIFF_VERSION}`;

export async function ensurePauseImage(ctx: EngineContext): Promise<string> {
  try {
    resolveImage(ctx.records, PAUSE_IMAGE);
    return PAUSE_IMAGE;
  } catch (e) {
    if (!isEngineError(e, 'NotFound')) throw e;
  }
  let binary: Buffer;
  try {
    binary = await readFile(DEFAULT_INIT);
  } catch (e) {
    throw failedPrecondition(`building the pause image needs ${DEFAULT_INIT}: ${(e as Error).message}`, e);
  }
  const pack = tar.pack();
  pack.entry({ name: 'catatonit', mode: 0o755, uid: 0, gid: 0, mtime: new Date(0) }, binary);
  // Mount points for the files every container gets, so none is made in a read-only layer's place.
  for (const dir of ['dev', 'proc', 'sys', 'etc', 'run']) pack.entry({ name: dir, type: 'directory', mode: 0o755, mtime: new Date(0) });
  pack.finalize();
  await importImage(ctx, pack as unknown as Readable, {
    reference: PAUSE_IMAGE,
    changes: ['ENTRYPOINT ["/catatonit", "-P"]', 'STOPSIGNAL SIGTERM'],
    message: 'skiff pod infra image',
  });
  return PAUSE_IMAGE;
}
