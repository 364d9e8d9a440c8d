/**
 * skiff as a library: `createEngine({ config: loadConfig() })` gives the same engine the CLI uses.
 */
export { createEngine, Engine, loadConfig, versionInfo, SKIFF_VERSION, API_VERSION } from './engine/index.js';
export type { CreateEngineOptions, SystemInfo, DiskUsage, GcReport } from './engine/index.js';
export type * from './engine/images/types.js';
export * from './core/errdefs.js';
export * from './core/images/reference.js';
export type * from './core/images/oci.js';
export type * from './core/content/content.js';
export type { SkiffConfig } from './core/config/types.js';
