import type { EngineContext } from '../context.js';

/**
 * Runs `fn` holding the volume's lock (flock, released by the kernel if we die), so two
 * containers starting with the same new volume do not both copy into it, and `volume rm`
 * never removes a directory being filled.
 */
export function withVolumeLock<T>(ctx: EngineContext, name: string, fn: () => Promise<T> | T): Promise<T> {
  return ctx.locks.with('volume', name, fn, { what: `volume ${name}` });
}
