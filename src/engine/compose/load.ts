/**
 * @module engine/compose/load
 * The file-system side of loading a Compose project: which files (`-f`, COMPOSE_FILE, or the
 * default names found from the working directory upwards), read from disk (`-` is standard
 * input), handed to the pure loader in `core/compose`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { findComposeFiles } from '../../core/compose/discovery.js';
import { loadComposeProject } from '../../core/compose/loader.js';
import type { ComposeFiles, LoadedProject } from '../../core/compose/types.js';

export { serializeProject } from '../../core/compose/serialize.js';

export interface ComposeProjectOptions {
  /** `-f`, in order; `-` reads standard input. */
  files?: string[];
  projectDirectory?: string;
  projectName?: string;
  envFiles?: string[];
  profiles?: string[];
  services?: string[];
  cwd?: string;
  environment?: Record<string, string | undefined>;
  onWarning?: (msg: string) => void;
}

const STDIN = '/dev/stdin';

const diskFiles: ComposeFiles = {
  read(path) {
    try {
      return readFileSync(path === STDIN ? 0 : path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      if ((e as NodeJS.ErrnoException).code === 'EISDIR') return '';
      throw e;
    }
  },
  isDirectory(path) {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  },
};

export function loadProject(opts: ComposeProjectOptions = {}): LoadedProject {
  const cwd = opts.cwd ?? process.cwd();
  const environment = opts.environment ?? process.env;
  const warnings: string[] = [];
  let files = (opts.files ?? []).map((f) => (f === '-' ? STDIN : resolve(cwd, f)));
  // COMPOSE_FILE: a list separated by COMPOSE_PATH_SEPARATOR (":" on Linux), relative to the working directory.
  if (!files.length && environment.COMPOSE_FILE) {
    files = environment.COMPOSE_FILE.split(environment.COMPOSE_PATH_SEPARATOR || ':').filter(Boolean).map((f) => resolve(cwd, f));
  }
  if (!files.length) {
    const found = findComposeFiles(opts.projectDirectory ? resolve(cwd, opts.projectDirectory) : cwd, existsSync);
    files = found.files;
    warnings.push(...found.warnings);
    for (const w of found.warnings) opts.onWarning?.(w);
  }
  const projectDirectory = opts.projectDirectory
    ? resolve(cwd, opts.projectDirectory)
    : files[0] === STDIN
      ? cwd
      : undefined;
  const loaded = loadComposeProject(
    {
      files,
      ...(projectDirectory ? { projectDirectory } : {}),
      ...(opts.projectName !== undefined ? { projectName: opts.projectName } : {}),
      ...(opts.envFiles?.length ? { envFiles: opts.envFiles.map((f) => resolve(cwd, f)) } : {}),
      profiles: opts.profiles ?? [],
      services: opts.services ?? [],
      environment,
      home: environment.HOME ?? homedir(),
      ...(opts.onWarning ? { onWarning: opts.onWarning } : {}),
    },
    diskFiles,
  );
  return { ...loaded, warnings: [...warnings, ...loaded.warnings] };
}
