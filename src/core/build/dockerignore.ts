/**
 * @module build/dockerignore
 * `.dockerignore` parsing and matching with moby/patternmatcher's semantics.
 */
import { notImplemented } from '../errdefs.js';

/** `<dockerfile basename>.dockerignore` wins over `.dockerignore` (e.g. `Containerfile.dockerignore`). */
export function dockerignoreCandidates(dockerfileBasename: string): string[] {
  return [`${dockerfileBasename}.dockerignore`, '.dockerignore'];
}

/** Cleaned patterns, `!` kept as a prefix for exceptions. */
export function parseDockerignore(_text: string): string[] {
  throw notImplemented('dockerignore: in progress');
}

export class IgnoreMatcher {
  constructor(_patterns: string[]) {}
  /** `relPath` is slash-separated and relative to the context root. A path is excluded if it or a parent matches. */
  isExcluded(_relPath: string): boolean {
    throw notImplemented('dockerignore: in progress');
  }
  /** True when `relDir` is excluded and no exception pattern could re-include anything inside it. */
  canSkipDir(_relDir: string): boolean {
    throw notImplemented('dockerignore: in progress');
  }
}
