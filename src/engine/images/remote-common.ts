import type { Platform } from '../../core/content/content.js';
import { invalidArgument } from '../../core/errdefs.js';
import { AuthFile, Registries } from '../../impl/registry/index.js';
import type { RemoteOptions } from './remote-types.js';

export function registriesFor(opts: RemoteOptions): Registries {
  const explicit = opts.credentials;
  const credentials = explicit ? { get: () => explicit } : new AuthFile(opts.authfile);
  return new Registries({
    tlsVerify: opts.tlsVerify,
    certDir: opts.certDir,
    credentials,
    userAgent: 'skiff',
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

export const shortId = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

export function parsePlatform(s: string): Platform {
  const [os, architecture, variant, ...rest] = s.split('/');
  if (!os || !architecture || rest.length) throw invalidArgument(`invalid platform "${s}": use os/arch[/variant]`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

/**
 * Runs `fn` over `items` with at most `n` in flight. Each result settles as soon as its call
 * does, so a caller can consume them in order; `settled` waits for every started call, so
 * a failing caller can let in-flight work end before cleaning up after it. After a
 * failure, calls not yet started are skipped.
 */
export function mapLimit<T, R>(items: T[], n: number, fn: (item: T, i: number) => Promise<R>): { results: Promise<R>[]; settled: Promise<void> } {
  let next = 0;
  let failed = false;
  const slots: { resolve: (v: R) => void; reject: (e: unknown) => void }[] = [];
  const results = items.map(() => new Promise<R>((resolve, reject) => void slots.push({ resolve, reject })));
  for (const p of results) p.catch(() => undefined);
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      if (failed) {
        slots[i]!.reject(new Error('cancelled after an earlier failure'));
        continue;
      }
      try {
        slots[i]!.resolve(await fn(items[i]!, i));
      } catch (e) {
        failed = true;
        slots[i]!.reject(e);
      }
    }
  };
  const settled = Promise.all(Array.from({ length: Math.min(n, items.length) }, worker)).then(() => undefined);
  return { results, settled };
}
