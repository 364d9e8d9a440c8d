// Issue 15, builder fidelity of layers and files: the same Dockerfiles built by Docker's classic
// builder (a private dockerd 20.10, DOCKER_BUILDKIT=0 docker build) and by skiff, through the
// docker CLI against skiff's API service and through `skiff build`, then compared on what the
// images hold: history (empty_layer), layer count, and each node's kind, mode, owner, size and
// content digest. Each test also states the expected values, measured on dockerd 20.10.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMAGE, apiEnv, type ApiEnv } from '../api/fixtures.js';
import { dockerdNeeds, startDockerd, type Dockerd } from '../../helpers/dockerd.js';
import { removeTree } from '../../helpers/env.js';
import { root, tool, unmet } from '../../helpers/requires.js';
import { filesUnder, snapshotArchive, type ImageSnapshot } from './image-snapshot.js';

const skip = unmet(root(), tool('/usr/sbin/runc'), tool('/usr/bin/conmon'), tool('tar'), ...dockerdNeeds());

interface Side {
  name: string;
  /** Builds `dir` as `tag` without the cache; returns the image id. */
  build(dir: string, tag: string, opts?: { cache?: boolean }): { id: string; out: string };
  snapshot(tag: string): ImageSnapshot;
  /** Volumes and containers the side has. */
  leftovers(): string;
}

let skiff: ApiEnv;
let dockerd: Dockerd;
let dockerdDir: string;
let sides: Side[] = [];
let ctxCount = 0;

function dockerSide(name: string, clientEnv: NodeJS.ProcessEnv, dir: string): Side {
  const docker = (args: string[]) => {
    const r = spawnSync('docker', args, { env: clientEnv, encoding: 'utf8', timeout: 180_000, maxBuffer: 64 * 1024 * 1024 });
    assert.equal(r.status, 0, `${name}: docker ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return r.stdout;
  };
  return {
    name,
    build(ctx, tag, opts = {}) {
      const out = docker(['build', '--network', 'none', ...(opts.cache ? [] : ['--no-cache']), '-t', tag, ctx]);
      return { id: docker(['image', 'inspect', '--format', '{{.Id}}', tag]).trim(), out };
    },
    snapshot(tag) {
      const archive = join(dir, `${name}-${tag}.tar`);
      docker(['save', '-o', archive, tag]);
      return snapshotArchive(archive);
    },
    leftovers() {
      return `${docker(['volume', 'ls', '-q'])}${docker(['ps', '-aq'])}`;
    },
  };
}

function skiffCliSide(env: ApiEnv): Side {
  return {
    name: 'skiff build',
    build(ctx, tag, opts = {}) {
      const out = env.ok(['build', '--network', 'none', ...(opts.cache ? [] : ['--no-cache']), '-t', tag, ctx]);
      return { id: `sha256:${out.trim().split('\n').at(-1)}`, out };
    },
    snapshot(tag) {
      const archive = join(env.dir, `cli-${tag}.tar`);
      env.ok(['save', '-o', archive, tag]);
      return snapshotArchive(archive);
    },
    leftovers() {
      return `${env.ok(['volume', 'ls', '-q'])}${env.ok(['ps', '-aq'])}`;
    },
  };
}

before(async () => {
  if (skip) return;
  skiff = await apiEnv('skiff-fid-layers-');
  dockerdDir = mkdtempSync(join(tmpdir(), 'skiff-fid-layers-dockerd-'));
  dockerd = await startDockerd(dockerdDir);
  const archive = join(skiff.dir, 'base.tar');
  skiff.ok(['save', '-o', archive, IMAGE]);
  dockerd.load(archive);
  sides = [dockerSide('dockerd', dockerd.clientEnv, dockerdDir), dockerSide('docker → skiff', skiff.clientEnv, skiff.dir), skiffCliSide(skiff)];
});

after(async () => {
  try {
    await dockerd?.stop();
  } finally {
    if (dockerdDir) removeTree(dockerdDir);
    await skiff?.stop();
  }
});

/** A context directory: paths ending in `/` are directories; a mode is applied after writing. */
function context(files: Record<string, string | { content?: string; mode: number }>): string {
  const dir = join(skiff.dir, `ctx-${++ctxCount}`);
  mkdirSync(dir, { recursive: true });
  for (const [p, spec] of Object.entries(files)) {
    const abs = join(dir, p);
    const s = typeof spec === 'string' ? { content: spec } : spec;
    if (p.endsWith('/')) mkdirSync(abs, { recursive: true });
    else {
      mkdirSync(join(abs, '..'), { recursive: true });
      writeFileSync(abs, s.content ?? '');
    }
    if ('mode' in s) chmodSync(abs, s.mode);
  }
  return dir;
}

/** Builds on every side; the snapshots by side name. */
function buildAll(dir: string, tag: string): Map<string, ImageSnapshot> {
  return new Map(
    sides.map((s) => {
      s.build(dir, tag);
      return [s.name, s.snapshot(tag)];
    }),
  );
}

/** The history flags after the base image's own entries. */
function stepFlags(s: ImageSnapshot, steps: number): boolean[] {
  return s.emptyLayers.slice(-steps);
}

/** Every skiff side has `paths` as dockerd has them. */
function sameAsDockerd(snaps: Map<string, ImageSnapshot>, prefixes: string[]): void {
  const want = filesUnder(snaps.get('dockerd')!, prefixes);
  for (const [name, s] of snaps) assert.deepEqual(filesUnder(s, prefixes), want, `${name} differs from dockerd under ${prefixes.join(' ')}`);
}

const USERS = {
  passwd: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n',
  group: 'root:x:0:\napp:x:1000:\nextra:x:2000:app\nother:x:3000:root,app\n',
};

test('after VOLUME, what RUN writes under the volume (content, new files, mode and owner, removals) is discarded; COPY and ADD into it are kept; its missing mount point is made once; no volume or container is left', { skip }, () => {
  const dir = context({
    'f.txt': 'hello\n',
    Dockerfile: `FROM ${IMAGE}
RUN mkdir -p /data/sub && echo before > /data/pre && chown 1:1 /data/pre && chmod 600 /data/pre
VOLUME /data /newvol
RUN test "$(cat /data/pre)" = before && echo after > /data/pre && echo new > /data/new && mkdir /data/newdir && chmod 700 /data/sub && chown 1:1 /data/sub && chmod 644 /data/pre && echo out > /outside
COPY f.txt /data/copied
RUN rm /data/copied && echo x > /data/copied2 && echo hi > /newvol/f
ADD f.txt /data/sub/added
RUN true
`,
  });
  const snaps = buildAll(dir, 'vol');
  for (const [name, s] of snaps) {
    const f = s.files;
    assert.equal(f.get('/data/pre')?.desc.split(' ').slice(0, 3).join(' '), 'f 0600 1:1', name);
    assert.equal(f.get('/data/pre')?.content, 'before\n', name);
    assert.equal(f.get('/data/sub')?.desc, 'd 0755 0:0', name);
    for (const gone of ['/data/new', '/data/newdir', '/data/copied2', '/newvol/f']) assert.equal(f.has(gone), false, `${name}: ${gone}`);
    assert.equal(f.get('/data/copied')?.content, 'hello\n', `${name}: COPY into the volume kept, the RUN's rm discarded`);
    assert.equal(f.get('/data/sub/added')?.content, 'hello\n', name);
    assert.equal(f.get('/outside')?.content, 'out\n', name);
    assert.equal(f.get('/newvol')?.desc, 'd 0755 0:0', `${name}: the mount point RUN made`);
    // RUN, VOLUME, RUN (/outside and /newvol), COPY, RUN (only the volume: empty), ADD, RUN true.
    assert.deepEqual(stepFlags(s, 7), [false, true, false, false, true, false, true], name);
  }
  sameAsDockerd(snaps, ['/data', '/newvol', '/outside']);
  assert.equal(snaps.get('docker → skiff')!.layers, snaps.get('dockerd')!.layers);
  for (const s of sides) assert.equal(s.leftovers(), '', `${s.name}: volumes or containers left by the build`);
});

test('a RUN or COPY that changes nothing adds an empty_layer history entry and no layer, and a rebuild takes every step from the cache', { skip }, () => {
  const dir = context({
    'emptydir/': '',
    f: 'hi\n',
    Dockerfile: `FROM ${IMAGE}\nRUN touch /x && rm /x\nCOPY emptydir/ /\nRUN true\nCOPY f /tmp/f\nRUN echo done > /done\n`,
  });
  const base = sides.find((s) => s.name === 'skiff build')!.snapshot(IMAGE);
  for (const side of sides) {
    const first = side.build(dir, 'empty');
    const s = side.snapshot('empty');
    assert.deepEqual(stepFlags(s, 5), [true, true, true, false, false], side.name);
    assert.equal(s.layers, base.layers + 2, side.name);
    assert.equal(s.files.has('/x'), false, side.name);
    const again = side.build(dir, 'empty', { cache: true });
    assert.equal(again.id, first.id, `${side.name}: the rebuild is the same image`);
    assert.equal(again.out.match(/--> Using cache/g)?.length, 5, `${side.name}: ${again.out}`);
  }
});

test('COPY --chown owns what it copies (directories the image has below the destination included, the destination itself not) and the parents made above a file, not those above a directory; chowned files (COPY and ADD of a plain file) lose setuid and group-exec setgid; ADD of a local tar keeps its owners and modes, --chown or not; COPY --from without --chown keeps them', { skip }, () => {
  const tarsrc = join(skiff.dir, 'tarsrc');
  mkdirSync(join(tarsrc, 'd'), { recursive: true });
  writeFileSync(join(tarsrc, 'suid'), 's\n');
  chmodSync(join(tarsrc, 'suid'), 0o4755);
  writeFileSync(join(tarsrc, 'sgid'), 'g\n');
  chmodSync(join(tarsrc, 'sgid'), 0o2711);
  chmodSync(join(tarsrc, 'd'), 0o2755);
  const dir = context({
    ...USERS,
    'src/sub/a': 'a\n',
    suid: { content: 's\n', mode: 0o4755 },
    sgid: { content: 'g\n', mode: 0o2755 },
    sg644: { content: 'h\n', mode: 0o2644 },
    'tree/sgdir/t': 't\n',
    'tree/sgdir/': { mode: 0o2775 },
    Dockerfile: `FROM ${IMAGE} AS one
RUN mkdir /s && echo x > /s/su && chmod 4755 /s/su && echo y > /s/sg && chmod 2755 /s/sg
FROM ${IMAGE}
RUN mkdir -p /e/sgdir /f/sgdir && chmod 700 /e/sgdir /f/sgdir && chown 1:1 /e/sgdir /f/sgdir && chmod 711 /e /f && chown 2:2 /e /f
COPY passwd group /etc/
COPY --chown=app:app src /a/b/c/
COPY --chown=1000:2000 suid /p/q/suid
COPY --chown=app suid sgid /chowned/
COPY suid sgid sg644 /plain/
COPY tree/sgdir /sgdir
COPY tree /in/
COPY tree/ /e/
COPY --chown=7:7 tree/ /f/
ADD t.tar /tarred/
ADD suid /added/suid
ADD --chown=app t.tar /tarred2/
COPY --from=one /s /froms/
COPY --from=one --chown=1000 /s /fromc/
`,
  });
  const t = spawnSync('tar', ['--numeric-owner', '--owner=5', '--group=6', '-cf', join(dir, 't.tar'), '-C', tarsrc, 'suid', 'sgid', 'd']);
  assert.equal(t.status, 0, t.stderr?.toString());
  const snaps = buildAll(dir, 'chown');
  const want: Record<string, string> = {
    '/a': 'd 0755 0:0',
    '/a/b': 'd 0755 0:0',
    '/a/b/c': 'd 0755 1000:1000',
    '/a/b/c/sub': 'd 0755 1000:1000',
    '/p': 'd 0755 1000:2000',
    '/p/q': 'd 0755 1000:2000',
    '/p/q/suid': 'f 0755 1000:2000',
    '/chowned': 'd 0755 1000:1000',
    '/chowned/suid': 'f 0755 1000:1000',
    '/chowned/sgid': 'f 0755 1000:1000',
    '/plain/suid': 'f 0755 0:0',
    '/plain/sgid': 'f 0755 0:0',
    '/plain/sg644': 'f 2644 0:0',
    '/sgdir': 'd 0755 0:0',
    '/in/sgdir': 'd 2775 0:0',
    '/e': 'd 0711 2:2',
    '/e/sgdir': 'd 2775 0:0',
    '/f': 'd 0711 2:2',
    '/f/sgdir': 'd 2775 7:7',
    '/f/sgdir/t': 'f 0644 7:7',
    '/tarred': 'd 0755 0:0',
    '/tarred/suid': 'f 4755 5:6',
    '/tarred/sgid': 'f 2711 5:6',
    '/tarred/d': 'd 2755 5:6',
    '/added/suid': 'f 0755 0:0',
    '/tarred2': 'd 0755 0:0',
    '/tarred2/suid': 'f 4755 5:6',
    '/froms/su': 'f 4755 0:0',
    '/froms/sg': 'f 2755 0:0',
    '/fromc/su': 'f 0755 1000:1000',
    '/fromc/sg': 'f 0755 1000:1000',
  };
  for (const [name, s] of snaps) {
    const got = Object.fromEntries(Object.keys(want).map((p) => [p, s.files.get(p)?.desc.split(' ').slice(0, 3).join(' ')]));
    assert.deepEqual(got, want, name);
  }
  sameAsDockerd(snaps, ['/a', '/p', '/chowned', '/plain', '/sgdir', '/in', '/e', '/f', '/tarred', '/added', '/tarred2', '/froms', '/fromc']);
});

test('RUN under USER has the supplementary groups of /etc/group with the primary group first, and only the named group for USER user:group', { skip }, () => {
  const dir = context({
    ...USERS,
    Dockerfile: `FROM ${IMAGE}
COPY passwd group /etc/
USER app
RUN id > /tmp/id-app
USER app:other
RUN id > /tmp/id-app-other
USER 1000
RUN id > /tmp/id-1000
USER root
RUN id > /tmp/id-root
USER 4242
RUN id > /tmp/id-4242
`,
  });
  const snaps = buildAll(dir, 'user');
  const want = {
    '/tmp/id-app': 'uid=1000(app) gid=1000(app) groups=1000(app),2000(extra),3000(other)\n',
    '/tmp/id-app-other': 'uid=1000(app) gid=3000(other) groups=3000(other)\n',
    '/tmp/id-1000': 'uid=1000(app) gid=1000(app) groups=1000(app),2000(extra),3000(other)\n',
    '/tmp/id-root': 'uid=0(root) gid=0(root) groups=0(root),3000(other)\n',
    '/tmp/id-4242': 'uid=4242 gid=0(root) groups=0(root)\n',
  };
  for (const [name, s] of snaps) {
    const got = Object.fromEntries(Object.keys(want).map((p) => [p, s.files.get(p)?.content]));
    assert.deepEqual(got, want, name);
  }
  sameAsDockerd(snaps, ['/tmp']);
});
