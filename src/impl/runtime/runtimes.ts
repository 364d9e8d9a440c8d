/**
 * Choosing the OCI runtime and finding conmon. `--runtime` (or skiff.conf `engine.runtime`)
 * names one from `engine.runtimes`, or gives a path to any OCI runtime (kata, runsc …), which is
 * then used as told. With no choice, skiff takes the first runtime that actually works here:
 * crun 1.8 installs fine but refuses cgroup-v1 hybrid hosts at create time, so "installed" is
 * not enough. The probe result is cached in the runroot (tmpfs: it is redone after a reboot,
 * or when the binary changes).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, delimiter, join } from 'node:path';
import type { SkiffConfig } from '../../core/config/types.js';
import { notFound } from '../../core/errdefs.js';
import { exitCodeForStartError } from '../../core/oci-runtime/errors.js';
import { ConmonRuntime } from './conmon-runtime.js';
import { runtimeMessage } from './oci-cli.js';

export interface RuntimeChoice {
  name: string;
  path: string;
}

export interface ProbeResult {
  ok: boolean;
  /** The runtime's refusal when it does not work here. */
  reason?: string;
}

/** Podman's order: crun first when it works, then runc, then anything else configured. */
const PREFERENCE = ['crun', 'runc'];

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function firstExecutable(paths: readonly string[]): Promise<string | undefined> {
  for (const p of paths) if (await isExecutable(p)) return p;
  return undefined;
}

/** A runtime by configured name, by path, or by name on PATH. */
export async function findRuntime(nameOrPath: string, runtimes: SkiffConfig['engine']['runtimes']): Promise<RuntimeChoice> {
  if (nameOrPath.includes('/')) {
    if (await isExecutable(nameOrPath)) return { name: basename(nameOrPath), path: nameOrPath };
    throw notFound(`OCI runtime ${nameOrPath}: not an executable file`);
  }
  const configured = runtimes[nameOrPath] ?? [];
  const onPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, nameOrPath));
  const path = await firstExecutable([...configured, ...onPath]);
  if (path) return { name: nameOrPath, path };
  throw notFound(`OCI runtime ${nameOrPath} not found (looked in ${[...configured, 'PATH'].join(', ')})`);
}

export async function findConmon(paths: readonly string[]): Promise<string> {
  const found = await firstExecutable(paths);
  if (!found) throw notFound(`conmon not found (looked in ${paths.join(', ')})`);
  return found;
}

function run(path: string, args: string[], timeoutMs: number): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(path, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: timeoutMs });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    child.on('error', (e) => resolve({ code: 127, stderr: e.message }));
    child.on('close', (code) => resolve({ code: code ?? 128, stderr }));
  });
}

/**
 * Runs a container whose command does not exist, in an empty rootfs. A runtime that works gets
 * as far as exec and says "not found"; one that cannot run containers here fails earlier with
 * its reason (crun: "cgroups in hybrid mode not supported, drop all controllers from cgroupv2").
 */
export async function probeRuntime(r: RuntimeChoice, workDir: string): Promise<ProbeResult> {
  const id = `skiff-probe-${randomBytes(6).toString('hex')}`;
  const dir = join(workDir, id);
  const bundle = join(dir, 'bundle');
  const root = join(dir, 'state');
  await mkdir(join(bundle, 'rootfs'), { recursive: true });
  const spec = {
    ociVersion: '1.0.2',
    process: { terminal: false, user: { uid: 0, gid: 0 }, args: ['/skiff-probe-nonexistent'], env: ['PATH=/'], cwd: '/' },
    root: { path: 'rootfs' },
    hostname: 'probe',
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
    linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'ipc' }, { type: 'uts' }, { type: 'network' }] },
  };
  await writeFile(join(bundle, 'config.json'), JSON.stringify(spec));
  try {
    const r1 = await run(r.path, ['--root', root, 'run', '--bundle', bundle, id], 30_000);
    const msg = runtimeMessage(r1.stderr);
    if (exitCodeForStartError(msg) === 127) return { ok: true };
    return { ok: false, reason: msg || `exit status ${r1.code}` };
  } finally {
    await run(r.path, ['--root', root, 'delete', '--force', id], 30_000);
    await rm(dir, { recursive: true, force: true });
  }
}

type ProbeCache = Record<string, ProbeResult & { key: string }>;

/** probeRuntime, remembered per binary (path, size, mtime) in `<cacheDir>/probe.json`. */
export async function probeRuntimeCached(r: RuntimeChoice, cacheDir: string): Promise<ProbeResult> {
  const st = await stat(r.path);
  const key = `${st.size}:${st.mtimeMs}`;
  const file = join(cacheDir, 'probe.json');
  let cache: ProbeCache = {};
  try {
    cache = JSON.parse(await readFile(file, 'utf8')) as ProbeCache;
  } catch {
    // no cache yet, or a torn one: probe again
  }
  const hit = cache[r.path];
  if (hit?.key === key) return { ok: hit.ok, reason: hit.reason };
  await mkdir(cacheDir, { recursive: true });
  const result = await probeRuntime(r, cacheDir);
  cache[r.path] = { ...result, key };
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(cache));
  await rename(tmp, file);
  return result;
}

/**
 * The runtime to use: the one asked for (not probed: an explicit choice is honoured and fails
 * loudly), else the first configured runtime that works on this host.
 */
export async function selectRuntime(engine: SkiffConfig['engine'], runroot: string, requested?: string): Promise<RuntimeChoice> {
  const wanted = requested || engine.runtime;
  if (wanted) return findRuntime(wanted, engine.runtimes);
  const names = [...PREFERENCE.filter((n) => n in engine.runtimes), ...Object.keys(engine.runtimes).filter((n) => !PREFERENCE.includes(n))];
  const refusals: string[] = [];
  for (const name of names) {
    const path = await firstExecutable(engine.runtimes[name] ?? []);
    if (!path) continue;
    const probe = await probeRuntimeCached({ name, path }, join(runroot, 'runtime'));
    if (probe.ok) return { name, path };
    refusals.push(`${name} (${path}): ${probe.reason}`);
  }
  throw notFound(`no working OCI runtime found${refusals.length ? `: ${refusals.join('; ')}` : ` (configured: ${names.join(', ')})`}`);
}

/** The runtime layer for one runroot: the chosen runtime, its own state dir, and conmon. */
export async function openRuntime(config: SkiffConfig, runroot: string, requested?: string): Promise<ConmonRuntime> {
  const choice = await selectRuntime(config.engine, runroot, requested);
  const conmonPath = await findConmon(config.engine.conmonPath);
  return new ConmonRuntime({ ...choice, conmonPath, stateDir: join(runroot, 'runtime', choice.name) });
}
