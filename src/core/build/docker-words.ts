/**
 * @module build/docker-words
 * skiff words build errors for its CLI (`Dockerfile:7: …`, `building at STEP "…": …`); Docker
 * API clients get the words of Docker's classic builder instead (`dockerfile parse error line
 * 7: …`, `failed to process "…": …`). An error carries those words beside its own message, and
 * the API front sends them; nothing is parsed back out of a message.
 */

/** Attaches the classic builder's words for `e`; returns `e`. */
export function withDockerMessage<E extends Error>(e: E, message: string): E {
  return Object.assign(e, { dockerMessage: message });
}

/** The classic builder's words for `e` (its own, or the nearest cause's), if any were attached. */
export function dockerMessageOf(e: unknown): string | undefined {
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 8; c = c.cause, depth++) {
    const m = (c as { dockerMessage?: unknown }).dockerMessage;
    if (typeof m === 'string') return m;
  }
  return undefined;
}
