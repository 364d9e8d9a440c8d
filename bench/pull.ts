// `skiff pull` against `podman pull` and `skopeo copy docker://… oci:DIR` of one ≥200 MB,
// 6-layer image (busybox + 5 layers of mostly incompressible files) from docker-registry on
// loopback. Rounds are interleaved, the order rotating, every pull into fresh storage; `sync`
// runs before each timed pull so writeback of the last one's files does not land in the next.
// Target (issue 4): skiff no slower than podman.
//
//   node --import tsx bench/pull.ts          (ROUNDS=5 by default, LAYER_MB=48)
//   TOOLS=skiff,skopeo node --import tsx bench/pull.ts   (only those; the ratio column stays / podman)
//   SERVE=1 node --import tsx bench/pull.ts  (sets the registry up, prints the reference and
//                                            keeps serving until interrupted: for profiling)
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { hasBinary, makeEnv, removeTree, SKIFF_BIN, type TestEnv } from '../test/helpers/env.js';
import { makeBusyboxTar, tarDir } from '../test/helpers/busybox.js';
import { writeOciArchive } from '../test/helpers/oci-archive.js';
import { startRegistry } from '../test/integration/registry/fixtures.js';
import { podmanPeer } from '../test/helpers/podman.js';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const LAYER_MB = Number(process.env.LAYER_MB ?? 48);
const LAYERS = 5;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function must(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const cpu: Map<string, number[]> = new Map();

/** Wall ms of one command; its CPU ms (user + system, children included) go to `cpu`. */
function timed(label: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv): number {
  spawnSync('sync');
  const t = process.hrtime.bigint();
  // `times` prints the shell's, then its children's user and system time ("0m1.250s 0m0.310s").
  const out = must('sh', ['-c', '"$@" >/dev/null && times', 'sh', cmd, ...args], env);
  const wall = Number(process.hrtime.bigint() - t) / 1e6;
  const child = out.trim().split('\n').pop()!.match(/(\d+)m([\d.]+)s/g) ?? [];
  const ms = child.reduce((a, x) => {
    const [, m, sec] = /(\d+)m([\d.]+)s/.exec(x)!;
    return a + (Number(m) * 60 + Number(sec)) * 1000;
  }, 0);
  if (!cpu.has(label)) cpu.set(label, []);
  cpu.get(label)!.push(ms);
  return wall;
}

/**
 * One layer's tree: a few big random files, many small random ones (file creation cost), and
 * some text that gzip does squeeze, so decompression is not just copying stored blocks.
 */
function makeLayerDir(dir: string, n: number): void {
  const d = join(dir, `data${n}`);
  mkdirSync(join(d, 'small'), { recursive: true });
  const total = LAYER_MB << 20;
  let left = Math.floor(total * 0.7);
  for (let i = 0; left > 0; i++) {
    const size = Math.min(left, (1 + (i % 8)) << 20);
    writeFileSync(join(d, `blob${i}.bin`), randomBytes(size));
    left -= size;
  }
  for (let i = 0; i < 300; i++) writeFileSync(join(d, 'small', `f${i}`), randomBytes(4096 + ((i * 7919) % 60000)));
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
  const lines: string[] = [];
  for (let i = 0, size = 0; size < total * 0.2; i++) {
    const l = `${i} ${words[i % 8]} ${randomBytes(6).toString('hex')} ${words[(i * 3) % 8]} ${Math.random()}\n`;
    lines.push(l);
    size += l.length;
  }
  writeFileSync(join(d, 'log.txt'), lines.join(''));
}

const src = makeEnv('skiff-bench-pull-');
let stopRegistry = () => {};
try {
  // The image: busybox, then five data layers, loaded into skiff and pushed (gzip) once.
  const base = makeBusyboxTar(src.dir, join(src.dir, 'base.tar'));
  const tars = [base];
  for (let n = 0; n < LAYERS; n++) {
    const dir = join(src.dir, `layer${n}`);
    makeLayerDir(dir, n);
    tars.push(tarDir(dir, join(src.dir, `layer${n}.tar`)));
    rmSync(dir, { recursive: true });
  }
  await writeOciArchive(join(src.dir, 'image.tar'), [{ name: 'bench/big:1', layers: tars }]);
  for (const t of tars) rmSync(t);
  must(process.execPath, [SKIFF_BIN, 'load', '-i', join(src.dir, 'image.tar')], src.env);
  rmSync(join(src.dir, 'image.tar'));
  const reg = await startRegistry(join(src.dir, 'registry'));
  stopRegistry = reg.stop;
  const ref = `${reg.host}/bench/big:1`;
  must(process.execPath, [SKIFF_BIN, 'push', 'bench/big:1', ref], src.env);
  const inspect = JSON.parse(must('skopeo', ['inspect', '--tls-verify=false', `docker://${ref}`]));
  const raw = JSON.parse(must('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]));
  const compressed = (raw.layers as { size: number }[]).reduce((a, l) => a + l.size, 0);
  const uncompressed = Number(must('du', ['-sb', join(src.root, 'overlay')]).split('\t')[0]);
  if (process.env.SERVE) {
    console.log(`serving ${ref} (${(compressed / 1e6).toFixed(0)} MB compressed); interrupt to stop`);
    await new Promise<void>((r) => process.once('SIGINT', () => r()).once('SIGTERM', () => r()));
  } else {
    compare(ref, inspect.Layers.length, compressed, uncompressed, (raw.layers as { digest: string }[]).map((l) => l.digest));
  }
} finally {
  stopRegistry();
  src.cleanup();
}

function compare(ref: string, layers: number, compressed: number, uncompressed: number, layerDigests: string[]): void {

  const tools: { name: string; run: (i: number) => number; skip?: string }[] = [
    {
      name: 'skiff pull',
      run: () => {
        const env: TestEnv = makeEnv('skiff-bench-pull-dst-');
        try {
          return timed('skiff pull', process.execPath, [SKIFF_BIN, 'pull', '-q', ref], env.env);
        } finally {
          env.cleanup();
        }
      },
    },
    {
      // SKIFF_OTHER=path/to/bin/skiff: another build of skiff (the commit before a change) in the same rounds.
      name: 'skiff pull (other build)',
      skip: process.env.SKIFF_OTHER ? undefined : 'SKIFF_OTHER not set',
      run: () => {
        const env: TestEnv = makeEnv('skiff-bench-pull-dst-');
        try {
          return timed('skiff pull (other build)', process.execPath, [process.env.SKIFF_OTHER!, 'pull', '-q', ref], env.env);
        } finally {
          env.cleanup();
        }
      },
    },
    {
      name: 'podman pull',
      skip: hasBinary('podman') ? undefined : 'podman missing',
      run: (i) => {
        const dir = join(src.dir, `podman-${i}`);
        const { args, env: penv } = podmanPeer(dir, { storageDriver: 'overlay' });
        try {
          return timed('podman pull', 'podman', [...args, 'pull', '-q', '--tls-verify=false', ref], penv);
        } finally {
          spawnSync('podman', [...args, 'system', 'reset', '-f'], { env: penv, stdio: 'ignore' });
          removeTree(dir);
        }
      },
    },
    {
      name: 'skopeo copy → oci:',
      skip: hasBinary('skopeo') ? undefined : 'skopeo missing',
      run: (i) => {
        const dir = join(src.dir, `oci-${i}`);
        try {
          return timed('skopeo copy → oci:', 'skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${ref}`, `oci:${dir}:latest`]);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    },
    {
      // What a pull that also unpacks costs at least with these tools: skopeo's download, then
      // GNU tar unpacking each layer (gzip through tar -z), one after the other.
      name: 'skopeo copy + tar -x (floor)',
      skip: hasBinary('skopeo') ? undefined : 'skopeo missing',
      run: (i) => {
        const dir = join(src.dir, `floor-${i}`);
        const untar = layerDigests
          .map((d, n) => `mkdir -p "$1/rootfs/${n}" && tar -xzf "$1/layout/blobs/sha256/${d.slice(7)}" -C "$1/rootfs/${n}"`)
          .join(' && ');
        try {
          return timed('skopeo copy + tar -x (floor)', 'sh', [
            '-c',
            `mkdir -p "$1" && skopeo copy -q --src-tls-verify=false "docker://$2" "oci:$1/layout:latest" && ${untar}`,
            'sh',
            dir,
            ref,
          ]);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    },
  ];
  // TOOLS=skiff,skopeo leaves podman out (its pulls take as long as the other two together).
  const only = process.env.TOOLS?.split(',');
  const active = tools.filter((t) => !t.skip && (!only || only.some((o) => t.name.startsWith(o))));
  const times = new Map(active.map((t) => [t.name, [] as number[]]));
  const load0 = loadavg()[0]!;
  // Round 0 warms the registry's files into the page cache for everyone; it is not counted.
  for (let round = 0; round <= ROUNDS; round++) {
    for (let k = 0; k < active.length; k++) {
      const t = active[(k + round) % active.length]!;
      const ms = t.run(round);
      if (round > 0) times.get(t.name)!.push(ms);
      else cpu.get(t.name)?.pop();
    }
  }
  const load1 = loadavg()[0]!;
  const MB = (b: number) => (b / 1e6).toFixed(0);
  console.log(
    `Image: ${layers} layers, ${MB(compressed)} MB compressed, ${MB(uncompressed)} MB unpacked; ` +
      `${ROUNDS} rounds, interleaved; load average ${load0.toFixed(1)} → ${load1.toFixed(1)}.\n`,
  );
  const podman = times.has('podman pull') ? median(times.get('podman pull')!) : NaN;
  const skopeo = times.has('skopeo copy → oci:') ? median(times.get('skopeo copy → oci:')!) : NaN;
  const skopeoCpu = cpu.has('skopeo copy → oci:') ? median(cpu.get('skopeo copy → oci:')!) : NaN;
  const podmanCpu = cpu.has('podman pull') ? median(cpu.get('podman pull')!) : NaN;
  console.log('| tool | median ms | best ms | MB/s (compressed) | / podman | / skopeo | CPU ms (median) | CPU / podman | CPU / skopeo | all runs (ms) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const [name, xs] of times) {
    const m = median(xs);
    const c = median(cpu.get(name)!);
    console.log(
      `| ${name} | ${m.toFixed(0)} | ${Math.min(...xs).toFixed(0)} | ${(compressed / 1e3 / m).toFixed(0)} | ${(m / podman).toFixed(2)} | ${(m / skopeo).toFixed(2)} | ` +
        `${c.toFixed(0)} | ${(c / podmanCpu).toFixed(2)} | ${(c / skopeoCpu).toFixed(2)} | ${xs.map((x) => x.toFixed(0)).join(', ')} |`,
    );
  }
  for (const t of tools.filter((x) => x.skip && x.name !== 'skiff pull (other build)')) console.log(`| ${t.name} | skipped: ${t.skip} | | | | | | | | |`);
}
