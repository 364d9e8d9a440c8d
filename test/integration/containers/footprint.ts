// What a refused request must not leave: rows as the verbs list them, and the directories
// below both roots where containers, layers and volumes live.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerEnv } from './fixtures.js';

export function footprint(env: ContainerEnv): Record<string, string[]> {
  const ls = (p: string) => (existsSync(p) ? readdirSync(p).sort() : []);
  const q = (args: string[]) => env.ok(args).split('\n').filter(Boolean).sort();
  return {
    containers: q(['ps', '-aq', '--no-trunc']),
    volumes: q(['volume', 'ls', '-q']),
    networks: q(['network', 'ls', '-q']),
    images: q(['images', '-aq', '--no-trunc']),
    layerDirs: ls(join(env.root, 'overlay')),
    containerDirs: ls(join(env.root, 'containers')),
    volumeDirs: ls(join(env.root, 'volumes')),
    runDirs: ls(join(env.runroot, 'containers')),
  };
}
