/**
 * @module engine/kube/build-dirs
 * `kube play --build` as Podman does it: an image whose name's last path component (tag dropped)
 * names a directory beside the YAML holding a Containerfile or Dockerfile is built from it.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The build directory for `image` below `baseDir`, if there is one. */
export function buildDir(baseDir: string, image: string): string | undefined {
  const repo = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  const name = repo.slice(repo.lastIndexOf('/') + 1);
  // The name comes from the YAML: only one plain path component is looked up.
  if (!name || name === '.' || name === '..') return undefined;
  const dir = join(baseDir, name);
  try {
    if (!statSync(dir).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  return ['Containerfile', 'Dockerfile'].some((f) => existsSync(join(dir, f))) ? dir : undefined;
}
