/**
 * @module lib/common
 * Small shapes every resource of the library shares: filters as plain objects, and what a
 * long call does with its `AbortSignal`.
 */
import { EngineError } from '../core/errdefs.js';

/**
 * Docker's filters (`--filter KEY=VALUE`): each key is an OR of its values, the keys are ANDed.
 * For example `{ label: ['app=web'], dangling: ['true'] }`.
 */
export type Filters = Readonly<Record<string, readonly string[]>>;

/** Options of every call that may run long: aborting ends it with an `EngineError` of code `Canceled`. */
export interface Cancellable {
  signal?: AbortSignal;
}

export function filterMap(f: Filters | undefined): Map<string, string[]> | undefined {
  return f ? new Map(Object.entries(f).map(([k, v]) => [k, [...v]])) : undefined;
}

export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new EngineError('Canceled', `${what}: canceled`, { cause: signal.reason });
}

/**
 * Runs `fn`; a failure after `signal` fired is reported as Canceled, whatever the layer below
 * made of the torn connection or killed process.
 */
export async function cancellable<T>(signal: AbortSignal | undefined, what: string, fn: () => Promise<T>): Promise<T> {
  throwIfAborted(signal, what);
  try {
    return await fn();
  } catch (e) {
    if (signal?.aborted && !(e instanceof EngineError && e.code === 'Canceled')) {
      throw new EngineError('Canceled', `${what}: canceled`, { cause: e });
    }
    throw e;
  }
}
