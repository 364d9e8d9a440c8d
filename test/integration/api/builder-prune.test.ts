// Issue 14: `docker builder prune --filter` deletes only the build cache entries its filters
// select, for each of dockerd's keys (until/unused-for, id, type, description, inuse, shared,
// private, label); `parent` (entries keep no parent here) and unknown keys are refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { oneShot } from './one-shot-request.js';
import { apiEnv, IMAGE, type ApiEnv } from './fixtures.js';

let s: ApiEnv;
const api = (method: string, path: string) => oneShot(s.socket, method, path);

before(async () => {
  s = await apiEnv('skiff-api-bprune-');
});
after(async () => {
  await s?.stop();
});

interface Entry {
  ID: string;
  Description: string;
  Shared: boolean;
}

const DOCKERFILE = `FROM ${IMAGE}\nRUN echo one > /one\nLABEL stage=one\nRUN echo two > /two\nENV TWO=2\n`;

async function cache(): Promise<Entry[]> {
  const r = await api('GET', '/v1.41/system/df');
  assert.equal(r.status, 200, r.text);
  return (r.json() as { BuildCache: Entry[] }).BuildCache;
}

/** Runs `docker builder prune -f --filter F...` and returns the IDs it reports deleted. */
function prune(...filters: string[]): string[] {
  const out = s.dockerOk(['builder', 'prune', '-f', ...filters.flatMap((f) => ['--filter', f])]);
  return out.split('\n').filter((l) => /^[0-9a-f]{64}$/.test(l)).sort();
}

const ids = (es: Entry[]) => es.map((e) => e.ID).sort();

test('docker builder prune --filter deletes only the selected cache entries, for each key', async () => {
  s.dockerOk(['build', '-t', 'bp:1', '-'], DOCKERFILE);
  const all = await cache();
  const shared = all.filter((e) => e.Shared);
  const priv = all.filter((e) => !e.Shared);
  assert.ok(shared.length >= 2 && priv.length >= 2, JSON.stringify(all));

  // entries carry no labels: label= selects none (docker system prune --filter label= passes it here)
  for (const f of ['until=1h', 'unused-for=1h', 'inuse=true', 'type=exec.cachemount', 'label=a']) {
    assert.deepEqual(prune(f), [], f);
  }
  assert.deepEqual(ids(await cache()), ids(all));

  const byId = priv[0]!;
  assert.deepEqual(prune(`id=^${byId.ID.slice(0, 16)}`), [byId.ID]);
  const byDesc = shared[0]!;
  assert.deepEqual(prune(`description=${byDesc.Description}`), [byDesc.ID]);
  const left = await cache();
  assert.deepEqual(prune('private=true'), ids(left.filter((e) => !e.Shared)));
  assert.deepEqual(prune('shared=true'), ids(left.filter((e) => e.Shared)));
  assert.deepEqual(await cache(), []);
  assert.match(s.dockerOk(['images', 'bp:1']), /bp/, 'the image built stays');

  s.dockerOk(['build', '-t', 'bp:1', '-'], DOCKERFILE);
  assert.ok((await cache()).length > 0);
  for (const [f, msg] of [
    ['parent=x', /invalid filter 'parent'/],
    ['until=bogus', /failed to parse value as time or duration/],
  ] as const) {
    const r = s.docker(['builder', 'prune', '-f', '--filter', f]);
    assert.equal(r.code, 1, `${f}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, msg);
  }
  const both = s.docker(['builder', 'prune', '-f', '--filter', 'until=1h', '--filter', 'unused-for=1h']);
  assert.match(both.stderr, /conflicting filters/);
  const two = s.docker(['builder', 'prune', '-f', '--filter', 'id=a', '--filter', 'id=b']);
  assert.match(two.stderr, /filters expect only one value/);
  const rebuilt = ids(await cache());
  assert.deepEqual(prune('type=regular'), rebuilt, 'type=regular: every entry');
});
