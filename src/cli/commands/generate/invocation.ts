import { resolve } from 'node:path';
import type { App } from '../../app.js';
import type { SkiffInvocation } from '../../../core/systemd/container-unit.js';

/**
 * How a unit should run skiff to reach the same storage as this process: this executable, the
 * roots and driver given by flag or environment, and the config file when it is not the default.
 */
export function skiffInvocation(app: App): SkiffInvocation {
  const g = app.globals();
  const root = g.root ?? process.env.SKIFF_ROOT;
  const runroot = g.runroot ?? process.env.SKIFF_RUNROOT;
  const driver = g.storageDriver ?? process.env.SKIFF_STORAGE_DRIVER;
  return {
    executable: resolve(process.argv[1]!),
    globalArgs: [...(root ? ['--root', root] : []), ...(runroot ? ['--runroot', runroot] : []), ...(driver ? ['--storage-driver', driver] : [])],
    environment: process.env.SKIFF_CONFIG ? { SKIFF_CONFIG: process.env.SKIFF_CONFIG } : {},
  };
}
