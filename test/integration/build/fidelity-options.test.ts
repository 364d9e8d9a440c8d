// docker build's options for RUN containers and the cache (issue 15, point 9), through skiff's CLI
// and through the docker CLI's classic builder against skiff's service: --add-host in
// /etc/hosts, --ulimit, --shm-size, --cpuset-cpus, --memory/--memory-swap and the CPU CFS flags
// as each RUN sees them (this host's cgroup v1 files), --network; --cache-from, where only the
// named images prime the cache, against dockerd 20.10's classic builder when one can start.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { apiEnv, type ApiEnv } from '../api/fixtures.js';
import { IMAGE } from '../containers/fixtures.js';
import { startDockerd, dockerdNeeds, type Dockerd } from '../../helpers/dockerd.js';
import { need, tool, unmet } from '../../helpers/requires.js';

const skipDocker = unmet(tool('docker'));
const skipCompose = unmet(tool('docker-compose'));
const skipPython = unmet(
  tool('python3'),
  need(spawnSync('python3', ['-c', 'import docker']).status === 0, 'python3-docker', 'scripts/setup.sh installs the Debian package python3-docker'),
);
const skipDockerd = unmet(...dockerdNeeds());

const CACHED = `FROM ${IMAGE}
RUN echo one > /one
ENV A=1
RUN echo two > /two
CMD ["cat", "/one", "/two"]
`;
/** CACHED with its third instruction changed: the first two steps may come from the cache, the rest may not. */
const CHANGED = CACHED.replace('RUN echo two > /two', 'RUN echo three > /two');

/** How many steps said "Using cache" (podman's `--> Using cache`, Docker's ` ---> Using cache`). */
function cacheHits(out: string): number {
  return out.split('\n').filter((l) => /^ ?-+> Using cache/.test(l)).length;
}

/** The image id a build ended with: skiff's last line, or Docker's `Successfully built`. */
function builtShort(out: string): string {
  const docker = /^Successfully built ([0-9a-f]{12})$/m.exec(out);
  return docker ? docker[1]! : out.trim().split('\n').at(-1)!.slice(0, 12);
}

/** What a RUN sees of its limits, one `key=value` per line (cgroup v1 paths; a missing file reads "-"). */
const PROBE = `FROM ${IMAGE}
RUN r() { cat "$1" 2>/dev/null || echo -; }; \\
    echo "hosts=$(grep -E 'probe-(a|b)' /etc/hosts | tr '\\t\\n' ' ;')"; \\
    echo "nofile=$(ulimit -Sn):$(ulimit -Hn)"; \\
    echo "shm=$(df -k /dev/shm | tail -1 | awk '{print $2}')"; \\
    echo "cpuset=$(r /sys/fs/cgroup/cpuset/cpuset.cpus)"; \\
    echo "memory=$(r /sys/fs/cgroup/memory/memory.limit_in_bytes)"; \\
    echo "memsw=$(r /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes)"; \\
    echo "shares=$(r /sys/fs/cgroup/cpu/cpu.shares)"; \\
    echo "quota=$(r /sys/fs/cgroup/cpu/cpu.cfs_quota_us)"; \\
    echo "period=$(r /sys/fs/cgroup/cpu/cpu.cfs_period_us)"; \\
    echo "links=$(ip -o link 2>/dev/null | grep -cv ': lo:')"; \\
    echo "netns=$(readlink /proc/self/ns/net)"
`;

const FLAGS = [
  '--add-host', 'probe-a:10.1.2.3',
  '--add-host', 'probe-b:10.4.5.6',
  '--ulimit', 'nofile=1000:2000',
  '--shm-size', '96m',
  '--cpuset-cpus', '0',
  '-m', '64m',
  '--memory-swap', '128m',
  '--cpu-shares', '512',
  '--cpu-quota', '50000',
  '--cpu-period', '100000',
];

/** What the probe should print for FLAGS. */
const EXPECTED: Record<string, string> = {
  hosts: '10.1.2.3 probe-a;10.4.5.6 probe-b;',
  nofile: '1000:2000',
  shm: String(96 * 1024),
  cpuset: '0',
  memory: String(64 * 1024 * 1024),
  memsw: String(128 * 1024 * 1024),
  shares: '512',
  quota: '50000',
  period: '100000',
};

function probed(out: string): Record<string, string> {
  const seen: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^(hosts|nofile|shm|cpuset|memory|memsw|shares|quota|period|links|netns)=(.*)$/.exec(line);
    if (m) seen[m[1]!] = m[2]!.trim();
  }
  return seen;
}

function pick(seen: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, seen[k] ?? '(not printed)']));
}

describe('build: RUN options and --cache-from', () => {
  let s: ApiEnv;
  let n = 0;
  const context = (files: Record<string, string>): string => {
    const dir = join(s.dir, `opts-ctx-${++n}`);
    mkdirSync(dir, { recursive: true });
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
    return dir;
  };
  const skiffBuild = (dir: string, args: string[]): string => {
    const r = s.run(['build', ...args, dir]);
    assert.equal(r.code, 0, `skiff build ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const dockerBuild = (dir: string, args: string[]): string => {
    const r = s.docker(['build', ...args, dir]);
    assert.equal(r.code, 0, `docker build ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };

  // dockerd 20.10's classic builder as the reference, where one can start here.
  let d: Dockerd | undefined;
  before(async () => {
    s = await apiEnv('skiff-build-opts-');
    if (skipDockerd) return;
    d = await startDockerd(join(s.dir, 'dockerd'));
    d.dockerOk(['import', '--change', 'CMD ["/bin/sh"]', s.tar, IMAGE]);
  });
  after(async () => {
    try {
      await d?.stop();
    } finally {
      await s?.stop();
    }
  });

  test('skiff build: --add-host, --ulimit, --shm-size, --cpuset-cpus, -m, --memory-swap and the CPU flags reach each RUN container', () => {
    const dir = context({ Dockerfile: PROBE });
    const seen = probed(skiffBuild(dir, ['--no-cache', '--network', 'none', ...FLAGS]));
    assert.deepEqual(pick(seen, Object.keys(EXPECTED)), EXPECTED);
  });

  test('docker build (classic builder, skiff service): the same flags reach each RUN container as the API query sends them', { skip: skipDocker }, () => {
    const dir = context({ Dockerfile: PROBE });
    const seen = probed(dockerBuild(dir, ['--no-cache', '--network', 'none', ...FLAGS]));
    assert.deepEqual(pick(seen, Object.keys(EXPECTED)), EXPECTED);
  });

  test('python3-docker (extra_hosts, container_limits, shmsize, network_mode): the same limits reach each RUN container', { skip: skipPython }, () => {
    const dir = context({ Dockerfile: PROBE });
    const script = `
import docker
c = docker.APIClient(base_url='unix://${s.socket}', version='1.41')
for m in c.build(path='${dir}', nocache=True, network_mode='none', decode=True,
                 extra_hosts={'probe-a': '10.1.2.3', 'probe-b': '10.4.5.6'}, shmsize=${96 * 1024 * 1024},
                 container_limits={'memory': ${64 * 1024 * 1024}, 'memswap': ${128 * 1024 * 1024}, 'cpushares': 512, 'cpusetcpus': '0'}):
    if 'error' in m: raise SystemExit(m['error'])
    print(m.get('stream', ''), end='')
`;
    const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const keys = ['hosts', 'shm', 'cpuset', 'memory', 'memsw', 'shares'];
    assert.deepEqual(pick(probed(r.stdout), keys), pick(EXPECTED, keys));
  });

  test('docker-compose v1 (build: extra_hosts, shm_size, network): the same reach each RUN container', { skip: skipCompose }, () => {
    const dir = context({
      Dockerfile: PROBE,
      'docker-compose.yml': `version: "3.8"
services:
  probe:
    image: opts-compose:1
    build:
      context: .
      network: none
      shm_size: "96m"
      extra_hosts:
        - "probe-a:10.1.2.3"
        - "probe-b:10.4.5.6"
`,
    });
    const r = spawnSync('docker-compose', ['-p', 'optsprobe', 'build', '--no-cache'], {
      cwd: dir,
      env: { ...s.clientEnv, COMPOSE_DOCKER_CLI_BUILD: '0' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const keys = ['hosts', 'shm', 'links'];
    assert.deepEqual(pick(probed(r.stdout + r.stderr), keys), { ...pick(EXPECTED, ['hosts', 'shm']), links: '0' });
  });

  test('raw POST /build: extrahosts as one comma-joined string (the swagger\'s type) and ulimits as JSON reach each RUN container', { skip: unmet(tool('tar')) }, async () => {
    const dir = context({ Dockerfile: PROBE });
    const body = spawnSync('tar', ['-c', '-C', dir, '.']).stdout;
    const query = new URLSearchParams({
      nocache: '1',
      networkmode: 'none',
      extrahosts: 'probe-a:10.1.2.3,probe-b:10.4.5.6',
      ulimits: JSON.stringify([{ Name: 'nofile', Soft: 1000, Hard: 2000 }]),
      shmsize: String(96 * 1024 * 1024),
    });
    const text = await new Promise<string>((resolve, reject) => {
      const req = request({ socketPath: s.socket, method: 'POST', path: `/v1.41/build?${query}`, headers: { 'Content-Type': 'application/x-tar' } }, (res) => {
        let out = '';
        res.on('data', (c: Buffer) => (out += c.toString()));
        res.on('end', () => resolve(out));
      });
      req.on('error', reject);
      req.end(body);
    });
    const stream = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { stream?: string; error?: string });
    assert.equal(stream.find((m) => m.error)?.error, undefined);
    const keys = ['hosts', 'nofile', 'shm'];
    assert.deepEqual(pick(probed(stream.map((m) => m.stream ?? '').join('')), keys), pick(EXPECTED, keys));
  });

  test('dockerd 20.10\'s classic builder gives its RUN containers the same, for the same flags', { skip: skipDockerd }, () => {
    const dir = context({ Dockerfile: PROBE });
    const r = d!.docker(['build', '--no-cache', '--network', 'none', ...FLAGS, dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(pick(probed(r.stdout), Object.keys(EXPECTED)), EXPECTED);
  });

  test('without the flags a RUN has no added hosts and the default /dev/shm (64 MiB), no memory limit and every CPU', () => {
    const dir = context({ Dockerfile: PROBE });
    const seen = probed(skiffBuild(dir, ['--no-cache', '--network', 'none']));
    assert.equal(seen.hosts, '');
    assert.equal(seen.shm, String(64 * 1024));
    assert.notEqual(seen.memory, EXPECTED.memory);
    assert.notEqual(seen.cpuset, '0');
  });

  test('-m alone: the swap limit is twice the memory limit (dockerd\'s default on cgroup v1), through both CLIs', { skip: skipDocker }, () => {
    const dir = context({ Dockerfile: PROBE });
    const want = { memory: String(64 * 1024 * 1024), memsw: String(128 * 1024 * 1024) };
    assert.deepEqual(pick(probed(skiffBuild(dir, ['--no-cache', '--network', 'none', '-m', '64m'])), ['memory', 'memsw']), want);
    assert.deepEqual(pick(probed(dockerBuild(dir, ['--no-cache', '--network', 'none', '-m', '64m'])), ['memory', 'memsw']), want);
  });

  test('--network none / networkmode=none: a RUN has only loopback; the default gives it an interface', { skip: skipDocker }, () => {
    const dir = context({ Dockerfile: PROBE });
    assert.equal(probed(skiffBuild(dir, ['--no-cache', '--network', 'none'])).links, '0');
    assert.equal(probed(dockerBuild(dir, ['--no-cache', '--network', 'none'])).links, '0');
    assert.equal(probed(dockerBuild(dir, ['--no-cache'])).links, '1');
  });

  test('--network NAME / networkmode=NAME: a RUN joins that network; host: the host\'s network namespace, and --add-host entries still in /etc/hosts', { skip: skipDocker }, () => {
    const dir = context({ Dockerfile: PROBE });
    s.ok(['network', 'create', 'opts-net']);
    try {
      assert.equal(probed(skiffBuild(dir, ['--no-cache', '--network', 'opts-net'])).links, '1');
      assert.equal(probed(dockerBuild(dir, ['--no-cache', '--network', 'opts-net'])).links, '1');
    } finally {
      s.ok(['network', 'rm', 'opts-net']);
    }
    const hostNetns = readlinkSync('/proc/self/ns/net');
    // --add-host with the host's network: the entries still reach /etc/hosts, as with dockerd.
    const hostNet = probed(skiffBuild(dir, ['--no-cache', '--network', 'host', '--add-host', 'probe-a:10.1.2.3']));
    assert.equal(hostNet.hosts, '10.1.2.3 probe-a;');
    assert.equal(probed(dockerBuild(dir, ['--no-cache', '--network', 'host', '--add-host', 'probe-a:10.1.2.3'])).hosts, '10.1.2.3 probe-a;');
    // run shares the hosts file writer: the same there.
    assert.match(s.ok(['run', '--rm', '--network', 'host', '--add-host', 'probe-a:10.1.2.3', IMAGE, 'cat', '/etc/hosts']), /^10\.1\.2\.3\tprobe-a$/m);
    assert.equal(probed(skiffBuild(dir, ['--no-cache', '--network', 'host'])).netns, hostNetns);
    assert.equal(probed(dockerBuild(dir, ['--no-cache', '--network', 'host'])).netns, hostNetns);
  });

  test('--add-host NAME:host-gateway: NAME is the host\'s address on the RUN container\'s network (its gateway)', { skip: skipDocker }, () => {
    const dir = context({
      Dockerfile: `FROM ${IMAGE}\nRUN echo "hg=$(grep -E '\\shg$' /etc/hosts | cut -f1)"; echo "gw=$(ip route | awk '/^default/ {print $3}')"\n`,
    });
    for (const out of [skiffBuild(dir, ['--no-cache', '--add-host', 'hg:host-gateway']), dockerBuild(dir, ['--no-cache', '--add-host', 'hg:host-gateway'])]) {
      const hg = /^hg=(.*)$/m.exec(out)?.[1];
      const gw = /^gw=(.*)$/m.exec(out)?.[1];
      assert.ok(gw && /^\d+\.\d+\.\d+\.\d+$/.test(gw), out);
      assert.equal(hg, gw, out);
    }
  });

  test('bad values are refused before any step; what the docker CLI passes on is refused by the service in skiff\'s words', { skip: skipDocker }, () => {
    const dir = context({ Dockerfile: PROBE });
    const cases: [string[], boolean][] = [
      [['--ulimit', 'nofile=20:10'], false],
      [['--add-host', 'nocolon'], false],
      [['-m', '1k'], true],
      [['--cpuset-cpus', '0-999'], true],
      [['--cpu-period', '10'], true],
    ];
    for (const [flags, sameWords] of cases) {
      const a = s.run(['build', ...flags, dir]);
      const b = s.docker(['build', ...flags, dir]);
      assert.equal(a.code, 125, `skiff build ${flags.join(' ')}: ${a.stderr}`);
      assert.notEqual(b.code, 0, `docker build ${flags.join(' ')}: ${b.stderr}`);
      assert.doesNotMatch(a.stdout + b.stdout, /^(Step|STEP) /m);
      if (!sameWords) continue;
      const word = (/Error: (.*)/.exec(a.stderr)?.[1] ?? a.stderr).trim();
      assert.ok(b.stderr.includes(word), `docker: ${b.stderr}\nskiff: ${a.stderr}`);
    }
  });

  describe('--cache-from', () => {
    // The same sequence against dockerd 20.10's classic builder first.
    const ref: Record<string, number | string> = {};
    before(() => {
      if (!d) return;
      const dir = context({ Dockerfile: CACHED });
      const build = (args: string[], dockerfile = CACHED) => {
        writeFileSync(join(dir, 'Dockerfile'), dockerfile);
        // A build on a loaded CI machine can outlast the helper's default minute.
        const r = d!.docker(['build', ...args, dir], { timeoutMs: 240_000 });
        assert.equal(r.code, 0, `docker build ${args.join(' ')} (private dockerd) exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
        return r.stdout;
      };
      ref.first = builtShort(build(['-t', 'cf:a']));
      ref.otherHits = cacheHits(build(['--cache-from', 'nope:1']));
      const named = build(['--cache-from', 'cf:a']);
      ref.namedHits = cacheHits(named);
      ref.namedId = builtShort(named);
      ref.changedHits = cacheHits(build(['--cache-from', 'cf:a'], CHANGED));
      const saved = join(s.dir, 'cf-a-docker.tar');
      d.dockerOk(['save', '-o', saved, 'cf:a']);
      d.dockerOk(['rmi', '-f', 'cf:a']);
      d.dockerOk(['image', 'prune', '-f']);
      d.load(saved);
      const loaded = build(['--cache-from', 'cf:a']);
      ref.loadedHits = cacheHits(loaded);
      ref.loadedId = builtShort(loaded);
      ref.afterHits = cacheHits(build([]));
    });

    let firstId = '';
    test('given images that do not exist, the local cache of other builds is not used: every step runs', () => {
      const dir = context({ Dockerfile: CACHED });
      firstId = builtShort(skiffBuild(dir, ['-t', 'cf:a']));
      const out = skiffBuild(dir, ['--cache-from', 'nope:1']);
      assert.equal(cacheHits(out), 0, out);
      assert.notEqual(builtShort(out), firstId);
      if (d) assert.equal(ref.otherHits, 0);
    });

    test('given the image an earlier build made, every step comes from the cache and the result is that image', () => {
      const dir = context({ Dockerfile: CACHED });
      const out = skiffBuild(dir, ['--cache-from', 'cf:a', '-t', 'cf:b']);
      assert.equal(cacheHits(out), 4, out);
      assert.equal(builtShort(out), firstId);
      assert.equal(s.ok(['image', 'inspect', '--format', '{{.Id}}', 'cf:b']).trim().slice(7, 19), firstId);
      if (d) {
        assert.equal(ref.namedHits, 4);
        assert.equal(ref.namedId, ref.first);
      }
    });

    test('a changed instruction takes the steps before it from the named image and runs the rest', () => {
      const dir = context({ Dockerfile: CHANGED });
      const out = skiffBuild(dir, ['--cache-from', 'cf:a']);
      assert.equal(cacheHits(out), 2, out);
      if (d) assert.equal(ref.changedHits, 2);
    });

    test('given an image built with --label, a build without it takes every step but is not that image: it has no such label', () => {
      const dir = context({ Dockerfile: CACHED });
      const labelled = builtShort(skiffBuild(dir, ['--label', 'extra=yes', '-t', 'cf:labelled']));
      const out = skiffBuild(dir, ['--cache-from', 'cf:labelled', '-t', 'cf:plain']);
      assert.equal(cacheHits(out), 4, out);
      assert.notEqual(builtShort(out), labelled);
      const labels = s.ok(['image', 'inspect', '--format', '{{json .Config.Labels}}', 'cf:plain']).trim();
      assert.doesNotMatch(labels, /extra/);
      s.ok(['rmi', 'cf:labelled', 'cf:plain']);
    });

    test('through the docker CLI (cachefrom): every step from the cache, Successfully built the named image', { skip: skipDocker }, () => {
      const dir = context({ Dockerfile: CACHED });
      const out = dockerBuild(dir, ['--cache-from', 'cf:a']);
      assert.equal(cacheHits(out), 4, out);
      assert.equal(builtShort(out), firstId);
      const none = dockerBuild(dir, ['--cache-from', 'nope:1']);
      assert.equal(cacheHits(none), 0, none);
    });

    test('an image loaded from elsewhere (no build cache behind it) primes the cache by its history; a build without --cache-from does not use it', () => {
      const saved = join(s.dir, 'cf-a.tar');
      s.ok(['save', '-o', saved, 'cf:a']);
      s.ok(['rmi', '-f', 'cf:a', 'cf:b']);
      s.ok(['image', 'prune', '-f']);
      s.ok(['builder', 'prune', '-af']);
      s.ok(['load', '-i', saved]);
      const dir = context({ Dockerfile: CACHED });
      const out = skiffBuild(dir, ['--cache-from', 'cf:a', '-t', 'cf:c']);
      assert.equal(cacheHits(out), 4, out);
      assert.equal(builtShort(out), firstId);
      assert.equal(s.ok(['run', '--rm', '--network', 'none', 'cf:c']), 'one\ntwo\n');
      const plain = skiffBuild(dir, []);
      assert.equal(cacheHits(plain), 0, plain);
      if (d) {
        assert.equal(ref.loadedHits, 4);
        assert.equal(ref.loadedId, ref.first);
        assert.equal(ref.afterHits, 0);
      }
    });

    test('an image dockerd 20.10 built on the same base, loaded here, primes the cache: its RUN steps are taken and the result is that image', { skip: skipDockerd }, () => {
      // The base goes to dockerd as skiff has it, so both builds start from the same history and layers.
      const base = join(s.dir, 'bb-base.tar');
      s.ok(['save', '-o', base, IMAGE]);
      const loaded = /Loaded image: (\S+)/.exec(d!.dockerOk(['load', '-i', base]))?.[1];
      assert.ok(loaded, 'docker load named the image');
      d!.dockerOk(['tag', loaded, 'skiff-base:1']);
      const runsOnly = `FROM skiff-base:1\nRUN echo one > /one\nRUN echo two > /two\n`;
      const dir = context({ Dockerfile: runsOnly });
      const r = d!.docker(['build', '-t', 'from-dockerd:1', dir]);
      assert.equal(r.code, 0, r.stderr);
      const dockerId = builtShort(r.stdout);
      const saved = join(s.dir, 'from-dockerd.tar');
      d!.dockerOk(['save', '-o', saved, 'from-dockerd:1']);
      s.ok(['load', '-i', saved]);
      s.ok(['tag', IMAGE, 'skiff-base:1']);
      const out = skiffBuild(dir, ['--cache-from', 'from-dockerd:1', '-t', 'from-dockerd:2']);
      assert.equal(cacheHits(out), 2, out);
      assert.equal(builtShort(out), dockerId);
      assert.equal(s.ok(['run', '--rm', '--network', 'none', 'from-dockerd:2', 'cat', '/one', '/two']), 'one\ntwo\n');
    });
  });
});
