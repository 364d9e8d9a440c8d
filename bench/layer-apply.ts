// Times applying one realistic, uncompressed layer tar with the overlay driver against GNU
// `tar -xf` of the same tar, and prints a markdown table.
//
//   node --import tsx bench/layer-apply.ts [SOURCE_DIR] [RUNS]
//
// SOURCE_DIR (default /usr/share) is packed once into a temp dir (under $BENCH_DIR, default
// the OS temp dir: set BENCH_DIR=/dev/shm to take the disk out of the figures); each run
// extracts into a fresh directory. skiff also hashes the tar (diffID), which tar does not. `sync` runs before each timed extraction so that writeback of the previous
// run's files does not land in the next one's time; removal is not timed.
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createLayerDriver } from '../src/impl/layers/index.js';

const source = process.argv[2] ?? '/usr/share';
const runs = Number(process.argv[3] ?? 5);

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'skiff-bench-'));
try {
  const tar = join(dir, 'layer.tar');
  run('tar', ['--numeric-owner', '-C', '/', '-cf', tar, relative('/', source)]);
  const entries = Number(run('sh', ['-c', `tar -tf '${tar}' | wc -l`]).trim());
  const bytes = statSync(tar).size;
  const driver = createLayerDriver('overlay', join(dir, 'storage'));
  const tarTimes: number[] = [];
  const skiffTimes: number[] = [];

  for (let i = 0; i < runs; i++) {
    const out = join(dir, `tar-${i}`);
    mkdirSync(out);
    run('sync', []);
    let t0 = performance.now();
    run('tar', ['-xf', tar, '-C', out]);
    tarTimes.push(performance.now() - t0);
    rmSync(out, { recursive: true, force: true });

    const id = `run${i}`;
    driver.create(id, null);
    run('sync', []);
    t0 = performance.now();
    await driver.applyDiff(id, createReadStream(tar, { highWaterMark: 1 << 20 }));
    skiffTimes.push(performance.now() - t0);
    driver.remove(id);
  }

  const tarMs = median(tarTimes);
  const skiffMs = median(skiffTimes);
  const mb = bytes / 1e6;
  console.log(`Layer: tar of ${source}: ${mb.toFixed(0)} MB, ${entries} entries; ${runs} runs each, medians.\n`);
  console.log('| extractor | median ms | MB/s | all runs (ms) |');
  console.log('| --- | ---: | ---: | --- |');
  console.log(`| tar -xf | ${tarMs.toFixed(0)} | ${(mb / (tarMs / 1000)).toFixed(0)} | ${tarTimes.map((x) => x.toFixed(0)).join(', ')} |`);
  console.log(`| skiff applyDiff (overlay) | ${skiffMs.toFixed(0)} | ${(mb / (skiffMs / 1000)).toFixed(0)} | ${skiffTimes.map((x) => x.toFixed(0)).join(', ')} |`);
  console.log(`\nratio tar_time / skiff_time = ${(tarMs / skiffMs).toFixed(2)} (target ≥ 0.8)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
