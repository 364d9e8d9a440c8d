// The WASM tests' images: examples/wasm/hello.c compiled here with Debian's clang for
// wasm32-wasi (wasi-libc, libclang-rt-14-dev-wasm32), examples/wasm/hello.wat assembled with
// wabt's wat2wasm, each built into an image by `skiff build`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, type RunResult } from '../../helpers/env.js';
import { tool, root, overlay, need, type Need } from '../../helpers/requires.js';

export const EXAMPLES = join(REPO, 'examples/wasm');

/** clang's wasm32-wasi target needs wasi-libc's sysroot and compiler-rt's wasm32 builtins. */
export function wasmNeeds(): Need[] {
  const probe = spawnSync('clang', ['--target=wasm32-wasi', '--sysroot=/usr', '-print-libgcc-file-name'], { encoding: 'utf8' });
  const rt = probe.status === 0 && spawnSync('test', ['-f', probe.stdout.trim()]).status === 0;
  return [
    root(),
    overlay(),
    tool('clang'),
    tool('wat2wasm'),
    need(rt, 'clang wasm32-wasi builtins', 'scripts/setup.sh installs lld, wasi-libc and libclang-rt-14-dev-wasm32'),
  ];
}

function check(what: string, r: ReturnType<typeof spawnSync>): void {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}: ${String(r.stderr)}`);
}

/** hello.c as a WASI module at `out`. */
export function compileWasm(out: string): void {
  check('clang', spawnSync('clang', ['--target=wasm32-wasi', '--sysroot=/usr', '-O2', '-o', out, join(EXAMPLES, 'hello.c')], { encoding: 'utf8' }));
}

/** hello.c as a static native binary at `out` (the benchmark's busybox side). */
export function compileNative(out: string): void {
  check('gcc', spawnSync('gcc', ['-static', '-O2', '-o', out, join(EXAMPLES, 'hello.c')], { encoding: 'utf8' }));
}

export function assembleWat(out: string): void {
  check('wat2wasm', spawnSync('wat2wasm', [join(EXAMPLES, 'hello.wat'), '-o', out], { encoding: 'utf8' }));
}

/** A build context holding `files` and a Dockerfile of `lines`. */
export function buildContext(dir: string, files: Record<string, string>, lines: string[]): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, from] of Object.entries(files)) copyFileSync(from, join(dir, name));
  writeFileSync(join(dir, 'Dockerfile'), lines.join('\n') + '\n');
  return dir;
}

export function assertRan(r: RunResult, code: number, what: string): void {
  if (r.code !== code) throw new Error(`${what}: exit ${r.code}, expected ${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
}
