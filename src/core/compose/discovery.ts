/**
 * @module compose/discovery
 * Which Compose files to load when no `-f` is given, as compose-go's `cli` package finds them:
 * the first directory, from the working directory up to `/`, holding one of `compose.yaml`,
 * `compose.yml`, `docker-compose.yml`, `docker-compose.yaml` (the first in that order when
 * several are there, with a warning), plus that directory's override file
 * (`compose.override.yaml`, `compose.override.yml`, `docker-compose.override.yml`,
 * `docker-compose.override.yaml`, the first found) merged after it.
 */
import { posix } from 'node:path';
import { notFound } from '../errdefs.js';

export const DEFAULT_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
export const DEFAULT_OVERRIDE_FILE_NAMES = [
  'compose.override.yaml',
  'compose.override.yml',
  'docker-compose.override.yml',
  'docker-compose.override.yaml',
];

export function findComposeFiles(cwd: string, exists: (path: string) => boolean): { files: string[]; warnings: string[] } {
  const warnings: string[] = [];
  for (let dir = cwd; ; dir = posix.dirname(dir)) {
    const found = DEFAULT_FILE_NAMES.map((n) => posix.join(dir, n)).filter(exists);
    if (found.length) {
      if (found.length > 1) warnings.push(`Found multiple config files with supported names: ${found.join(', ')}\nUsing ${found[0]}`);
      const overrides = DEFAULT_OVERRIDE_FILE_NAMES.map((n) => posix.join(dir, n)).filter(exists);
      if (overrides.length > 1) {
        warnings.push(`Found multiple override files with supported names: ${overrides.join(', ')}\nUsing ${overrides[0]}`);
      }
      return { files: [found[0]!, ...overrides.slice(0, 1)], warnings };
    }
    if (posix.dirname(dir) === dir) throw notFound('no configuration file provided: not found');
  }
}
