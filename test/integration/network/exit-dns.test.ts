// A container that was disconnected from and connected again to its network (with an alias)
// before it started, as docker-compose does, leaves no aardvark-dns entry behind once it has
// exited, and the last one gone takes aardvark-dns with it: started and waited for, removed
// with `rm`, or removed by `--rm`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE, netavarkName, netEnv, waitFor, type NetEnv } from './fixtures.js';
import { processesUnder } from '../containers/fixtures.js';

let env: NetEnv;
let aardvarkFile: string;

before(() => {
  env = netEnv('skiff-netexit-');
  env.createNetwork('proj', 1);
  aardvarkFile = join(env.dir, 'netconf', 'aardvark-dns', netavarkName(env, 'proj'));
});
after(async () => {
  await env.teardownNet();
});

/**
 * aardvark-dns's entries for the `proj` network ('' once the file is gone). netavark 1.4 rewrites
 * the file in place (truncate, then write), so one read may see it empty or half-written: a check
 * that needs two facts of the file takes them from the same read, and waits for them together.
 */
function entries(): string {
  return existsSync(aardvarkFile) ? readFileSync(aardvarkFile, 'utf8') : '';
}

/** create, then disconnect + connect with an alias before start (compose's sequence). */
function composeStyleCreate(name: string, script: string, extra: string[] = []): string {
  const id = env.track(env.ok(['create', '--name', name, '--network', 'proj', ...extra, IMAGE, 'sh', '-c', script]));
  env.ok(['network', 'disconnect', 'proj', name]);
  env.ok(['network', 'connect', '--alias', `${name}-alias`, 'proj', name]);
  return id;
}

async function noEntryFor(id: string, what: string): Promise<void> {
  await waitFor(() => (entries().includes(id) ? undefined : true), 5000, `${what}: aardvark entry for ${id.slice(0, 12)} to go`).catch(() => {
    assert.fail(`${what}: aardvark still lists ${id.slice(0, 12)}: ${JSON.stringify(entries())}`);
  });
}

async function noAardvark(what: string): Promise<void> {
  const gone = await waitFor(() => (processesUnder(env.dir, 'aardvark-dns').length === 0 ? true : undefined), 5000).catch(() => false);
  assert.ok(gone, `${what}: aardvark-dns left running; its entries: ${JSON.stringify(entries())}`);
}

test('an exited container leaves no DNS entry while another container keeps aardvark-dns up', async () => {
  const keep = env.track(env.ok(['run', '-d', '--name', 'keep', '--network', 'proj', IMAGE, 'sleep', '300']));
  const id = composeStyleCreate('quick', 'exit 4');
  env.ok(['start', 'quick']);
  assert.equal(env.ok(['wait', 'quick']).trim(), '4');
  try {
    let seen = '';
    const settled = await waitFor(() => {
      seen = entries();
      return !seen.includes(id) && seen.includes(keep) ? true : undefined;
    }, 5000).catch(() => false);
    assert.ok(settled, `after exit, aardvark lists the running container and not the exited one: ${JSON.stringify(seen)}`);
  } finally {
    env.ok(['rm', '-f', 'quick', 'keep']);
  }
  await waitFor(() => (entries() === '' ? true : undefined), 5000, 'the entries file to go with the last container');
  await noAardvark('after rm');
});

test('start -a of a compose-style container, then rm', async () => {
  const id = composeStyleCreate('fg', 'echo ran; exit 3');
  const r = env.run(['start', '-a', 'fg']);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, 'ran\n');
  await noEntryFor(id, 'after start -a');
  env.ok(['rm', 'fg']);
  await noAardvark('after rm');
});

test('a compose-style --rm container removes itself and its DNS entry', async () => {
  const id = composeStyleCreate('gone', 'exit 0', ['--rm']);
  const r = env.run(['start', '-a', 'gone']);
  assert.equal(r.code, 0, r.stderr);
  await waitFor(() => (env.run(['inspect', id]).code !== 0 ? true : undefined), 5000, 'the --rm container to go');
  await noEntryFor(id, 'after --rm');
  await noAardvark('after --rm');
});

test('rm -f of an exited compose-style container that was never waited for', async () => {
  const id = composeStyleCreate('nowait', 'exit 1');
  env.ok(['start', 'nowait']);
  // Exited before the rm, seen through inspect alone: `wait` is what this container never gets.
  await waitFor(() => (env.ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'nowait']).trim() === 'exited 1' ? true : undefined), 10_000, 'nowait to exit');
  env.ok(['rm', '-f', 'nowait']);
  await noEntryFor(id, 'after rm -f');
  await noAardvark('after rm -f');
});
