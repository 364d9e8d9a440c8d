// cp as Docker users expect it around mounts and names: copies reach a container's volumes,
// bind mounts and (running) tmpfs; `.wh.*` files are ordinary files outside image layers;
// a destination symlink is followed inside the root; a refused archive applies nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { IMAGE, apiEnv, type ApiEnv } from '../api/fixtures.js';
import { mountsUnder } from './fixtures.js';

let env: ApiEnv;
let host: string;
let bindSrc: string;

before(async () => {
  env = await apiEnv('skiff-cp-mounts-');
  host = join(env.dir, 'host');
  bindSrc = join(env.dir, 'bindsrc');
  mkdirSync(host, { recursive: true });
  mkdirSync(bindSrc, { recursive: true });
  writeFileSync(join(host, 'in.txt'), 'copied in\n');
  writeFileSync(join(bindSrc, 'host.txt'), 'from the bind source\n');
});
after(async () => {
  await env.stop();
});

function volumeData(name: string): string {
  return env.ok(['volume', 'inspect', '--format', '{{.Mountpoint}}', name]).trim();
}

function putArchive(id: string, path: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath: env.socket,
        method: 'PUT',
        path: `/containers/${id}/archive?path=${encodeURIComponent(path)}`,
        headers: { 'Content-Type': 'application/x-tar', 'Content-Length': body.length },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

test('cp into and out of a named volume, a bind mount and a tmpfs of a running container reaches the mounted content', () => {
  env.ok(['run', '-d', '--name', 'mrun', '-v', 'cpvol:/vol', '-v', `${bindSrc}:/bind`, '--tmpfs', '/scratch', IMAGE, 'sleep', '300']);
  for (const dir of ['/vol', '/bind', '/scratch']) env.ok(['cp', join(host, 'in.txt'), `mrun:${dir}/in.txt`]);
  assert.equal(readFileSync(join(volumeData('cpvol'), 'in.txt'), 'utf8'), 'copied in\n');
  assert.equal(readFileSync(join(bindSrc, 'in.txt'), 'utf8'), 'copied in\n');
  assert.equal(env.ok(['exec', 'mrun', 'cat', '/scratch/in.txt']), 'copied in\n');
  // The image's own /scratch does not exist: the copy went to the tmpfs, not the writable layer.
  env.ok(['exec', 'mrun', 'sh', '-c', 'echo made in tmpfs > /scratch/out.txt; echo made in volume > /vol/out.txt']);
  const out = join(env.dir, 'out-run');
  mkdirSync(out);
  env.ok(['cp', 'mrun:/scratch/out.txt', join(out, 'tmpfs.txt')]);
  env.ok(['cp', 'mrun:/vol/out.txt', join(out, 'vol.txt')]);
  env.ok(['cp', 'mrun:/bind/host.txt', join(out, 'bind.txt')]);
  assert.equal(readFileSync(join(out, 'tmpfs.txt'), 'utf8'), 'made in tmpfs\n');
  assert.equal(readFileSync(join(out, 'vol.txt'), 'utf8'), 'made in volume\n');
  assert.equal(readFileSync(join(out, 'bind.txt'), 'utf8'), 'from the bind source\n');
  // Through the API (docker cp: PUT and GET archive) too.
  env.dockerOk(['cp', join(host, 'in.txt'), 'mrun:/scratch/docker.txt']);
  assert.equal(env.ok(['exec', 'mrun', 'cat', '/scratch/docker.txt']), 'copied in\n');
  env.dockerOk(['cp', 'mrun:/bind/host.txt', join(out, 'docker-bind.txt')]);
  assert.equal(readFileSync(join(out, 'docker-bind.txt'), 'utf8'), 'from the bind source\n');
  env.ok(['rm', '-f', 'mrun']);
});

test('cp into and out of the volume and bind mount of a stopped or never started container reaches the mounted content and leaves no mount', () => {
  const mountsBefore = mountsUnder(env.dir).length;
  env.ok(['run', '--name', 'mstop', '-v', 'stopvol:/vol', '-v', `${bindSrc}:/bind`, IMAGE, 'sh', '-c', 'echo inside > /vol/v.txt']);
  env.ok(['create', '--name', 'mnew', '-v', 'newvol:/fresh/vol', '-v', `${bindSrc}:/fresh/bind`, IMAGE, 'true']);
  env.ok(['cp', join(host, 'in.txt'), 'mstop:/vol/in.txt']);
  env.ok(['cp', join(host, 'in.txt'), 'mstop:/bind/stopped.txt']);
  env.ok(['cp', join(host, 'in.txt'), 'mnew:/fresh/vol/in.txt']);
  env.ok(['cp', join(host, 'in.txt'), 'mnew:/fresh/bind/new.txt']);
  assert.equal(readFileSync(join(volumeData('stopvol'), 'in.txt'), 'utf8'), 'copied in\n');
  assert.equal(readFileSync(join(volumeData('newvol'), 'in.txt'), 'utf8'), 'copied in\n');
  assert.equal(readFileSync(join(bindSrc, 'stopped.txt'), 'utf8'), 'copied in\n');
  assert.equal(readFileSync(join(bindSrc, 'new.txt'), 'utf8'), 'copied in\n');
  const out = join(env.dir, 'out-stopped');
  mkdirSync(out);
  env.ok(['cp', 'mstop:/vol/v.txt', join(out, 'v.txt')]);
  env.ok(['cp', 'mstop:/bind/host.txt', join(out, 'b.txt')]);
  assert.equal(readFileSync(join(out, 'v.txt'), 'utf8'), 'inside\n');
  assert.equal(readFileSync(join(out, 'b.txt'), 'utf8'), 'from the bind source\n');
  assert.equal(mountsUnder(env.dir).length, mountsBefore, 'cp left a mount behind');
  env.ok(['rm', '-f', 'mstop', 'mnew']);
});

test('.wh.* files round-trip through cp and PUT archive as ordinary files; the files they name survive', () => {
  env.ok(['run', '-d', '--name', 'wh', IMAGE, 'sh', '-c', 'mkdir /data && echo keep > /data/keep.txt && echo victim > /data/victim.txt && exec sleep 300']);
  const src = join(env.dir, 'wh-src');
  mkdirSync(src);
  writeFileSync(join(src, '.wh.victim.txt'), 'not a whiteout\n');
  writeFileSync(join(src, '.wh..wh..opq'), 'not opaque\n');
  env.ok(['cp', `${src}/.`, 'wh:/data']);
  assert.equal(env.ok(['exec', 'wh', 'cat', '/data/keep.txt', '/data/victim.txt', '/data/.wh.victim.txt', '/data/.wh..wh..opq']), 'keep\nvictim\nnot a whiteout\nnot opaque\n');
  // docker cp sends the same names as a PUT archive.
  const src2 = join(env.dir, 'wh-src2');
  mkdirSync(src2);
  writeFileSync(join(src2, '.wh.keep.txt'), 'docker too\n');
  env.dockerOk(['cp', `${src2}/.`, 'wh:/data']);
  assert.equal(env.ok(['exec', 'wh', 'cat', '/data/keep.txt', '/data/.wh.keep.txt']), 'keep\ndocker too\n');
  // Out again, onto the host: written as files, deleting nothing there either.
  const out = join(env.dir, 'wh-out');
  mkdirSync(out);
  writeFileSync(join(out, 'victim.txt'), 'host file\n');
  env.ok(['cp', 'wh:/data/.', out]);
  assert.deepEqual(readdirSync(out).sort(), ['.wh..wh..opq', '.wh.keep.txt', '.wh.victim.txt', 'keep.txt', 'victim.txt']);
  assert.equal(readFileSync(join(out, '.wh.victim.txt'), 'utf8'), 'not a whiteout\n');
  const listing = execFileSync('docker', ['cp', 'wh:/data', '-'], { env: env.clientEnv }).toString('latin1');
  assert.match(listing, /data\/\.wh\.victim\.txt/);
  env.ok(['rm', '-f', 'wh']);
});

test('cp to a destination that is a symlink follows it inside the container root', () => {
  env.ok(['run', '-d', '--name', 'lnk', IMAGE, 'sh', '-c', 'mkdir /real && ln -s /real/file /link && ln -s /etc /etclink && exec sleep 300']);
  env.ok(['cp', join(host, 'in.txt'), 'lnk:/link']);
  assert.equal(env.ok(['exec', 'lnk', 'cat', '/real/file']), 'copied in\n');
  assert.equal(env.ok(['exec', 'lnk', 'readlink', '/link']), '/real/file\n');
  const marker = `skiff-cp-${process.pid}.txt`;
  env.ok(['cp', join(host, 'in.txt'), `lnk:/etclink/${marker}`]);
  assert.equal(env.ok(['exec', 'lnk', 'cat', `/etc/${marker}`]), 'copied in\n');
  assert.ok(!existsSync(`/etc/${marker}`), 'the copy reached the host /etc');
  env.ok(['rm', '-f', 'lnk']);
});

test('a PUT archive refused for one bad entry applies nothing of it (400)', async () => {
  env.ok(['run', '-d', '--name', 'bad', IMAGE, 'sleep', '300']);
  const id = env.ok(['inspect', '--format', '{{.Id}}', 'bad']).trim();
  const src = join(env.dir, 'bad-tar');
  mkdirSync(join(src, 'sub'), { recursive: true });
  writeFileSync(join(src, 'sub/good.txt'), 'good\n');
  // GNU tar keeps "../" in names with -P; the first entry alone would be fine.
  const tar = execFileSync('tar', ['-C', join(src, 'sub'), '-P', '-cf', '-', 'good.txt', '../sub/good.txt', '--transform', 's,^\\.\\./sub/good.txt,../escape.txt,']);
  const r = await putArchive(id, '/tmp', tar);
  assert.equal(r.status, 400, r.text);
  assert.match(r.text, /escape/);
  assert.equal(env.run(['exec', 'bad', 'ls', '/tmp/good.txt']).code, 1, 'the good entry before the bad one was applied');
  env.ok(['rm', '-f', 'bad']);
});
