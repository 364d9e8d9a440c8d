/**
 * The WASI launcher skiff binds into a WASM container, kept as text: it runs under the host's
 * Node inside the container, not as part of skiff. It is written once per content to the run
 * root (node-host.ts).
 *
 * argv: `<preopens as JSON> <module path> <args...>`; the module's argv is `<module path> <args...>`
 * and its environment the process's (the container's). The module runs in a worker thread so the
 * main thread stays free for signals: as the container's PID 1, Node would otherwise ignore
 * SIGTERM (the kernel drops default-action signals to a namespace's init) and a module, having no
 * signals in WASI preview 1, could never stop on `stop`. A signal ends the process with 128+N, the
 * status Docker reports for a process killed by N.
 */
export const LAUNCHER_SOURCE = `// skiff WASI preview 1 launcher (generated; see skiff's src/impl/wasm/launcher-source.ts)
import { WASI } from 'node:wasi';
import { readFileSync, statSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { Worker, isMainThread, workerData, parentPort } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

function fail(code, message) {
  try { writeSync(2, 'Error: ' + message + '\\n'); } catch {}
  process.exit(code);
}

if (isMainThread) {
  const [dirs, path, ...rest] = process.argv.slice(2);
  const preopens = {};
  for (const d of JSON.parse(dirs)) {
    try { if (statSync(d).isDirectory()) preopens[d] = d; } catch {}
  }
  let bytes;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    fail(e.code === 'ENOENT' || e.code === 'ENOTDIR' ? 127 : 126, path + ': ' + (e.code === 'ENOENT' ? 'no such file or directory' : e.message));
  }
  let mod;
  try {
    mod = new WebAssembly.Module(bytes);
  } catch (e) {
    fail(126, path + ': not a WebAssembly module: ' + e.message);
  }
  for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGPIPE']) {
    process.on(s, () => process.exit(128 + constants.signals[s]));
  }
  const env = Object.fromEntries(Object.entries(process.env));
  const w = new Worker(fileURLToPath(import.meta.url), { workerData: { mod, args: [path, ...rest], env, preopens }, stdout: false, stderr: false });
  w.on('message', (code) => process.exit(code));
  w.on('error', (e) => fail(134, path + ': ' + (e && e.message ? e.message : String(e))));
  w.on('exit', (code) => process.exit(code));
} else {
  const { mod, args, env, preopens } = workerData;
  const wasi = new WASI({ version: 'preview1', args, env, preopens, returnOnExit: true });
  const instance = new WebAssembly.Instance(mod, wasi.getImportObject());
  parentPort.postMessage(wasi.start(instance));
}
`;
