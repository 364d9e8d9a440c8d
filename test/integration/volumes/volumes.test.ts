// Named and anonymous volumes through the real CLI, runc and conmon: the volume verbs,
// sharing data between containers, copy-up from the image, rm -v, and refusals while in use.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeEnv, type TestEnv } from '../../helpers/env.js';
import { makeBusyboxRootfs, tarDir } from '../../helpers/busybox.js';
import { root, tool, unmet } from '../../helpers/requires.js';

const skip = unmet(root(), tool('/usr/bin/conmon'), tool('/usr/sbin/runc'), tool('/bin/busybox'));
let env: TestEnv;

before(() => {
  if (skip) return;
  env = makeEnv('skiff-vol-');
  // A busybox image with files at /srv/content (owned 1234:5678, mode 750) declared as a VOLUME.
  const rootfs = makeBusyboxRootfs(join(env.dir, 'rootfs'));
  mkdirSync(join(rootfs, 'srv/content/sub'), { recursive: true });
  writeFileSync(join(rootfs, 'srv/content/file'), 'from-image\n');
  for (const p of ['srv/content', 'srv/content/sub', 'srv/content/file']) chownSync(join(rootfs, p), 1234, 5678);
  chmodSync(join(rootfs, 'srv/content'), 0o750);
  const tar = tarDir(rootfs, join(env.dir, 'img.tar'));
  ok(['import', '--change', 'VOLUME /srv/content', tar, 'volimg']);
});
after(() => {
  if (skip) return;
  env.run(['rm', '-af']);
  env.cleanup();
});

function ok(args: string[]): string {
  const r = env.run(args);
  assert.equal(r.code, 0, `skiff ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

let runs = 0;
/**
 * `run` then `rm -v`: what `run --rm` does, without racing `run --rm`'s own exit-status read
 * against the cleanup process (a container-lifecycle race, not a volume one).
 */
function once(args: string[]): string {
  const name = `once${++runs}`;
  try {
    return ok(['run', '--name', name, ...args]);
  } finally {
    env.run(['rm', '-v', '-f', name]);
  }
}

function names(): string[] {
  return ok(['volume', 'ls', '-q']).split('\n').filter(Boolean).sort();
}

test('volume create, ls, inspect, rm', { skip }, () => {
  assert.equal(ok(['volume', 'create', '--label', 'team=web', 'data1']).trim(), 'data1');
  const anon = ok(['volume', 'create']).trim();
  assert.match(anon, /^[a-f0-9]{64}$/);
  const [header, ...rows] = ok(['volume', 'ls']).trimEnd().split('\n');
  assert.match(header!, /^DRIVER\s+VOLUME NAME$/);
  assert.ok(rows.some((r) => /^local\s+data1$/.test(r)), rows.join('\n'));
  assert.deepEqual(ok(['volume', 'ls', '-q', '--filter', 'label=team=web']).trim(), 'data1');
  assert.deepEqual(ok(['volume', 'ls', '-q', '--filter', 'name=ata']).trim(), 'data1');
  assert.deepEqual(ok(['volume', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Labels}}', '--filter', 'name=data1']).trim(), 'data1 local team=web');
  const doc = JSON.parse(ok(['volume', 'inspect', 'data1']))[0];
  assert.deepEqual(Object.keys(doc).sort(), ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
  assert.equal(doc.Name, 'data1');
  assert.equal(doc.Driver, 'local');
  assert.equal(doc.Scope, 'local');
  assert.deepEqual(doc.Labels, { team: 'web' });
  assert.equal(doc.Mountpoint, join(env.root, 'volumes/data1/_data'));
  assert.ok(existsSync(doc.Mountpoint));
  assert.match(doc.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(ok(['volume', 'inspect', '--format', '{{.Mountpoint}}', 'data1']).trim(), doc.Mountpoint);

  const bad = env.run(['volume', 'create', 'a/b']);
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /invalid characters for a local volume name/);
  const driver = env.run(['volume', 'create', '-d', 'nfs', 'x1']);
  assert.equal(driver.code, 125);

  assert.equal(ok(['volume', 'rm', 'data1', anon]).trim(), `data1\n${anon}`);
  assert.ok(!existsSync(join(env.root, 'volumes/data1')));
  const missing = env.run(['volume', 'rm', 'data1']);
  assert.equal(missing.code, 125);
  assert.match(missing.stderr, /no such volume/);
  assert.equal(env.run(['volume', 'rm', '-f', 'data1']).code, 0);
  assert.equal(env.run(['volume', 'inspect', 'data1']).code, 125);
});

test('-v NAME:/path creates the volume on first use; another container reads what the first wrote', { skip }, () => {
  once(['-v', 'shared:/data', 'volimg', 'sh', '-c', 'echo hi > /data/f']);
  assert.ok(names().includes('shared'));
  assert.equal(once(['-v', 'shared:/mnt:ro', 'volimg', 'cat', '/mnt/f']), 'hi\n');
  assert.equal(once(['--mount', 'type=volume,source=shared,target=/m', 'volimg', 'cat', '/m/f']), 'hi\n');
  const ro = env.run(['run', '--name', 'rofail', '-v', 'shared:/mnt:ro', 'volimg', 'sh', '-c', 'echo started; echo x > /mnt/g']);
  env.run(['rm', '-v', 'rofail']);
  assert.equal(ro.stdout, 'started\n', `the container did not start: exit ${ro.code}: ${ro.stderr}`);
  assert.notEqual(ro.code, 0, 'wrote to a read-only volume');
  assert.match(ro.stderr, /Read-only file system/);
  assert.deepEqual(names(), ['shared']);
});

test('run --rm removes the anonymous volumes of the container, not the named ones', { skip }, async () => {
  // The exit status is not checked: `run --rm` may lose it to the cleanup process (a
  // container-lifecycle race); the volumes are what this test is about.
  env.run(['run', '--rm', '--name', 'rmme', '-v', 'named:/n', 'volimg', 'true']);
  for (let i = 0; i < 100 && ok(['ps', '-a', '--format', '{{.Names}}']).includes('rmme'); i++) await sleep(50);
  assert.deepEqual(names(), ['named', 'shared']);
  ok(['volume', 'rm', 'named']);
});

test('a new volume is filled from the image, keeping ownership and modes; a non-empty one is not', { skip }, () => {
  const out = once(['-v', 'fresh:/srv/content', 'volimg', 'sh', '-c',
    'stat -c "%u:%g %a %n" /srv/content /srv/content/file /srv/content/sub; cat /srv/content/file']);
  assert.equal(out, '1234:5678 750 /srv/content\n1234:5678 644 /srv/content/file\n1234:5678 755 /srv/content/sub\nfrom-image\n');
  // The copy is the volume's own: changing it does not change the image, and it is not copied again.
  once(['-v', 'fresh:/srv/content', 'volimg', 'rm', '/srv/content/file']);
  assert.equal(once(['-v', 'fresh:/srv/content', 'volimg', 'ls', '/srv/content']), 'sub\n');
  assert.equal(once(['-v', 'shared:/srv/content', 'volimg', 'ls', '/srv/content']), 'f\n');
  assert.equal(once(['--mount', 'type=volume,source=nocp,target=/srv/content,volume-nocopy', 'volimg', 'ls', '/srv/content']), '');
  // The image's VOLUME alone gives an anonymous volume with the image's files.
  assert.equal(once(['volimg', 'cat', '/srv/content/file']), 'from-image\n');
  // A --tmpfs at the VOLUME's path replaces the anonymous volume.
  const before = names();
  ok(['run', '--name', 'tmpfsvol', '--tmpfs', '/srv/content', 'volimg', 'true']);
  assert.deepEqual(names(), before);
  ok(['rm', 'tmpfsvol']);
  ok(['volume', 'rm', 'fresh', 'nocp']);
});

test('containers starting at once with the same new volume copy the image once', { skip }, async () => {
  // Copy-up runs `cp -a` from the engine's PATH: a `cp` placed first there logs every copy into
  // this volume before doing it, so the copies can be counted.
  const bin = join(env.dir, 'counting-bin');
  const log = join(env.dir, 'race-copies.log');
  mkdirSync(bin);
  writeFileSync(join(bin, 'cp'), `#!/bin/sh\ncase "$*" in *"/volumes/race/_data"*) echo "$*" >> '${log}';; esac\nexec /bin/cp "$@"\n`, { mode: 0o755 });
  const counting = { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` };
  const results = await Promise.all(
    [1, 2, 3, 4].map((i) => env.runAsync(['run', '--name', `race${i}`, '-v', 'race:/srv/content', 'volimg', 'cat', '/srv/content/file'], { env: counting })),
  );
  ok(['rm', '-v', 'race1', 'race2', 'race3', 'race4']);
  for (const r of results) assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'from-image\n', '']);
  const copies = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  assert.equal(copies.length, 1, `copies into the volume:\n${copies.join('\n')}`);
  assert.equal(once(['-v', 'race:/srv/content', 'volimg', 'ls', '-a', '/srv/content']), '.\n..\nfile\nsub\n');
  ok(['volume', 'rm', 'race']);
});

test('rm -v removes the anonymous volumes of a container and keeps named ones; prune takes anonymous ones, -a all', { skip }, () => {
  const before = new Set(names());
  ok(['create', '--name', 'withvols', '-v', 'keep:/keep', '-v', '/scratch', 'volimg', 'true']);
  const added = names().filter((n) => !before.has(n));
  assert.equal(added.length, 3, added.join(' '));
  assert.ok(added.includes('keep'));
  assert.equal(ok(['volume', 'ls', '-q', '--filter', 'dangling=true']).includes('keep'), false);
  ok(['rm', '-v', 'withvols']);
  assert.deepEqual(names().filter((n) => !before.has(n)), ['keep']);

  ok(['create', '--name', 'plain', 'volimg', 'true']);
  ok(['rm', 'plain']);
  const anon = names().filter((n) => !before.has(n) && n !== 'keep');
  assert.equal(anon.length, 1);
  assert.match(ok(['volume', 'prune', '-f']), new RegExp(`^Deleted Volumes:\\n${anon[0]}\\n\\nTotal reclaimed space: `));
  assert.ok(names().includes('keep'));
  assert.match(ok(['volume', 'prune', '-a', '-f']), /\nkeep\n/);
  assert.deepEqual(names(), []);
});

test('volume rm refuses a volume in use (exit 125); -f only when its containers are stopped', { skip }, () => {
  ok(['create', '--name', 'stopped', '-v', 'busy:/b', 'volimg', 'true']);
  const r = env.run(['volume', 'rm', 'busy']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /^Error: remove busy: volume is in use - \[[a-f0-9]{64}\]/);
  assert.equal(env.run(['volume', 'prune', '-a', '-f']).code, 0);
  assert.ok(names().includes('busy'), 'prune must keep a volume a container uses');

  const id = ok(['run', '-d', '-v', 'live:/l', 'volimg', 'sleep', '100']).trim();
  const forced = env.run(['volume', 'rm', '-f', 'live']);
  assert.equal(forced.code, 125);
  assert.match(forced.stderr, /volume is in use/);
  assert.equal(ok(['volume', 'rm', '-f', 'busy']).trim(), 'busy');
  // A stopped container whose volume was force-removed gets a new one when it starts again.
  ok(['start', '-a', 'stopped']);
  assert.ok(names().includes('busy'));
  ok(['rm', '-f', id, 'stopped']);
  ok(['volume', 'rm', 'live', 'busy']);
});

test('system df counts volumes', { skip }, () => {
  once(['-v', 'dfvol:/d', 'volimg', 'sh', '-c', 'head -c 5000 /dev/zero > /d/z']);
  const line = ok(['system', 'df']).split('\n').find((l) => l.startsWith('Local Volumes'));
  assert.match(line!, /^Local Volumes\s+\d+\s+0\s+\d/);
  const verbose = ok(['system', 'df', '-v']);
  assert.match(verbose, /\ndfvol\s+0\s+5kB\n/);
});
