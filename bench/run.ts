// `skiff run --rm IMAGE true` against `podman run --rm IMAGE true` (podman with runc, as on
// this host), runs interleaved so load affects both alike. Target: skiff ≤ 0.6 of podman's median.
// Run: node --import tsx bench/run.ts   (RUNS=20 by default)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { hasBinary, makeEnv } from '../test/helpers/env.js';
import { makeBusyboxTar } from '../test/helpers/busybox.js';
import { podmanPeer } from '../test/helpers/podman.js';

const RUNS = Number(process.env.RUNS ?? 20);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const env = makeEnv('skiff-bench-');
try {
  const tar = makeBusyboxTar(env.dir, join(env.dir, 'bb.tar'));
  const skiff = [join(import.meta.dirname, '../bin/skiff')];
  if (env.run(['import', tar, 'bench/busybox:1']).code !== 0) throw new Error('skiff import failed');
  let podmanArgs: string[] | undefined;
  const penv = { ...env.env, CONTAINERS_CONF: join(env.dir, 'containers.conf') };
  if (hasBinary('podman')) {
    const peer = podmanPeer(env.dir, { baseEnv: env.env });
    Object.assign(penv, peer.env);
    podmanArgs = peer.args;
    timed('podman', [...podmanArgs, 'import', tar, 'bench/busybox:1'], penv);
  }
  console.log(`| network | skiff median ms | podman median ms | skiff / podman |`);
  console.log('|---|---|---|---|');
  // none: the runtime path alone; bridge: the default network (netavark for both).
  for (const net of ['none', 'bridge']) {
    const skiffRun = [...skiff, 'run', '--rm', ...(net === 'none' ? ['--network', 'none'] : []), 'bench/busybox:1', 'true'];
    const podmanRun = podmanArgs && [...podmanArgs, 'run', '--rm', '--network', net, 'bench/busybox:1', 'true'];
    for (let i = 0; i < 2; i++) {
      timed(process.execPath, skiffRun, env.env);
      if (podmanRun) timed('podman', podmanRun, penv);
    }
    const skiffTimes: number[] = [];
    const podmanTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      skiffTimes.push(timed(process.execPath, skiffRun, env.env));
      if (podmanRun) podmanTimes.push(timed('podman', podmanRun, penv));
    }
    const sk = median(skiffTimes);
    const pm = podmanRun ? median(podmanTimes) : NaN;
    console.log(`| ${net} | ${sk.toFixed(0)} | ${podmanRun ? pm.toFixed(0) : 'n/a'} | ${podmanRun ? (sk / pm).toFixed(2) : 'n/a'} |`);
  }
  console.log(`\n${RUNS} runs each, interleaved; target (issue 3): skiff ≤ 0.6 of podman.`);
  if (podmanArgs) spawnSync('podman', [...podmanArgs, 'system', 'reset', '-f'], { env: penv, stdio: 'ignore' });
} finally {
  env.cleanup();
}
