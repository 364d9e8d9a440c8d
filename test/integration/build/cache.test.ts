// The build cache: an unchanged rebuild is all cache hits (and fast, starting no container);
// touching a file keeps the cache, changing it rebuilds from its COPY on; --no-cache, build
// args, `builder prune` and `system df`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildEnv, builtId, type BuildEnv } from './fixtures.js';

const DOCKERFILE = `FROM bb AS tools
RUN echo tool > /tool
FROM bb
ARG V=1
COPY a.txt /a
RUN cat /a > /a.copy && echo "v=$V" >> /a.copy
COPY b.txt dir/ /data/
RUN cat /data/b.txt > /b.copy
COPY --from=tools /tool /tool
ENV X=1
WORKDIR /data
LABEL built=yes
CMD ["cat", "/a.copy", "/b.copy"]
`;

/** `--> Using cache` lines, and the STEP lines that came without one. */
function hits(out: string): { cached: number; executed: string[] } {
  const lines = out.split('\n');
  let cached = 0;
  const executed: string[] = [];
  lines.forEach((l, i) => {
    const m = /STEP \d+\/\d+: (.*)$/.exec(l);
    if (!m || m[1]!.startsWith('FROM')) return;
    if (lines[i + 1]?.startsWith('--> Using cache ')) cached++;
    else executed.push(m[1]!);
  });
  return { cached, executed };
}

describe('build: cache', () => {
  let env: BuildEnv;
  let dir: string;
  let first = '';
  before(() => {
    env = buildEnv();
    dir = env.context({ Dockerfile: DOCKERFILE, 'a.txt': 'A1\n', 'b.txt': 'B1\n', 'dir/c.txt': 'C\n' });
  });
  after(async () => {
    await env.teardown();
  });

  test('first build runs every step', () => {
    const out = env.build(dir, ['-t', 'cached:1']);
    first = builtId(out);
    assert.deepEqual(hits(out).cached, 0);
    assert.equal(env.ok(['run', '--rm', '--network', 'none', 'cached:1']), 'A1\nv=1\nB1\n');
  });

  // The time itself (issue 5: under 0.5 s) is bench/build.ts's to measure on a quiet machine; here
  // it is only reported, since a loaded CI machine would make a timed assertion flaky.
  test('an unchanged rebuild is all cache hits, the same image, and starts no container', (t) => {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = process.hrtime.bigint();
      const r = spawnSync(process.execPath, [env.bin, 'build', '--network', 'none', '-t', 'cached:1', dir], { env: env.env, encoding: 'utf8' });
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
      assert.equal(r.status, 0, r.stderr);
      const h = hits(r.stdout);
      assert.deepEqual(h.executed, [], `steps that ran: ${h.executed.join(', ')}`);
      assert.equal(h.cached, 11);
      assert.equal(builtId(r.stdout), first);
    }
    t.diagnostic(`cached rebuilds took ${times.map((x) => x.toFixed(0)).join(', ')} ms`);
    assert.deepEqual(env.ok(['ps', '-a', '-q']), '', 'a cached build ran no working container');
  });

  test('touching a file without changing it keeps the cache', () => {
    const later = Date.now() / 1000 + 3600;
    utimesSync(join(dir, 'a.txt'), later, later);
    utimesSync(join(dir, 'dir/c.txt'), later, later);
    const out = env.build(dir, ['-t', 'cached:1']);
    assert.deepEqual(hits(out).executed, []);
    assert.equal(builtId(out), first);
  });

  test('changing a copied file rebuilds from that COPY on', () => {
    writeFileSync(join(dir, 'b.txt'), 'B2\n');
    const out = env.build(dir, ['-t', 'cached:2']);
    const h = hits(out);
    // The tools stage's RUN, ARG, COPY a.txt and its RUN.
    assert.equal(h.cached, 4, out);
    assert.deepEqual(h.executed, [
      'COPY b.txt dir/ /data/',
      'RUN cat /data/b.txt > /b.copy',
      'COPY --from=tools /tool /tool',
      'ENV X=1',
      'WORKDIR /data',
      'LABEL built=yes',
      'CMD ["cat", "/a.copy", "/b.copy"]',
    ]);
    assert.equal(env.ok(['run', '--rm', '--network', 'none', 'cached:2']), 'A1\nv=1\nB2\n');
    // And back: the old content is still cached.
    writeFileSync(join(dir, 'b.txt'), 'B1\n');
    assert.equal(builtId(env.build(dir, ['-t', 'cached:1'])), first);
  });

  test('a changed build arg reruns the RUNs that see it; --no-cache reruns everything', () => {
    const out = env.build(dir, ['-t', 'cached:3', '--build-arg', 'V=2']);
    const h = hits(out);
    // The tools stage's RUN, ARG (its value counts where it is used) and COPY a.txt.
    assert.equal(h.cached, 3, out);
    assert.equal(h.executed[0], 'RUN cat /a > /a.copy && echo "v=$V" >> /a.copy');
    assert.equal(env.ok(['run', '--rm', '--network', 'none', 'cached:3']), 'A1\nv=2\nB1\n');
    const nc = env.build(dir, ['-t', 'cached:4', '--no-cache']);
    assert.equal(hits(nc).cached, 0);
    assert.match(nc, /STEP 2\/2: RUN echo tool > \/tool\n--> [0-9a-f]{11}\n/);
  });

  test('--layers=false neither reads nor writes the cache', () => {
    const d = env.context({ Dockerfile: 'FROM bb\nRUN echo uncached > /u\n' });
    const count = () => env.ok(['system', 'df', '--format', '{{.Type}} {{.TotalCount}}']).split('\n').find((l) => l.startsWith('Build Cache'))!;
    const before = count();
    env.build(d, ['-t', 'nolayers', '--layers=false']);
    const out = env.build(d, ['-t', 'nolayers', '--layers=false']);
    assert.equal(hits(out).cached, 0);
    assert.equal(count(), before);
    assert.equal(env.runIn('nolayers', ['cat', '/u']), 'uncached\n');
  });

  test('system df counts the build cache; builder prune empties it and leaves images working', () => {
    const df = () =>
      env
        .ok(['system', 'df', '--format', '{{.Type}} {{.TotalCount}} {{.Size}}'])
        .split('\n')
        .find((l) => l.startsWith('Build Cache'))!;
    const before = df();
    assert.match(before, /^Build Cache [1-9]\d* /);
    const pruned = env.ok(['builder', 'prune', '-f']);
    assert.match(pruned, /Total reclaimed space: /);
    assert.match(df(), /^Build Cache 0 0B$/);
    assert.equal(env.ok(['run', '--rm', '--network', 'none', 'cached:1']), 'A1\nv=1\nB1\n');
    const out = env.build(dir, ['-t', 'cached:5']);
    assert.equal(hits(out).cached, 0);
  });
});
