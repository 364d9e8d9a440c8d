// ADD: local tar archives (plain, gzip, bzip2, xz) are unpacked, other files copied as they are;
// remote files come from an HTTP server on loopback, checked against --checksum.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildEnv, type BuildEnv } from './fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

describe('build: ADD', () => {
  let env: BuildEnv;
  let server: Server;
  let base = '';
  /** The path of every GET the server answered, in order. */
  const gets: string[] = [];
  const getsOf = (path: string, since = 0) => gets.slice(since).filter((u) => u === path).length;
  const remote = 'remote file body\n';
  before(async () => {
    env = buildEnv();
    server = createServer((req, res) => {
      if (req.method === 'GET') gets.push(req.url ?? '');
      if (req.url === '/files/remote.txt') {
        res.writeHead(200, { 'content-type': 'text/plain', 'last-modified': 'Tue, 01 Jan 2030 00:00:00 GMT' });
        res.end(remote);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address() as { port: number };
    base = `http://127.0.0.1:${addr.port}`;
  });
  after(async () => {
    server.close();
    await env.teardown();
  });

  test('local archives are unpacked into the destination; a compressed non-archive is copied', { skip: unmet(tool('bzip2'), tool('xz')) }, () => {
    const src = join(env.dir, 'tree');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'sub/file.txt'), 'in the archive\n');
    const dir = env.context({ Dockerfile: '', 'notatar.gz': '' });
    execFileSync('tar', ['-cf', join(dir, 'plain.tar'), '-C', src, '.']);
    execFileSync('tar', ['-czf', join(dir, 'gz.tgz'), '-C', src, '.']);
    execFileSync('tar', ['-cjf', join(dir, 'bz.tar.bz2'), '-C', src, '.']);
    execFileSync('tar', ['-cJf', join(dir, 'xz.tar.xz'), '-C', src, '.']);
    const extra = ['ADD bz.tar.bz2 /bz/', 'ADD xz.tar.xz /xz'];
    writeFileSync(join(dir, 'notatar.gz'), gzipSync('just gzip\n'));
    writeFileSync(
      join(dir, 'Dockerfile'),
      ['FROM bb', 'ADD plain.tar /plain/', 'ADD gz.tgz /gz', 'ADD notatar.gz /copied.gz', 'COPY gz.tgz /not-unpacked.tgz', ...extra, ''].join('\n'),
    );
    env.build(dir, ['-t', 'add1']);
    const sh = (c: string) => env.runIn('add1', ['sh', '-c', c]);
    assert.equal(sh('cat /plain/sub/file.txt /gz/sub/file.txt'), 'in the archive\nin the archive\n');
    assert.equal(sh('zcat /copied.gz'), 'just gzip\n');
    assert.equal(sh('test -f /not-unpacked.tgz && echo file'), 'file\n');
    assert.equal(sh(`cat ${extra.map((e) => e.split(' ')[2]!.replace(/\/?$/, '/sub/file.txt')).join(' ')}`), 'in the archive\n'.repeat(extra.length));
  });

  test('a URL with --checksum: fetched, mode 0600, named after the URL; cached by the checksum', async () => {
    const sum = 'sha256:' + createHash('sha256').update(remote).digest('hex');
    const mark = gets.length;
    const dir = env.context({ Dockerfile: `FROM bb\nADD --checksum=${sum} ${base}/files/remote.txt /dl/\nADD ${base}/files/remote.txt /named\n` });
    const r = await env.runAsync(['build', '--network', 'none', '-t', 'url1', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(env.runIn('url1', ['cat', '/dl/remote.txt', '/named']), remote + remote);
    assert.equal(env.runIn('url1', ['stat', '-c', '%a %u', '/dl/remote.txt']), '600 0\n');
    assert.equal(env.runIn('url1', ['date', '-u', '-r', '/named', '+%Y']), '2030\n');
    assert.equal(getsOf('/files/remote.txt', mark), 2, 'one GET for each ADD');

    const second = gets.length;
    const again = await env.runAsync(['build', '--network', 'none', '-t', 'url1', dir]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((again.stdout.match(/Using cache/g) ?? []).length, 2);
    // The checksum names the content, so its step is a cache hit without a download; the URL
    // without one is fetched again to learn its digest (as Docker does).
    assert.equal(getsOf('/files/remote.txt', second), 1, 'only the ADD without --checksum fetches again');

    const bad = env.context({ Dockerfile: `FROM bb\nADD --checksum=sha256:${'0'.repeat(64)} ${base}/files/remote.txt /x\n` });
    const b = await env.runAsync(['build', '--network', 'none', bad]);
    assert.notEqual(b.code, 0);
    assert.match(b.stderr, /digest mismatch/);
    const missing = env.context({ Dockerfile: `FROM bb\nADD ${base}/nothing /x\n` });
    const m = await env.runAsync(['build', '--network', 'none', missing]);
    assert.notEqual(m.code, 0);
    assert.match(m.stderr, /404/);
    assert.equal(getsOf('/nothing'), 1);
  });
});
