/**
 * The Quadlet generator's file side: which directories hold Quadlet files (Podman's, so
 * existing files work), reading them (the first directory that has a name wins), and writing
 * the units and their `.wants` links into the generator's output directory.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { convertQuadlets, QUADLET_EXTENSIONS, type QuadletOptions, type QuadletOutput, type QuadletSource } from '../../core/systemd/quadlet/index.js';

/** Podman's search order; QUADLET_UNIT_DIRS (colon-separated) replaces it, as for Podman's quadlet. */
export function quadletDirs(isUser: boolean, env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.QUADLET_UNIT_DIRS) return env.QUADLET_UNIT_DIRS.split(':').filter(Boolean);
  if (!isUser) return ['/run/containers/systemd', '/etc/containers/systemd', '/usr/share/containers/systemd'];
  const config = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  const uid = process.getuid?.() ?? 0;
  return [join(config, 'containers/systemd'), `/etc/containers/systemd/users/${uid}`, '/etc/containers/systemd/users'];
}

export function readQuadletSources(dirs: string[]): QuadletSource[] {
  const seen = new Map<string, QuadletSource>();
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      if (seen.has(name) || !QUADLET_EXTENSIONS.some((e) => name.endsWith(e))) continue;
      const path = join(dir, name);
      try {
        if (!statSync(path).isFile()) continue;
        seen.set(name, { name, path, text: readFileSync(path, 'utf8') });
      } catch {
        // gone meanwhile
      }
    }
  }
  return [...seen.values()];
}

export function generateQuadlets(dirs: string[], o: QuadletOptions): QuadletOutput {
  return convertQuadlets(readQuadletSources(dirs), o);
}

/** Writes units and links into `outputDir` (systemd's normal generator directory). */
export function writeQuadletOutput(outputDir: string, out: QuadletOutput): void {
  mkdirSync(outputDir, { recursive: true });
  for (const u of out.units) writeFileSync(join(outputDir, u.name), u.text, { mode: 0o644 });
  for (const l of out.links) {
    const path = join(outputDir, l.path);
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { force: true });
    symlinkSync(l.target, path);
  }
}
