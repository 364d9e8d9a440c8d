// `compose up -d` of a 6-service project (no build) side by side, rounds interleaved so the
// machine's load falls on every side alike (issue 16): skiff's own `compose` (daemonless, in the
// CLI process), docker-compose v1 over skiff's API service, and podman-compose with podman.
// Target: skiff ≤ 0.5 × the faster of the two peers, by median.
// Run: node --import tsx bench/compose-up.ts   (ROUNDS=5 by default)
// Each side gets its own project name; each round is `up -d` (timed) then `down -v` (not timed),
// so every timed `up` starts from nothing but the image. podman runs as test/helpers/podman.ts
// sets it up (its own root, runc, cgroupfs); podman-compose 1.0.3 puts the services in a pod.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { hasBinary, makeEnv, SKIFF_BIN } from '../test/helpers/env.js';
import { makeBusyboxTar } from '../test/helpers/busybox.js';
import { podmanPeer } from '../test/helpers/podman.js';
import { privateNetworkConfig } from '../test/integration/network/fixtures.js';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const IMAGE = 'bench/bb:1';
const PORT = 18000 + (process.pid % 1000);

for (const tool of ['docker-compose', 'podman-compose', 'podman']) {
  if (!hasBinary(tool)) {
    console.error(`${tool} is not installed: scripts/setup.sh installs it`);
    process.exit(1);
  }
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;

const COMPOSE = `version: "3"
services:
  db:
    image: ${IMAGE}
    command: sleep 3600
    environment: [ROLE=db]
    volumes: [data:/data]
  cache:
    image: ${IMAGE}
    command: sleep 3600
    environment: [ROLE=cache]
  web:
    image: ${IMAGE}
    command: sleep 3600
    ports: ["${PORT}:80"]
    depends_on: [db, cache]
  worker1:
    image: ${IMAGE}
    command: sleep 3600
    depends_on: [db]
  worker2:
    image: ${IMAGE}
    command: sleep 3600
    depends_on: [db]
  worker3:
    image: ${IMAGE}
    command: sleep 3600
    depends_on: [db]
volumes:
  data: {}
`;

function must(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): void {
  const r = spawnSync(cmd, args, { env, cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr.slice(-2000)}`);
}

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): number {
  const t = process.hrtime.bigint();
  must(cmd, args, env, cwd);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((res) => {
    const s = connect(path);
    s.once('connect', () => (s.destroy(), res(true)));
    s.once('error', () => res(false));
  });
}

const env = makeEnv('skiff-bench-compose-');
privateNetworkConfig(env.dir);
let service: ChildProcess | undefined;
const project = join(env.dir, 'project');
mkdirSync(project);
writeFileSync(join(project, 'docker-compose.yml'), COMPOSE);
const podman = podmanPeer(env.dir);
const podmanArgs = podman.args.join(' ');

interface Side {
  name: string;
  up(): number;
  down(): void;
}

try {
  const tar = makeBusyboxTar(env.dir, join(env.dir, 'busybox.tar'));
  must(process.execPath, [SKIFF_BIN, 'import', '--change', 'CMD ["/bin/sh"]', tar, IMAGE], env.env);
  const archive = join(env.dir, 'image.tar');
  must(process.execPath, [SKIFF_BIN, 'save', '-o', archive, IMAGE], env.env);
  must('podman', [...podman.args, 'load', '-i', archive], podman.env);

  const sock = join(env.dir, 'skiff.sock');
  service = spawn(process.execPath, [SKIFF_BIN, 'system', 'service', '--time', '0', `unix://${sock}`], {
    env: env.env,
    stdio: ['ignore', openSync(join(env.dir, 'service.log'), 'a'), openSync(join(env.dir, 'service.log'), 'a')],
  });
  for (let i = 0; i < 200 && !(await socketAnswers(sock)); i++) await new Promise((r) => setTimeout(r, 50));
  const dockerEnv = { ...process.env, DOCKER_HOST: `unix://${sock}` };

  const sides: Side[] = [
    {
      name: 'skiff compose',
      up: () => timed(process.execPath, [SKIFF_BIN, 'compose', '-p', 'bs', 'up', '-d'], env.env, project),
      down: () => must(process.execPath, [SKIFF_BIN, 'compose', '-p', 'bs', 'down', '-v', '-t', '0'], env.env, project),
    },
    {
      name: 'docker-compose v1 → skiff API',
      up: () => timed('docker-compose', ['-p', 'bd', 'up', '-d'], dockerEnv, project),
      down: () => must('docker-compose', ['-p', 'bd', 'down', '-v', '-t', '0'], dockerEnv, project),
    },
    {
      name: 'podman-compose + podman',
      up: () => timed('podman-compose', ['--podman-args', podmanArgs, '-p', 'bp', 'up', '-d'], podman.env, project),
      down: () => must('podman-compose', ['--podman-args', podmanArgs, '-p', 'bp', 'down', '-v', '-t', '0'], podman.env, project),
    },
  ];
  const times = new Map<string, number[]>(sides.map((s) => [s.name, []]));
  const before = loadavg();
  for (let r = 0; r < ROUNDS; r++) {
    // The order turns each round: whoever goes first meets a cold page cache the least.
    for (let i = 0; i < sides.length; i++) {
      const s = sides[(r + i) % sides.length]!;
      times.get(s.name)!.push(s.up());
      s.down();
    }
  }
  const after = loadavg();
  console.log(`rounds: ${ROUNDS}; load average before ${before.map((x) => x.toFixed(1)).join(' ')}, after ${after.map((x) => x.toFixed(1)).join(' ')}`);
  console.log('| side | up -d median ms | min ms | max ms |');
  console.log('|---|---:|---:|---:|');
  for (const [name, xs] of times) console.log(`| ${name} | ${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)} |`);
  const skiff = median(times.get('skiff compose')!);
  const peer = Math.min(median(times.get('docker-compose v1 → skiff API')!), median(times.get('podman-compose + podman')!));
  console.log(`skiff / the faster peer: ${(skiff / peer).toFixed(2)} (target ≤ 0.5)`);
} finally {
  service?.kill('SIGTERM');
  spawnSync('podman', [...podman.args, 'pod', 'rm', '-af', '-t', '0'], { env: podman.env });
  spawnSync('podman', [...podman.args, 'rm', '-af', '-t', '0'], { env: podman.env });
  spawnSync('podman', [...podman.args, 'system', 'reset', '-f'], { env: podman.env });
  spawnSync(process.execPath, [SKIFF_BIN, 'rm', '-af', '-t', '0'], { env: env.env });
  spawnSync(process.execPath, [SKIFF_BIN, 'system', 'prune', '-af', '--volumes'], { env: env.env });
  if (existsSync(env.dir)) env.cleanup();
}
