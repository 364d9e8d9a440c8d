// The package as a user gets it: `npm pack` of this checkout, installed into an empty project
// without the network (the dependencies come from npm's cache, as a lockfile pins them), with
// the repository's TypeScript to type-check code written against the shipped declarations.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../../helpers/env.js';

export const TSC = join(REPO, 'node_modules/typescript/bin/tsc');

export interface Packed {
  tarball: string;
  /** Bytes of the .tgz. */
  size: number;
  /** Paths inside the tarball, without the `package/` prefix. */
  entries: string[];
  seconds: number;
}

function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** `npm pack` (prepack builds the bundles and declarations) into `dest`. */
export function pack(dest: string): Packed {
  mkdirSync(dest, { recursive: true });
  const t0 = Date.now();
  const r = run('npm', ['pack', '--pack-destination', dest], { cwd: REPO });
  assert.equal(r.status, 0, `npm pack: ${r.stderr}`);
  const name = readdirSync(dest).find((f) => f.endsWith('.tgz'));
  assert.ok(name, `npm pack left no tarball in ${dest}`);
  const tarball = join(dest, name);
  const list = run('tar', ['-tzf', tarball], { cwd: dest });
  assert.equal(list.status, 0, list.stderr);
  return {
    tarball,
    size: readFileSync(tarball).length,
    entries: list.stdout.split('\n').filter(Boolean).map((p) => p.replace(/^package\//, '')),
    seconds: (Date.now() - t0) / 1000,
  };
}

interface LockEntry {
  dev?: boolean;
  devOptional?: boolean;
  [k: string]: unknown;
}

/**
 * A project in `dir` depending on the tarball, with a lockfile: skiff's own production entries
 * of this repository's lockfile (the same versions and integrities), so `npm ci --offline`
 * takes every dependency from npm's cache. The native ones run their own install scripts:
 * koffi ships its binaries, better-sqlite3 takes a prebuilt addon (see localPrebuilds).
 */
export function consumerProject(dir: string, packed: Packed): void {
  const own = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const tgz = `file:${packed.tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'skiff-consumer', version: '1.0.0', dependencies: { skiff: tgz } },
    'node_modules/skiff': {
      version: own.version,
      resolved: tgz,
      integrity: `sha512-${createHash('sha512').update(readFileSync(packed.tarball)).digest('base64')}`,
      license: 'Apache-2.0',
      dependencies: own.dependencies,
      bin: { skiff: 'bin/skiff' },
      engines: { node: '>=20.10' },
      os: ['linux'],
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path && !entry.dev && !entry.devOptional) packages[path] = entry;
  }
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'skiff-consumer', version: '1.0.0', private: true, type: 'module', dependencies: { skiff: tgz } }, null, 2),
  );
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: 'skiff-consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
  // Strict, and the repository's @types/node (the consumer installs no TypeScript of its own).
  writeFileSync(
    join(dir, 'tsconfig.base.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023'],
        types: ['node'],
        typeRoots: [join(REPO, 'node_modules/@types')],
        outDir: 'out',
        skipLibCheck: false,
      },
    }),
  );
}

/**
 * better-sqlite3's install script (prebuild-install) takes a prebuilt addon from a directory
 * named by npm_config_better_sqlite3_local_prebuilds before it tries to download one (which
 * cannot work here) and then compiles (about 100 s on an idle machine, far more under load).
 * The addon this repository's own install built is offered there, as a prebuild cache would.
 */
export function localPrebuilds(dir: string): NodeJS.ProcessEnv {
  const pkg = join(REPO, 'node_modules/better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string };
  mkdirSync(dir, { recursive: true });
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const r = run('tar', ['-czf', join(dir, name), 'build/Release/better_sqlite3.node'], { cwd: pkg });
  assert.equal(r.status, 0, r.stderr);
  return { npm_config_better_sqlite3_local_prebuilds: dir };
}

/** `npm ci --offline` in the consumer: seconds it took. */
export function installOffline(dir: string, env: NodeJS.ProcessEnv = {}): number {
  const t0 = Date.now();
  const r = run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: dir, env: { ...process.env, ...env } });
  assert.equal(r.status, 0, `npm ci --offline: ${r.stdout}\n${r.stderr}`);
  return (Date.now() - t0) / 1000;
}

/** tsc --strict over `files` in the consumer; `emit` writes them to out/ as .js. */
export function tsc(dir: string, tag: string, files: string[], emit: boolean): SpawnSyncReturns<string> {
  const config = `tsconfig.${tag}.json`;
  writeFileSync(join(dir, config), JSON.stringify({ extends: './tsconfig.base.json', compilerOptions: { noEmit: !emit }, files }));
  return run(process.execPath, [TSC, '-p', config], { cwd: dir });
}

/** The named ```ts blocks of docs/library.md (each preceded by `<!-- example: NAME -->`). */
export function docExamples(): Map<string, string> {
  const text = readFileSync(join(REPO, 'docs/library.md'), 'utf8');
  const out = new Map<string, string>();
  for (const m of text.matchAll(/<!-- example: ([a-z-]+) -->\n```ts\n([\s\S]*?)```/g)) out.set(m[1]!, m[2]!);
  return out;
}
