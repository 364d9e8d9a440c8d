/**
 * The WASI launcher skiff binds into a WASM container, kept as text: it runs under the host's
 * Node inside the container, not as part of skiff. It is written once per content to the run
 * root (node-host.ts).
 *
 * argv: `<preopens as JSON> <module path> <args...>`; the module's argv is `<module path> <args...>`,
 * its environment the process's (the container's), its stdio the process's fds 0-2, and its
 * exit status the process's. Unreadable module: 127 (missing) or 126 (not WebAssembly), as a
 * shell reports a command it cannot run; a trap: 134, as wasmtime does.
 *
 * The module runs on the main thread: Node 20 aborts when a module grows its memory in a
 * worker thread under node:wasi (measured), so signals are left to an init (node-host.ts).
 */
export const LAUNCHER_SOURCE = `// skiff WASI preview 1 launcher (generated; see skiff's src/impl/wasm/launcher-source.ts)
import { WASI } from 'node:wasi';
import { readFileSync, statSync, writeSync } from 'node:fs';

function fail(code, message) {
  try { writeSync(2, 'Error: ' + message + '\\n'); } catch {}
  process.exit(code);
}

const [dirs, path, ...rest] = process.argv.slice(2);
const preopens = {};
for (const d of JSON.parse(dirs)) {
  try { if (statSync(d).isDirectory()) preopens[d] = d; } catch {}
}
let bytes;
try {
  bytes = readFileSync(path);
} catch (e) {
  const missing = e.code === 'ENOENT' || e.code === 'ENOTDIR';
  fail(missing ? 127 : 126, path + ': ' + (missing ? 'no such file or directory' : e.message));
}
let instance;
let wasi;
try {
  const mod = new WebAssembly.Module(bytes);
  // Variables Node itself would read come renamed (core/wasm/spec.ts); the module gets them back.
  const env = {};
  for (const [k, v] of Object.entries(process.env)) env[k.startsWith('SKIFF_WASM_ENV_') ? k.slice(15) : k] = v;
  wasi = new WASI({ version: 'preview1', args: [path, ...rest], env, preopens, returnOnExit: true });
  instance = new WebAssembly.Instance(mod, wasi.getImportObject());
} catch (e) {
  fail(126, path + ': cannot run this WebAssembly module: ' + e.message);
}
// Reachable through the whole run: a WASI object the GC frees during start takes the process down.
globalThis.skiffWasi = wasi;
let code;
try {
  code = wasi.start(instance);
} catch (e) {
  fail(134, path + ': ' + (e && e.message ? e.message : String(e)));
}
process.exit(code);
`;
