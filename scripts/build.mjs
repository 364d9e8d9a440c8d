// Bundles the CLI (with code splitting, so each verb loads only its own chunk) and the library.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

const external = ['better-sqlite3', 'koffi'];
// CJS dependencies bundled into ESM still call require() for node builtins.
const banner = {
  js: "import { createRequire as __skiffCreateRequire } from 'node:module'; const require = __skiffCreateRequire(import.meta.url);",
};
const common = { bundle: true, platform: 'node', target: 'node20', format: 'esm', sourcemap: 'linked', banner, logLevel: 'warning' };

rmSync('dist/cli', { recursive: true, force: true });
rmSync('dist/lib', { recursive: true, force: true });
await Promise.all([
  // CommonJS in one file: Node loads it faster than a tree of ESM chunks, and esbuild still
  // evaluates each lazily imported verb module only when it is first imported.
  build({ ...common, entryPoints: { main: 'src/cli/main.ts' }, outfile: 'dist/cli/main.cjs', format: 'cjs', banner: {}, external }),
  build({ ...common, entryPoints: { index: 'src/index.ts' }, outdir: 'dist/lib', packages: 'external' }),
]);
