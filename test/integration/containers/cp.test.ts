// cp both ways: files, directories, tar streams with ownership, stopped containers, and paths
// that try to leave the rootfs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { IMAGE, containerEnv, expectCode, type ContainerEnv } from './fixtures.js';

let env: ContainerEnv;
let host: string;

before(() => {
  env = containerEnv('skiff-cp-');
  host = join(env.dir, 'host');
  mkdirSync(join(host, 'tree/sub'), { recursive: true });
  writeFileSync(join(host, 'tree/a.txt'), 'alpha\n');
  writeFileSync(join(host, 'tree/sub/b.txt'), 'beta\n');
  writeFileSync(join(host, 'single.txt'), 'single\n');
  chownSync(join(host, 'single.txt'), 1234, 1234);
  env.ok(['run', '-d', '--name', 'cpr', IMAGE, 'sleep', '300']);
});
after(async () => {
  env.run(['rm', '-f', 'cpr', 'cps']);
  await env.teardown();
});

test('cp a host file and a directory into a running container', () => {
  env.ok(['cp', join(host, 'single.txt'), 'cpr:/tmp/']);
  env.ok(['cp', join(host, 'tree'), 'cpr:/tmp/tree']);
  assert.equal(env.ok(['exec', 'cpr', 'cat', '/tmp/single.txt', '/tmp/tree/a.txt', '/tmp/tree/sub/b.txt']), 'single\nalpha\nbeta\n');
  // Without -a the copies belong to the container's root; with -a they keep their owners.
  assert.equal(env.ok(['exec', 'cpr', 'stat', '-c', '%u:%g', '/tmp/single.txt']), '0:0\n');
  env.ok(['cp', '-a', join(host, 'single.txt'), 'cpr:/tmp/kept.txt']);
  assert.equal(env.ok(['exec', 'cpr', 'stat', '-c', '%u:%g', '/tmp/kept.txt']), '1234:1234\n');
});

test('cp a file and a directory out of a container', () => {
  const out = join(env.dir, 'out');
  mkdirSync(out);
  env.ok(['cp', 'cpr:/etc/passwd', join(out, 'pw')]);
  assert.match(readFileSync(join(out, 'pw'), 'utf8'), /^root:x:0:0/);
  env.ok(['cp', 'cpr:/tmp/tree', out]);
  assert.equal(readFileSync(join(out, 'tree/sub/b.txt'), 'utf8'), 'beta\n');
  env.ok(['cp', 'cpr:/tmp/tree/.', join(out, 'contents')]);
  assert.ok(existsSync(join(out, 'contents/a.txt')));
  assert.ok(statSync(join(out, 'contents/sub')).isDirectory());
});

test('cp to - writes a tar that keeps ownership; cp from - unpacks a tar', () => {
  env.ok(['exec', 'cpr', 'sh', '-c', 'echo owned > /tmp/owned; chown 1234:1234 /tmp/owned']);
  const tar = join(env.dir, 'owned.tar');
  writeFileSync(tar, execFileSync(process.execPath, [env.bin, 'cp', 'cpr:/tmp/owned', '-'], { env: env.env }));
  const listing = execFileSync('tar', ['--numeric-owner', '-tvf', tar], { encoding: 'utf8' });
  assert.match(listing, /^-rw-r--r-- 1234\/1234\s+6 .* owned$/m);

  const src = join(env.dir, 'tarsrc');
  mkdirSync(join(src, 'd'), { recursive: true });
  writeFileSync(join(src, 'd/f'), 'from tar\n');
  const input = execFileSync('tar', ['--numeric-owner', '--owner=4321', '--group=4321', '-C', src, '-cf', '-', 'd']);
  expectCode(env.run(['cp', '-', 'cpr:/tmp'], { input }), 0, 'cp - cpr:/tmp');
  assert.equal(env.ok(['exec', 'cpr', 'stat', '-c', '%u:%g %n', '/tmp/d/f']), '4321:4321 /tmp/d/f\n');
});

test('cp works on a stopped container and leaves no mount behind', () => {
  env.ok(['create', '--name', 'cps', IMAGE, 'cat', '/copied.txt']);
  env.ok(['cp', join(host, 'single.txt'), 'cps:/copied.txt']);
  const out = join(env.dir, 'from-stopped');
  env.ok(['cp', 'cps:/copied.txt', out]);
  assert.equal(readFileSync(out, 'utf8'), 'single\n');
  const r = env.run(['start', '-a', 'cps']);
  expectCode(r, 0, 'start -a');
  assert.equal(r.stdout, 'single\n');
});

test('paths cannot leave the rootfs: .. and absolute symlinks resolve inside it', () => {
  // /etc/os-release exists on the host but not in the busybox image.
  assert.ok(existsSync('/etc/os-release'));
  const escaped = join(env.dir, 'escaped');
  const r = env.run(['cp', 'cpr:/../../../../etc/os-release', escaped]);
  expectCode(r, 125, 'cp of /../../etc/os-release');
  assert.match(r.stderr, /Could not find the file/);
  assert.ok(!existsSync(escaped));
  // A symlink to / inside the container is the container's /, never the host's.
  env.ok(['exec', 'cpr', 'sh', '-c', 'ln -s / /tmp/root-link && echo inside > /marker']);
  const out = join(env.dir, 'marker');
  env.ok(['cp', 'cpr:/tmp/root-link/marker', out]);
  assert.equal(readFileSync(out, 'utf8'), 'inside\n');
  const probe = join(env.dir, 'probe.txt');
  writeFileSync(probe, 'x');
  env.ok(['cp', probe, 'cpr:/tmp/root-link/tmp/']);
  assert.equal(env.ok(['exec', 'cpr', 'cat', '/tmp/probe.txt']), 'x');
  assert.ok(!existsSync('/tmp/probe.txt') || readFileSync('/tmp/probe.txt', 'utf8') !== 'x', 'nothing was written to the host /tmp');
});
