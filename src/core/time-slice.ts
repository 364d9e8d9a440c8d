/**
 * Cooperative yielding for long loops of synchronous work (file system calls on the layer,
 * context and COPY paths): `await slice()` inside the loop returns at once until `budgetMs` of
 * work has passed since the last yield, then lets the event loop run (setImmediate: timers,
 * sockets and other requests of the API service) before going on. A loop fed from a buffered
 * stream or by microtasks alone would otherwise never give the loop a turn.
 */
export function timeSlicer(budgetMs = 4): () => Promise<void> | undefined {
  let since = performance.now();
  return () => {
    if (performance.now() - since < budgetMs) return undefined;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        since = performance.now();
        resolve();
      }),
    );
  };
}
