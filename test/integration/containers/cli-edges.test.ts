// The CLI's other refusals and edges: a volume create that fails leaves no volume, a load of an
// archive without an image says so, and a reader that goes away (`| head`) ends skiff quietly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { sh } from '../../helpers/env.js';
import { containerEnv, IMAGE, type ContainerEnv } from './fixtures.js';
import { footprint } from './footprint.js';

test('volume create that fails leaves no volume and names no host path', async () => {
  const env = containerEnv('skiff-edges-');
  try {
    const before = footprint(env);
    const refused: [string[], RegExp][] = [
      [['volume', 'create', 'bad/name'], /includes invalid characters for a local volume name/],
      [['volume', 'create', '--driver', 'nfs', 'v1'], /volume driver "nfs" is not supported/],
      [['volume', 'create', '--opt', 'type=tmpfs', 'v1'], /create v1: missing required option: "device"/],
    ];
    for (const [args, message] of refused) {
      const r = env.run(args);
      assert.equal(r.code, 125, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.deepEqual(footprint(env), before);
    // Its directory cannot be made (a file is in the way): the row written first goes again.
    mkdirSync(join(env.root, 'volumes'), { recursive: true });
    writeFileSync(join(env.root, 'volumes', 'blocked'), 'not a volume');
    const r = env.run(['volume', 'create', 'blocked']);
    assert.equal(r.code, 125, r.stderr);
    assert.equal(r.stderr, "Error: create blocked: cannot make the volume's directory (EEXIST)\n");
    assert.deepEqual(footprint(env).volumes, []);
    assert.equal(readFileSync(join(env.root, 'volumes', 'blocked'), 'utf8'), 'not a volume');
  } finally {
    await env.teardown();
  }
});

test('load of an archive holding no image fails with a clear error (125) and loads nothing', async () => {
  const env = containerEnv('skiff-edges-');
  try {
    const before = footprint(env);
    const empty = join(env.dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'manifest.json'), '[]');
    sh(`tar -cf ${env.dir}/no-image.tar -C ${empty} manifest.json`);
    let r = env.run(['load', '-i', join(env.dir, 'no-image.tar')]);
    assert.equal(r.code, 125, r.stderr);
    assert.equal(r.stderr, 'Error: the archive holds no image: its manifest.json lists none\n');
    writeFileSync(join(empty, 'hello.txt'), 'hi');
    sh(`tar -cf ${env.dir}/not-image.tar -C ${empty} hello.txt`);
    r = env.run(['load', '-i', join(env.dir, 'not-image.tar')]);
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, /^Error: not an image archive/);
    assert.deepEqual(footprint(env), before);
  } finally {
    await env.teardown();
  }
});

/** Runs skiff with its stdout's reader already gone. */
function withClosedStdout(env: ContainerEnv, args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [env.bin, ...args], { env: env.env, stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout.destroy();
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

test('skiff … | head: a closed stdout ends skiff quietly (status 141, as SIGPIPE), no stack trace, cleanups done', async () => {
  const env = containerEnv('skiff-edges-');
  try {
    env.ok(['run', '--name', 'talker', IMAGE, 'sh', '-c', 'seq 1 20000']);
    // export mounts the container's rootfs: the mount must still go (teardown checks).
    for (const args of [['images'], ['logs', 'talker'], ['inspect', 'talker'], ['export', 'talker'], ['save', IMAGE]]) {
      const r = await withClosedStdout(env, args);
      assert.equal(r.stderr, '', `${args.join(' ')} wrote to stderr`);
      assert.equal(r.code, 141, `${args.join(' ')} ended with ${r.code ?? r.signal}`);
    }
    // Through a real pipe, as a shell runs it.
    const piped = spawnSync('sh', ['-c', `'${process.execPath}' '${env.bin}' logs talker | head -1`], { env: env.env, encoding: 'utf8' });
    assert.equal(piped.stdout, '1\n');
    assert.equal(piped.stderr, '');
  } finally {
    await env.teardown();
  }
});
