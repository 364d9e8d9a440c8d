/**
 * @module build/platform
 * The ARGs BuildKit predefines in the global scope (usable after a bare `ARG NAME` in a stage).
 */
import type { Platform } from '../content/content.js';

function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter((x) => x).join('/');
}

/** TARGET* describe the image being built, BUILD* the machine building it (here: the same unless `--platform`). */
export function platformArgs(target: Platform, build: Platform = target): Record<string, string> {
  return {
    TARGETPLATFORM: formatPlatform(target),
    TARGETOS: target.os,
    TARGETARCH: target.architecture,
    TARGETVARIANT: target.variant ?? '',
    BUILDPLATFORM: formatPlatform(build),
    BUILDOS: build.os,
    BUILDARCH: build.architecture,
    BUILDVARIANT: build.variant ?? '',
  };
}
