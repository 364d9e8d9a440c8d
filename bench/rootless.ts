// Rootless skiff against rootless Podman, as one real user who is not root (made with useradd,
// run through setpriv, as test/integration/rootless does): `run --rm IMAGE true` with
// `--network none` and with each engine's default rootless network (slirp4netns for both), and a
// cold small build (`--no-cache`, the base image present, RUN with --network none). Rounds are
// interleaved so load affects both alike. Podman gets runc, cgroupfs, no events, its own root.
// Run (as root): node --import tsx bench/rootless.ts   (RUNS=15 BUILDS=5 PODMAN_DRIVER=overlay by default)
import { spawnSync } from 'node:child_process';
import { chownSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SKIFF_BIN, hasBinary, removeTree } from '../test/helpers/env.js';
import { makeBusyboxRootfs, tarDir } from '../test/helpers/busybox.js';
import { makeUser } from '../test/integration/rootless/fixtures.js';

const RUNS = Number(process.env.RUNS ?? 15);
const BUILDS = Number(process.env.BUILDS ?? 5);
// Podman 4.3 picks vfs for a new rootless store here; overlay (the kernel's, as skiff uses) is the like-for-like peer.
const PODMAN_DRIVER = process.env.PODMAN_DRIVER ?? 'overlay';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const CONTAINERFILE = `FROM localhost/bench/busybox:1
RUN mkdir -p /deps && for i in $(seq 1 50); do echo "dependency $i" > /deps/dep$i.txt; done
COPY src/ /src/
RUN cat /src/*.txt /deps/*.txt | sort > /bundle.txt
CMD ["cat", "/bundle.txt"]
`;

const work = mkdtempSync('/tmp/skiff-bench-rootless-');
chmodSync(work, 0o755);
const u = makeUser();
try {
  const rootfs = join(work, 'rootfs');
  mkdirSync(rootfs);
  makeBusyboxRootfs(rootfs);
  const tar = tarDir(rootfs, join(work, 'bb.tar'));
  chmodSync(tar, 0o644);
  const xdg = join(u.home, 'xdg');
  mkdirSync(xdg, { mode: 0o700 });
  chownSync(xdg, u.uid, u.gid);
  const ctx = join(u.home, 'ctx');
  mkdirSync(join(ctx, 'src'), { recursive: true });
  writeFileSync(join(ctx, 'Containerfile'), CONTAINERFILE);
  for (let i = 0; i < 20; i++) writeFileSync(join(ctx, 'src', `f${i}.txt`), `source ${i}\n`);
  spawnSync('chown', ['-R', `${u.uid}:${u.gid}`, ctx]);
  const env: NodeJS.ProcessEnv = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: u.home,
    USER: u.name,
    LOGNAME: u.name,
    LANG: 'C.UTF-8',
    XDG_RUNTIME_DIR: xdg,
  };
  const asUser = ['--reuid', String(u.uid), '--regid', String(u.gid), '--init-groups'];
  const timed = (argv: string[]): number => {
    const t = process.hrtime.bigint();
    const r = spawnSync('setpriv', [...asUser, ...argv], { env, cwd: u.home, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${r.stderr}`);
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const skiff = [process.execPath, SKIFF_BIN];
  const podman = hasBinary('podman')
    ? ['podman', '--root', join(u.home, 'p-root'), '--runroot', join(xdg, 'p-run'), '--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--events-backend', 'none', '--storage-driver', PODMAN_DRIVER]
    : undefined;
  timed([...skiff, 'import', tar, 'localhost/bench/busybox:1']);
  if (podman) timed([...podman, 'import', tar, 'localhost/bench/busybox:1']);
  const driver = (argv: string[], fmt: string) =>
    spawnSync('setpriv', [...asUser, ...argv, 'info', '--format', fmt], { env, cwd: u.home, encoding: 'utf8' }).stdout.trim();
  console.log(`skiff storage: ${driver(skiff, '{{.store.graphDriverName}}')}; podman storage: ${podman ? driver(podman, '{{.Store.GraphDriverName}}') : 'n/a'}\n`);

  const cases: { what: string; skiff: () => string[]; podman?: () => string[]; runs: number }[] = [
    { what: '`run --rm --network none IMAGE true`', skiff: () => [...skiff, 'run', '--rm', '--network', 'none', 'localhost/bench/busybox:1', 'true'], podman: podman && (() => [...podman, 'run', '--rm', '--network', 'none', 'localhost/bench/busybox:1', 'true']), runs: RUNS },
    { what: '`run --rm IMAGE true` (default network: slirp4netns)', skiff: () => [...skiff, 'run', '--rm', 'localhost/bench/busybox:1', 'true'], podman: podman && (() => [...podman, 'run', '--rm', 'localhost/bench/busybox:1', 'true']), runs: RUNS },
  ];
  let n = 0;
  cases.push({
    what: 'cold build (`--no-cache`, 2 RUN + COPY, RUN `--network none`)',
    skiff: () => [...skiff, 'build', '--no-cache', '--network', 'none', '-t', `b:${n++}`, ctx],
    podman: podman && (() => [...podman, 'build', '--no-cache', '--layers', '--network', 'none', '-t', `b:${n++}`, ctx]),
    runs: BUILDS,
  });
  console.log(`load before: ${readFileSync('/proc/loadavg', 'utf8').trim()}\n`);
  console.log('| what | skiff median ms | podman median ms | skiff / podman |');
  console.log('|---|---:|---:|---:|');
  for (const c of cases) {
    // one warm-up round: page cache, code cache, the pause processes
    timed(c.skiff());
    if (c.podman) timed(c.podman());
    const s: number[] = [];
    const p: number[] = [];
    for (let i = 0; i < c.runs; i++) {
      s.push(timed(c.skiff()));
      if (c.podman) p.push(timed(c.podman()));
    }
    const sk = median(s);
    const pm = c.podman ? median(p) : NaN;
    console.log(`| ${c.what} | ${sk.toFixed(0)} | ${c.podman ? pm.toFixed(0) : 'n/a'} | ${c.podman ? (sk / pm).toFixed(2) : 'n/a'} |`);
  }
  console.log(`\nload after: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  console.log(`${RUNS} runs / ${BUILDS} builds each, interleaved, as user ${u.name} (uid ${u.uid}).`);
} finally {
  u.cleanup();
  removeTree(work);
}
