// Cold and cached builds of one multi-stage context: `skiff build` against `podman build`
// (buildah; runc, its own root and run root, --layers), interleaved so load affects both alike.
// Cold = --no-cache with the base image present; cached = an unchanged rebuild.
// Targets (issue 5): skiff's cold build no slower than podman's, its cached rebuild ≥ 3× faster and
// under 0.5 s (the build tests only report that time: a loaded CI machine would make it flaky).
// Run: node --import tsx bench/build.ts   (COLD=5 CACHED=10 NETWORKS=none,default by default)
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasBinary, makeEnv } from '../test/helpers/env.js';
import { makeBusyboxTar } from '../test/helpers/busybox.js';
import { podmanPeer } from '../test/helpers/podman.js';

const COLD = Number(process.env.COLD ?? 5);
const CACHED = Number(process.env.CACHED ?? 10);
const NETWORKS = (process.env.NETWORKS ?? 'none,default').split(',');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const DOCKERFILE = `FROM localhost/bench/busybox:1 AS deps
RUN mkdir -p /deps && for i in $(seq 1 200); do echo "dependency $i" > /deps/dep$i.txt; done

FROM localhost/bench/busybox:1 AS build
COPY src/ /src/
COPY --from=deps /deps /deps
RUN cd /src && cat *.txt /deps/*.txt | sort > /bundle.txt && wc -l < /bundle.txt > /count

FROM localhost/bench/busybox:1
ENV APP=bench MODE=release
COPY --from=build /bundle.txt /count /app/
COPY config/ /app/config/
WORKDIR /app
RUN ls -R /app > /app/manifest && echo 'app:x:1000:1000::/app:/bin/sh' >> /etc/passwd
USER app
EXPOSE 8080
LABEL org.example.bench=build
CMD ["cat", "/app/count"]
`;

function makeContext(dir: string): void {
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'config'), { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), DOCKERFILE);
  for (let i = 0; i < 100; i++) writeFileSync(join(dir, 'src', `part${i}.txt`), `source line ${i}\n`.repeat(50));
  for (let i = 0; i < 10; i++) writeFileSync(join(dir, 'config', `app${i}.conf`), `key${i}=value${i}\n`);
}

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const env = makeEnv('skiff-bench-build-');
try {
  const tar = makeBusyboxTar(env.dir, join(env.dir, 'bb.tar'));
  const ctx = join(env.dir, 'context');
  makeContext(ctx);
  const skiff = [join(import.meta.dirname, '../bin/skiff')];
  if (env.run(['import', tar, 'localhost/bench/busybox:1']).code !== 0) throw new Error('skiff import failed');
  let podmanArgs: string[] | undefined;
  const penv = { ...env.env, CONTAINERS_CONF: join(env.dir, 'containers.conf') };
  if (hasBinary('podman')) {
    const peer = podmanPeer(env.dir, { baseEnv: env.env });
    Object.assign(penv, peer.env);
    podmanArgs = peer.args;
    timed('podman', [...podmanArgs, 'import', tar, 'localhost/bench/busybox:1'], penv);
  }
  console.log('| network | build | skiff median ms | podman median ms | skiff / podman | podman / skiff |');
  console.log('|---|---|---|---|---|---|');
  for (const net of NETWORKS) {
    const netArgs = net === 'default' ? [] : ['--network', net];
    const skiffBuild = (extra: string[]) => [...skiff, 'build', ...netArgs, ...extra, '-t', 'bench/out:1', ctx];
    const podmanBuild = (extra: string[]) => podmanArgs && [...podmanArgs, 'build', '--layers', ...netArgs, ...extra, '-t', 'bench/out:1', ctx];
    // Warm-up: one build each fills the caches the cached runs use.
    timed(process.execPath, skiffBuild([]), env.env);
    if (podmanArgs) timed('podman', podmanBuild([])!, penv);
    const results: Record<string, { skiff: number[]; podman: number[] }> = { cold: { skiff: [], podman: [] }, cached: { skiff: [], podman: [] } };
    for (let i = 0; i < COLD; i++) {
      results.cold!.skiff.push(timed(process.execPath, skiffBuild(['--no-cache']), env.env));
      if (podmanArgs) results.cold!.podman.push(timed('podman', podmanBuild(['--no-cache'])!, penv));
    }
    for (let i = 0; i < CACHED; i++) {
      results.cached!.skiff.push(timed(process.execPath, skiffBuild([]), env.env));
      if (podmanArgs) results.cached!.podman.push(timed('podman', podmanBuild([])!, penv));
    }
    for (const kind of ['cold', 'cached'] as const) {
      const sk = median(results[kind]!.skiff);
      const pm = podmanArgs ? median(results[kind]!.podman) : NaN;
      const f = (x: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(2));
      console.log(`| ${net} | ${kind} | ${sk.toFixed(0)} | ${Number.isNaN(pm) ? 'n/a' : pm.toFixed(0)} | ${f(sk / pm)} | ${f(pm / sk)} |`);
    }
  }
  console.log(`\n${COLD} cold (--no-cache) and ${CACHED} cached builds each, interleaved, after one warm-up build each.`);
  if (podmanArgs) spawnSync('podman', [...podmanArgs, 'system', 'reset', '-f'], { env: penv, stdio: 'ignore' });
} finally {
  env.cleanup();
}
