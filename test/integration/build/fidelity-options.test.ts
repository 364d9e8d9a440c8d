// docker build's options for RUN containers and the cache (issue 15, point 9), through skiff's CLI
// and through the docker CLI's classic builder against skiff's service: --add-host in
// /etc/hosts, --ulimit, --shm-size, --cpuset-cpus, --memory/--memory-swap and the CPU CFS flags
// as each RUN sees them (this host's cgroup v1 files), --network; --cache-from, where only the
// named images prime the cache, against dockerd 20.10's classic builder when one can start.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiEnv, type ApiEnv } from '../api/fixtures.js';
import { IMAGE } from '../containers/fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

const skipDocker = unmet(tool('docker'));

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
    echo "links=$(ip -o link 2>/dev/null | grep -cv ': lo:')"
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
    const m = /^(hosts|nofile|shm|cpuset|memory|memsw|shares|quota|period|links)=(.*)$/.exec(line);
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

  before(async () => {
    s = await apiEnv('skiff-build-opts-');
  });
  after(async () => {
    await s?.stop();
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

  test('without the flags a RUN has no added hosts and the default /dev/shm (64 MiB), no memory limit and every CPU', () => {
    const dir = context({ Dockerfile: PROBE });
    const seen = probed(skiffBuild(dir, ['--no-cache', '--network', 'none']));
    assert.equal(seen.hosts, '');
    assert.equal(seen.shm, String(64 * 1024));
    assert.notEqual(seen.memory, EXPECTED.memory);
    assert.notEqual(seen.cpuset, '0');
  });

  test('--network none / networkmode=none: a RUN has only loopback; the default gives it an interface', { skip: skipDocker }, () => {
    const dir = context({ Dockerfile: PROBE });
    assert.equal(probed(skiffBuild(dir, ['--no-cache', '--network', 'none'])).links, '0');
    assert.equal(probed(dockerBuild(dir, ['--no-cache', '--network', 'none'])).links, '0');
    assert.equal(probed(dockerBuild(dir, ['--no-cache'])).links, '1');
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
});
