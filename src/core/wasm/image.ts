/**
 * @module wasm/image
 * What makes an image (or a container) a WebAssembly workload. The conventions are the ones
 * the other engines read: an image config whose platform is `wasi/wasm` or `wasip1/wasm`
 * (Docker Desktop's and containerd's wasm shims), an entrypoint that is a `.wasm` file, or crun's
 * `module.wasm.image/variant=compat` annotation (on the manifest, as buildah writes it, or as a
 * label of the config).
 */
import type { ImageConfig } from '../images/oci.js';

/** The `--runtime` name of WASM containers (also what `HostConfig.Runtime` shows for them). */
export const WASM_RUNTIME = 'wasm';

/**
 * crun's annotation key and the value that means "a WASM module". crun's `compat-smart` decides
 * per executable by its magic bytes, so it may name a native program: skiff leaves such an image
 * to the other rules (a `.wasm` entrypoint) or to `--runtime wasm`.
 */
export const WASM_VARIANT_ANNOTATION = 'module.wasm.image/variant';
const WASM_VARIANTS = new Set(['compat']);

const WASI_OSES = new Set(['wasi', 'wasip1']);

export function isWasmPlatform(os: string | undefined, architecture: string | undefined): boolean {
  return !!os && WASI_OSES.has(os) && architecture === 'wasm';
}

/** The first word of what the container would run, as the image gives it. */
function imageCommand(config: Pick<ImageConfig, 'config'>): string | undefined {
  const c = config.config ?? {};
  return (c.Entrypoint && c.Entrypoint.length ? c.Entrypoint : c.Cmd ?? [])[0];
}

export function isWasmImage(config: Pick<ImageConfig, 'os' | 'architecture' | 'config'>, manifestAnnotations?: Record<string, string>): boolean {
  if (isWasmPlatform(config.os, config.architecture)) return true;
  if (imageCommand(config)?.endsWith('.wasm')) return true;
  const variant = manifestAnnotations?.[WASM_VARIANT_ANNOTATION] ?? config.config?.Labels?.[WASM_VARIANT_ANNOTATION];
  return variant !== undefined && WASM_VARIANTS.has(variant);
}

/** A container's own annotations (kube play gives a pod's) can ask for the WASM handler as crun's do. */
export function wantsWasm(annotations: Record<string, string> | undefined): boolean {
  const v = annotations?.[WASM_VARIANT_ANNOTATION];
  return v !== undefined && WASM_VARIANTS.has(v);
}
