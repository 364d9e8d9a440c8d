// Builds the CLI and the library.
//
// The CLI is CommonJS split per verb: `main` holds only argument parsing and the verb table;
// each verb (and the engine) is its own file, loaded by the dynamic import the verb table
// makes. Node loads CommonJS faster than ESM, and a verb never compiles code it does not run.
// bin/skiff adds a V8 code cache on top.
import { build } from 'esbuild';
import { lstatSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { precompiledComposeSchema } from './compose-validator.mjs';

function tsFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

// A dynamic import of our own source stays a runtime require of that file's own bundle, named
// through package.json's "imports" (#dist/* → ./dist/cli/*), which works from whichever bundle
// the importing code ended up in.
const splitDynamicImports = {
  name: 'split-dynamic-imports',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\//, namespace: 'file' }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const target = resolve(args.resolveDir, args.path).replace(/\.js$/, '.cjs');
      return { path: `#dist/${relative(resolve('src'), target)}`, external: true };
    });
  },
};

/** Every source file some other source file imports dynamically: each becomes its own bundle. */
function dynamicTargets(files) {
  const out = new Set();
  for (const f of files) {
    for (const m of readFileSync(f, 'utf8').matchAll(/\bimport\(\s*'(\.{1,2}\/[^']+)\.js'\s*\)/g)) {
      out.add(resolve(dirname(f), `${m[1]}.ts`));
    }
  }
  return [...out];
}

// Builtins that cost start-up time to load but are only used when a verb does real work (spawn
// runc, hash on a worker, gunzip, sockets): every import of them gets a stand-in that loads the
// real module the first time one of its members is read. Named imports (`import { spawn }`)
// are read at call time in the bundle, so a verb that never spawns never loads child_process.
const LAZY_BUILTINS = ['child_process', 'net', 'dgram', 'worker_threads', 'zlib', 'readline', 'http', 'https', 'tls', 'crypto'];
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`);
    b.onResolve({ filter }, (args) =>
      args.namespace === 'lazy-builtin' ? { path: args.path, external: true } : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' },
    );
    // An object of getters, one per export the builtin has (listed now, at build time): esbuild's
    // import interop copies the names without reading them, so nothing loads until a use.
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, async (args) => {
      const names = Object.keys(await import(`node:${args.path}`)).filter((k) => k !== 'default');
      return {
        loader: 'js',
        contents: `let real;
const load = () => (real ??= require('node:${args.path}'));
const lazy = {};
for (const k of ${JSON.stringify(names)}) Object.defineProperty(lazy, k, { enumerable: true, configurable: true, get: () => load()[k] });
module.exports = lazy;`,
      };
    });
  },
};

// better-sqlite3's JavaScript is bundled (and code-cached); its addon is loaded by path (impl/metadata/db.ts).
const external = ['koffi'];
// Built beside the current CLI and swapped in with one rename of the `dist/cli` symlink, so a
// CLI that runs during a build (a test, conmon's cleanup command) never sees a half-built tree.
const stamp = `cli-${Date.now()}-${process.pid}`;
const outCli = `dist/${stamp}`;
rmSync('dist/lib', { recursive: true, force: true });
await Promise.all([
  build({
    entryPoints: ['src/cli/main.ts', ...dynamicTargets(tsFiles('src'))],
    outbase: 'src',
    outdir: outCli,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // import() of a verb's bundle becomes require(): no ESM loader on the start-up path.
    supported: { 'dynamic-import': false },
    // Code that finds files relative to itself (createRequire(import.meta.url)) works in CommonJS too.
    define: { 'import.meta.url': '__skiffImportMetaUrl' },
    banner: { js: 'const __skiffImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
    sourcemap: 'linked',
    // Whitespace only: names stay, so stack traces still read; the linked maps give the lines.
    minifyWhitespace: true,
    logLevel: 'warning',
    external,
    plugins: [splitDynamicImports, lazyBuiltins, precompiledComposeSchema],
  }),
  build({
    entryPoints: { index: 'src/lib/index.ts' },
    outdir: 'dist/lib',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: 'linked',
    logLevel: 'warning',
    packages: 'external',
    banner: {
      js: "import { createRequire as __skiffCreateRequire } from 'node:module'; const require = __skiffCreateRequire(import.meta.url);",
    },
  }),
]);

// Swap: a new symlink renamed over the old one. A real directory left by an older build goes.
if (lstatSafe('dist/cli') && !lstatSafe('dist/cli').isSymbolicLink()) rmSync('dist/cli', { recursive: true, force: true });
const previous = lstatSafe('dist/cli') ? readlinkSync('dist/cli') : undefined;
symlinkSync(stamp, `dist/${stamp}.link`);
renameSync(`dist/${stamp}.link`, 'dist/cli');
// Keep the previous tree (a running CLI may still load verbs from it); older ones go.
for (const name of readdirSync('dist')) {
  if (/^cli-\d+-\d+$/.test(name) && name !== stamp && name !== previous) rmSync(join('dist', name), { recursive: true, force: true });
}

function lstatSafe(p) {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}
