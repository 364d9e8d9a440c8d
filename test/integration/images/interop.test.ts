// podman and skopeo read what skiff saves; skiff loads what podman saves (both archive formats).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { makeEnv, removeTree, type TestEnv } from '../../helpers/env.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('podman'), tool('skopeo'));

let env: TestEnv;
let podmanArgs: string[];
let tar: string;

before(() => {
  env = makeEnv();
  tar = makeBusyboxTar(env.dir, join(env.dir, 'busybox.tar'));
  const proot = join(env.dir, 'podman-root');
  const prun = join(env.dir, 'podman-run');
  mkdirSync(proot);
  mkdirSync(prun);
  podmanArgs = ['--root', proot, '--runroot', prun, '--storage-driver', 'vfs', '--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--events-backend', 'none'];
});
after(() => {
  if (podmanArgs) spawnSync('podman', [...podmanArgs, 'system', 'reset', '-f'], { stdio: 'ignore' });
  removeTree(env.dir);
});

function ok(args: string[]) {
  const r = env.run(args);
  assert.equal(r.code, 0, `skiff ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function podman(args: string[]): string {
  return execFileSync('podman', [...podmanArgs, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('podman load and skopeo inspect accept skiff save output', { skip }, () => {
  ok(['import', '--change', 'CMD ["/bin/sh"]', tar, 'interop/busybox:1']);
  const id = JSON.parse(ok(['image', 'inspect', 'interop/busybox:1']))[0].Id as string;
  const diffIds = JSON.parse(ok(['image', 'inspect', 'interop/busybox:1']))[0].RootFS.Layers as string[];
  for (const format of ['docker-archive', 'oci-archive'] as const) {
    const file = join(env.dir, `skiff-${format}.tar`);
    ok(['save', '--format', format, '-o', file, 'interop/busybox:1']);
    const inspected = JSON.parse(execFileSync('skopeo', ['inspect', `${format}:${file}`], { encoding: 'utf8' }));
    assert.equal(inspected.Layers.length, 1, format);
    assert.deepEqual(inspected.LayersData?.length ?? 1, 1);
    const loaded = podman(['load', '-i', file]);
    assert.match(loaded, /Loaded image/, format);
    const pid = podman(['image', 'inspect', '--format', '{{.Id}}', 'docker.io/interop/busybox:1']).trim();
    assert.equal(`sha256:${pid}`, id, `${format}: same config digest in podman`);
    const pDiff = podman(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', 'docker.io/interop/busybox:1']).trim();
    assert.deepEqual(JSON.parse(pDiff), diffIds);
    podman(['rmi', '-f', 'docker.io/interop/busybox:1']);
  }
});

test('skiff loads what podman save writes, in both formats', { skip }, () => {
  podman(['import', '--change', 'CMD ["/bin/sh"]', tar, 'localhost/fromp:2']);
  const pid = podman(['image', 'inspect', '--format', '{{.Id}}', 'localhost/fromp:2']).trim();
  for (const format of ['docker-archive', 'oci-archive'] as const) {
    const file = join(env.dir, `podman-${format}.tar`);
    podman(['save', '--format', format, '-o', file, 'localhost/fromp:2']);
    const out = ok(['load', '-i', file]);
    assert.match(out, /Loaded image: localhost\/fromp:2/, `${format}: ${out}`);
    const doc = JSON.parse(ok(['image', 'inspect', 'localhost/fromp:2']))[0];
    assert.equal(doc.Id, `sha256:${pid}`, format);
    assert.deepEqual(doc.Config.Cmd, ['/bin/sh']);
    ok(['rmi', 'localhost/fromp:2']);
  }
});
