// The floor under `run --rm IMAGE true` on this host: what any engine written in Node pays before
// its own work. Interleaved rounds of: `node -e 0`, `skiff version`, `runc run` of a prepared
// bundle (skiff's own config.json for the busybox image, no monitor), conmon + runc driven from
// this process (conmon runs `runc create`; then `runc start`, the exit file, `runc delete`:
// the runtime path of a container engine without the engine), `podman run --rm` and
// `skiff run --rm`, all with --network none; then issue 20's CLI hot paths against the same
// rounds' floors: `create`, and `ps -a`, `images`, `inspect` with OBJECTS containers and images
// (podman beside each). Medians in ms.
// Run: node --import tsx bench/run-floor.ts   (RUNS=20, OBJECTS=100 by default)
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { hasBinary, makeEnv } from '../test/helpers/env.js';
import { makeBusyboxRootfs, tarDir } from '../test/helpers/busybox.js';
import { podmanPeer } from '../test/helpers/podman.js';

const RUNS = Number(process.env.RUNS ?? 20);
const OBJECTS = Number(process.env.OBJECTS ?? 100);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const now = () => Number(process.hrtime.bigint()) / 1e6;

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd?: string): number {
  const t = now();
  const r = spawnSync(cmd, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return now() - t;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: ${code} ${err}`))));
  });
}

/** conmon (as skiff starts it, minus the attach) + runc, phases in ms. */
async function conmonRound(bundle: string, state: string, n: number): Promise<Record<string, number>> {
  const id = `floor-${process.pid}-${n}`;
  const exits = join(bundle, 'exits');
  const t0 = now();
  const argv = [
    '--api-version', '1', '-c', id, '-u', id, '-r', '/usr/sbin/runc', '-b', bundle, '-p', join(bundle, `pid-${id}`), '-n', id,
    '--exit-dir', exits, '--full-attach', '-l', `k8s-file:${join(bundle, `log-${id}`)}`, '--log-level', 'warning',
    '--runtime-arg=--root', `--runtime-arg=${state}`, '--conmon-pidfile', join(bundle, `conmon-${id}`),
  ];
  const env = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4' };
  const child: ChildProcess = spawn('/usr/bin/conmon', argv, { cwd: bundle, env, detached: true, stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
  const fds = child.stdio as unknown as (Readable | Writable | null)[];
  const line = new Promise<string>((resolve, reject) => {
    let buf = '';
    (fds[3] as Readable).on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
    });
    (fds[3] as Readable).on('end', () => reject(new Error('conmon closed its sync pipe')));
  });
  (fds[4] as Writable).write(Buffer.from([0]));
  const pid = (JSON.parse(await line) as { data: number }).data;
  if (pid <= 0) throw new Error(`conmon: create failed (${pid})`);
  for (const s of child.stdio) s?.destroy();
  child.unref();
  const t1 = now();
  await run('/usr/sbin/runc', ['--root', state, 'start', id]);
  const t2 = now();
  while (!existsSync(join(exits, id))) await new Promise((r) => setTimeout(r, 0.2));
  const t3 = now();
  await run('/usr/sbin/runc', ['--root', state, 'delete', '--force', id]);
  const t4 = now();
  for (const f of [join(exits, id), join(bundle, `pid-${id}`), join(bundle, `log-${id}`), join(bundle, `conmon-${id}`)]) rmSync(f, { force: true });
  return { create: t1 - t0, start: t2 - t1, exit: t3 - t2, delete: t4 - t3, total: t4 - t0 };
}

const env = makeEnv('skiff-floor-');
try {
  const rootfsDir = makeBusyboxRootfs(join(env.dir, 'busybox-rootfs'));
  const tar = tarDir(rootfsDir, join(env.dir, 'bb.tar'));
  const skiff = join(import.meta.dirname, '../bin/skiff');
  if (env.run(['import', tar, 'bench/busybox:1']).code !== 0) throw new Error('skiff import failed');

  // A bundle with skiff's own spec for this image (seccomp, namespaces, mounts), on a plain dir.
  const id = env.run(['run', '-d', '--network', 'none', 'bench/busybox:1', 'sleep', '100']).stdout.trim();
  const spec = JSON.parse(readFileSync(join(env.runroot, 'containers', id, 'bundle/config.json'), 'utf8'));
  const bundle = join(env.dir, 'bundle');
  mkdirSync(join(bundle, 'exits'), { recursive: true });
  for (const f of ['hosts', 'hostname', 'resolv.conf']) {
    writeFileSync(join(bundle, f), readFileSync(join(env.root, 'containers', id, 'userdata', f)));
  }
  env.run(['rm', '-f', id]);
  spec.root = { path: rootfsDir, readonly: false };
  spec.process.args = ['true'];
  spec.linux.cgroupsPath = '/skiff_parent/floor';
  for (const m of spec.mounts as { source: string }[]) if (m.source.startsWith(env.root)) m.source = join(bundle, m.source.split('/').pop()!);
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
  const state = join(env.dir, 'runc-state');

  const { args: podmanArgs, env: penv } = podmanPeer(env.dir, { baseEnv: env.env });
  const podman = hasBinary('podman');
  if (podman) {
    timed('podman', [...podmanArgs, 'import', tar, 'bench/busybox:1'], penv);
  }

  // OBJECTS created containers and OBJECTS images (tags of one image are one image to `images`:
  // commits of a container each make their own) on both sides.
  const peers: [string, string[], NodeJS.ProcessEnv][] = [['skiff', [skiff], env.env]];
  if (podman) peers.push(['podman', podmanArgs, penv]);
  for (const [name, argv, e] of peers) {
    const cmd = name === 'skiff' ? process.execPath : 'podman';
    for (let k = 0; k < OBJECTS; k++) {
      timed(cmd, [...argv, 'create', '--network', 'none', '--name', `obj${k}`, 'bench/busybox:1', 'true'], e);
      timed(cmd, [...argv, 'commit', '-q', `obj${k}`, `bench/img${k}:1`], e);
    }
  }

  const rows: Record<string, number[]> = {};
  const add = (k: string, v: number) => (rows[k] ??= []).push(v);
  for (let i = -2; i < RUNS; i++) {
    const keep = i >= 0;
    const r: [string, number][] = [];
    r.push(['node -e 0', timed(process.execPath, ['-e', '0'])]);
    r.push(['skiff version', timed(process.execPath, [skiff, 'version'], env.env)]);
    r.push(['runc run (no monitor)', timed('/usr/sbin/runc', ['--root', state, 'run', `floor-run-${i + 2}`], process.env, bundle)]);
    for (const [k, v] of Object.entries(await conmonRound(bundle, state, i + 2))) r.push([`conmon + runc: ${k}`, v]);
    if (podman) r.push(['podman run --rm', timed('podman', [...podmanArgs, 'run', '--rm', '--network', 'none', 'bench/busybox:1', 'true'], penv)]);
    r.push(['skiff run --rm', timed(process.execPath, [skiff, 'run', '--rm', '--network', 'none', 'bench/busybox:1', 'true'], env.env)]);
    for (const [name, argv, e] of peers) {
      const cmd = name === 'skiff' ? process.execPath : 'podman';
      r.push([`${name} create`, timed(cmd, [...argv, 'create', '--network', 'none', '--name', `hot${i + 2}`, 'bench/busybox:1', 'true'], e)]);
      r.push([`${name} ps -a`, timed(cmd, [...argv, 'ps', '-a'], e)]);
      r.push([`${name} images`, timed(cmd, [...argv, 'images'], e)]);
      r.push([`${name} inspect`, timed(cmd, [...argv, 'inspect', `obj${i + 2}`], e)]);
      timed(cmd, [...argv, 'rm', `hot${i + 2}`], e);
    }
    if (keep) for (const [k, v] of r) add(k, v);
  }
  console.log('| what | median ms | min ms |');
  console.log('|---|---:|---:|');
  for (const [k, xs] of Object.entries(rows)) console.log(`| ${k} | ${median(xs).toFixed(1)} | ${Math.min(...xs).toFixed(1)} |`);
  const m = (k: string) => median(rows[k] ?? [NaN]);
  const node = m('node -e 0');
  const floor = node + m('runc run (no monitor)');
  console.log(`\n${RUNS} interleaved rounds, ${OBJECTS} containers and images; issue 20's targets over the floors:`);
  console.log('| path | skiff − floor ms | target | podman − floor ms |');
  console.log('|---|---:|---:|---:|');
  console.log(`| run --rm (floor: node + runc run) | ${(m('skiff run --rm') - floor).toFixed(1)} | ≤ 40 | ${(m('podman run --rm') - floor).toFixed(1)} |`);
  for (const v of ['create', 'ps -a', 'images', 'inspect']) {
    console.log(`| ${v} (floor: node -e 0) | ${(m(`skiff ${v}`) - node).toFixed(1)} | ≤ 25 | ${(m(`podman ${v}`) - node).toFixed(1)} |`);
  }
  if (podman) spawnSync('podman', [...podmanArgs, 'system', 'reset', '-f'], { env: penv, stdio: 'ignore' });
} finally {
  env.cleanup();
}
