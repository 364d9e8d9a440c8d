// `docker run --rm --network none IMAGE true` through skiff's API socket against the same through
// dockerd (Debian's docker.io), both driven by the same docker CLI (28), rounds interleaved so load
// affects both alike. Target (issue 7): skiff ≤ 0.7 of dockerd's median.
// Run: node --import tsx bench/api-run.ts   (RUNS=15 by default; DOCKER_CLI=path picks the client)
// SETTLE_MS (default 300) is a pause before each timed run: work a side leaves behind after its
// CLI has exited (skiff's conmon exit command is a whole `skiff container cleanup` process of
// 70–110 ms CPU; dockerd's shim teardown) must not land on the other side's next run.
//
// dockerd on this host (recorded when the bench was written, docker.io 20.10.24 + containerd 1.6.20):
// - It runs as is on the cgroup v1 hybrid hierarchy with the cgroupfs driver (no systemd here) and
//   under RLIMIT_NOFILE hard 20000 without CAP_SYS_RESOURCE: it does not try to raise its own
//   limits, and containers inherit 20000, so no --default-ulimit is needed. It warns that blkio
//   weight is unsupported, which is harmless.
// - It starts its own containerd under --exec-root, unless a system containerd listens on
//   /run/containerd/containerd.sock, which it would then share; the bench refuses that case so
//   the figures always mean "dockerd + the containerd it supervises".
// - Its own --config-file (an empty daemon.json) keeps /etc/docker/daemon.json out.
// - It bind-mounts --data-root onto itself and overlay-mounts each container's rootfs; it undoes
//   these on a clean stop, and removeTree unmounts whatever is left after a crash.
// - Started by test/helpers/dockerd.ts, as the fidelity tests start theirs.
// - PID 1 of this VM reaps the containerd shims that exit late, so no subreaper is needed.
// - The package's postinst cannot start services here (policy-rc.d), so nothing else runs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { makeEnv, SKIFF_BIN } from '../test/helpers/env.js';
import { makeBusyboxTar } from '../test/helpers/busybox.js';
import { startDockerd, type Dockerd } from '../test/helpers/dockerd.js';
import { checkPeers, DOCKER, median, p90, stopProcess, waitForSocket } from './api-sides.js';

const RUNS = Number(process.env.RUNS ?? 15);
const IMAGE = 'bench/busybox:1';
const SETTLE_MS = Number(process.env.SETTLE_MS ?? 300);

checkPeers();

function timed(args: string[], env: NodeJS.ProcessEnv): number {
  if (SETTLE_MS > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, SETTLE_MS);
  const t = process.hrtime.bigint();
  const r = spawnSync(DOCKER, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')} (${env.DOCKER_HOST}): exit ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const env = makeEnv('skiff-bench-api-');
let dockerd: Dockerd | undefined;
let service: ChildProcess | undefined;
try {
  const skiffSock = join(env.dir, 'skiff.sock');
  const d = (p: string) => join(env.dir, p);
  mkdirSync(d('docker-config'));
  const cli = { PATH: process.env.PATH, HOME: env.dir, DOCKER_BUILDKIT: '0', DOCKER_CONFIG: d('docker-config') };
  const dockerEnv: NodeJS.ProcessEnv = { ...cli };
  const skiffEnv = { ...cli, DOCKER_HOST: `unix://${skiffSock}` };

  // The same image on both sides: skiff imports the rootfs and saves it, dockerd loads that archive.
  const tar = makeBusyboxTar(env.dir, d('busybox.tar'));
  for (const args of [['import', '-c', 'CMD ["/bin/sh"]', tar, IMAGE], ['save', '-o', d('image.tar'), IMAGE]]) {
    const r = env.run(args);
    if (r.code !== 0) throw new Error(`skiff ${args[0]}: ${r.stderr}`);
  }

  dockerd = await startDockerd(d('dockerd'));
  dockerEnv.DOCKER_HOST = `unix://${dockerd.socket}`;
  dockerd.load(d('image.tar'));

  const serviceLog = d('service.log');
  service = spawn(process.execPath, [SKIFF_BIN, 'system', 'service', '--time', '0', `unix://${skiffSock}`], {
    env: env.env,
    stdio: ['ignore', openSync(serviceLog, 'a'), openSync(serviceLog, 'a')],
  });
  await waitForSocket(skiffSock, service, 'skiff system service', serviceLog);

  const versions = (e: NodeJS.ProcessEnv) =>
    spawnSync(DOCKER, ['version', '--format', '{{.Client.Version}} / {{.Server.Version}} (API {{.Server.APIVersion}})'], { env: e, encoding: 'utf8' }).stdout.trim();
  console.log(`docker CLI / dockerd: ${versions(dockerEnv)}`);
  console.log(`docker CLI / skiff:   ${versions(skiffEnv)}`);
  const loadAvg = () => loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`load average before: ${loadAvg()}\n`);

  const cases: [string, string[]][] = [
    ['`docker version` (CLI + two requests)', ['version']],
    ['`docker run --rm --network none IMAGE true`', ['run', '--rm', '--network', 'none', IMAGE, 'true']],
  ];
  console.log('| command | skiff median ms | skiff p90 | dockerd median ms | dockerd p90 | skiff / dockerd |');
  console.log('|---|---|---|---|---|---|');
  for (const [label, args] of cases) {
    for (let i = 0; i < 2; i++) {
      timed(args, skiffEnv);
      timed(args, dockerEnv);
    }
    const sk: number[] = [];
    const dk: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      // alternate who goes first, so neither always runs right after the other's cleanup
      if (i % 2 === 0) {
        sk.push(timed(args, skiffEnv));
        dk.push(timed(args, dockerEnv));
      } else {
        dk.push(timed(args, dockerEnv));
        sk.push(timed(args, skiffEnv));
      }
    }
    const f = (x: number) => x.toFixed(0);
    console.log(`| ${label} | ${f(median(sk))} | ${f(p90(sk))} | ${f(median(dk))} | ${f(p90(dk))} | ${(median(sk) / median(dk)).toFixed(2)} |`);
  }
  console.log(`\nload average after: ${loadAvg()}`);
  console.log(`${RUNS} runs each, interleaved, ${SETTLE_MS} ms pause before each; target (issue 7): skiff ≤ 0.7 of dockerd's median for run --rm.`);
} finally {
  await stopProcess(service, 10_000);
  await dockerd?.stop();
  env.cleanup();
}
