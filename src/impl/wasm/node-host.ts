/**
 * Finds the host side of the WASI runtime: the Node binary skiff itself runs on (Node 20 has
 * `node:wasi`), its ELF interpreter and the libraries it loads (from `ldd`), and the launcher
 * script, written to `<runroot>/wasm/` under a name that is its content's hash. Found once per
 * process.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, realpath, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { notFound } from '../../core/errdefs.js';
import type { WasmHost } from '../../core/wasm/spec.js';
import { LAUNCHER_SOURCE } from './launcher-source.js';

const run = promisify(execFile);

/**
 * ldd's lines: `libm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x…)`, `/lib64/ld-linux-x86-64.so.2
 * (0x…)`, `linux-vdso.so.1 (0x…)` (in the kernel, not a file), `statically linked`.
 */
export function parseLdd(text: string): { loader?: string; libraries: string[] } {
  const libraries: string[] = [];
  let loader: string | undefined;
  for (const line of text.split('\n')) {
    const arrow = /=>\s+(\/\S+)/.exec(line);
    if (arrow) libraries.push(arrow[1]!);
    else if (/^\s*\/\S+/.test(line)) loader = line.trim().split(/\s+/)[0];
  }
  return loader ? { loader, libraries } : { libraries };
}

async function find(runroot: string): Promise<WasmHost> {
  const node = await realpath(process.execPath);
  let ldd: string;
  try {
    ldd = (await run('ldd', [node], { encoding: 'utf8' })).stdout;
  } catch (e) {
    // ldd exits 1 on a static binary ("not a dynamic executable").
    const out = (e as { stdout?: string }).stdout ?? '';
    if (!/not a dynamic executable|statically linked/.test(out + String((e as { stderr?: string }).stderr))) {
      throw notFound(`the WASM runtime needs ldd to find Node's libraries: ${(e as Error).message}`);
    }
    ldd = '';
  }
  const deps = parseLdd(ldd);
  const dir = join(runroot, 'wasm');
  const launcher = join(dir, `launcher-${createHash('sha256').update(LAUNCHER_SOURCE).digest('hex').slice(0, 16)}.mjs`);
  try {
    await stat(launcher);
  } catch {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    const tmp = `${launcher}.${process.pid}.tmp`;
    await writeFile(tmp, LAUNCHER_SOURCE, { mode: 0o444 });
    await rename(tmp, launcher);
  }
  // ldd's names, not the files they link to: the loader looks a library up by its soname
  // (libstdc++.so.6, not libstdc++.so.6.0.30), and a bind follows the link to the file anyway.
  const init = await firstExecutable(INITS);
  return { node, ...deps, launcher, ...(init ? { init } : {}) };
}

/** Static inits, as `--init` takes them (catatonit, Podman's, first). */
const INITS = ['/usr/bin/catatonit', '/usr/libexec/podman/catatonit', '/usr/bin/tini-static', '/usr/bin/tini'];

async function firstExecutable(paths: readonly string[]): Promise<string | undefined> {
  for (const p of paths) {
    try {
      await access(p, constants.X_OK);
      return p;
    } catch {
      // try the next
    }
  }
  return undefined;
}

let found: Promise<WasmHost> | undefined;
let foundFor: string | undefined;

export function wasmHost(runroot: string): Promise<WasmHost> {
  if (!found || foundFor !== runroot) {
    foundFor = runroot;
    found = find(runroot);
    found.catch(() => (found = undefined));
  }
  return found;
}
