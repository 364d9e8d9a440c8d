/**
 * @module compose/project-name
 * The project name, as Docker Compose v2 picks it (docs "Specify a project name"): `-p`, then
 * COMPOSE_PROJECT_NAME (the OS environment or the `.env` file), then the top-level `name:`,
 * then the project directory's base name. A name given explicitly must already be valid
 * (lowercase letters, digits, `_`, `-`, starting with a letter or digit); a directory name is
 * made valid: lowercased, other characters dropped, leading `_`/`-` trimmed.
 */
import { posix } from 'node:path';
import { invalidArgument } from '../errdefs.js';

export function normalizeProjectName(s: string): string {
  return (s.toLowerCase().match(/[a-z0-9_-]/g) ?? []).join('').replace(/^[_-]+/, '');
}

export function projectName(opts: { flag?: string; env?: string; file?: unknown; workingDir: string }): string {
  for (const explicit of [opts.flag, opts.env, typeof opts.file === 'string' ? opts.file : undefined]) {
    if (explicit === undefined || explicit === '') continue;
    if (normalizeProjectName(explicit) !== explicit) {
      throw invalidArgument(
        `invalid project name "${explicit}": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`,
      );
    }
    return explicit;
  }
  const name = normalizeProjectName(posix.basename(opts.workingDir));
  if (!name) throw invalidArgument('project name must not be empty');
  return name;
}
