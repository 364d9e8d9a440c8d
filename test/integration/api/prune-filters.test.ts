// Issue 14: every prune through the docker CLI deletes only what its filters select (dockerd's
// keys: containers until/label/label!, images dangling/until/label/label!, volumes
// label/label!/all, networks until/label/label!; system prune passes them on); an unknown key
// deletes nothing. And DELETE /containers/{id}?link=1 never removes the container.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { oneShot } from './one-shot-request.js';
import { apiEnv, IMAGE, waitFor, type ApiEnv } from './fixtures.js';

let s: ApiEnv;
const api = (method: string, path: string) => oneShot(s.socket, method, path);

before(async () => {
  s = await apiEnv('skiff-api-prune-');
});
after(async () => {
  await s?.stop();
});

const q = (filters: Record<string, string[]>) => `filters=${encodeURIComponent(JSON.stringify(filters))}`;
const lines = (text: string) => text.split('\n').filter(Boolean).sort();
const names = (args: string[]) => lines(s.dockerOk(args));

function refused(args: string[], pattern: RegExp): void {
  const r = s.docker(args);
  assert.equal(r.code, 1, `docker ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  assert.match(r.stderr, pattern);
}

async function created(path: string): Promise<string> {
  const r = await api('GET', path);
  assert.equal(r.status, 200, r.text);
  return (r.json() as { Created: string }).Created;
}

test('docker container prune --filter: label, label!, until select stopped containers only', async () => {
  const ps = () => names(['ps', '-a', '--format', '{{.Names}}']);
  s.dockerOk(['create', '--name', 'c-a1', '--label', 'tier=a', IMAGE, 'true']);
  const c1 = await created('/containers/c-a1/json');
  await waitFor(() => (Date.now() > Date.parse(c1) ? true : undefined), 5000, 'the clock to pass c-a1');
  s.dockerOk(['create', '--name', 'c-b', '--label', 'tier=b', IMAGE, 'true']);
  s.dockerOk(['create', '--name', 'c-none', IMAGE, 'true']);
  s.dockerOk(['create', '--name', 'c-a2', '--label', 'tier=a', IMAGE, 'true']);
  s.dockerOk(['run', '-d', '--name', 'c-run', '--label', 'tier=a', IMAGE, 'sleep', '1000']);
  const all = ['c-a1', 'c-a2', 'c-b', 'c-none', 'c-run'];
  assert.deepEqual(ps(), all);

  refused(['container', 'prune', '-f', '--filter', 'status=exited'], /invalid filter 'status'/);
  s.dockerOk(['container', 'prune', '-f', '--filter', 'until=1h']);
  assert.deepEqual(ps(), all, 'until=1h: everything was created since');
  s.dockerOk(['container', 'prune', '-f', '--filter', 'label=tier=b']);
  assert.deepEqual(ps(), ['c-a1', 'c-a2', 'c-none', 'c-run']);
  s.dockerOk(['container', 'prune', '-f', '--filter', `until=${c1}`]);
  assert.deepEqual(ps(), ['c-a2', 'c-none', 'c-run']);
  s.dockerOk(['container', 'prune', '-f', '--filter', 'label!=tier']);
  assert.deepEqual(ps(), ['c-a2', 'c-run']);
  const r = await api('POST', `/v1.41/containers/prune?${q({ label: ['tier=a'] })}`);
  assert.equal(r.status, 200, r.text);
  assert.equal((r.json() as { ContainersDeleted: string[] }).ContainersDeleted.length, 1);
  assert.deepEqual(ps(), ['c-run'], 'a running container is never pruned');
  s.dockerOk(['rm', '-f', 'c-run']);
});

test('docker image prune -a --filter: label, label!, until keep what they do not select; busybox in use stays', async () => {
  const tar = join(s.dir, 'busybox.tar');
  const imp = (ref: string, ...changes: string[]) => s.ok(['import', ...changes.flatMap((c) => ['--change', c]), tar, ref]);
  const tags = () => names(['images', '--format', '{{.Repository}}:{{.Tag}}']).filter((t) => t !== '<none>:<none>');
  s.dockerOk(['create', '--name', 'holder', IMAGE, 'true']);
  imp('la:1', 'LABEL tier=a');
  const la1 = Math.floor(Date.parse(await created('/images/la:1/json')) / 1000);
  await waitFor(() => (Math.floor(Date.now() / 1000) > la1 ? true : undefined), 5000, 'the next second');
  imp('lb:1', 'LABEL tier=b');
  imp('lc:1', 'CMD ["/bin/true"]');
  imp('la:2', 'LABEL tier=a', 'CMD ["/bin/true"]');
  const base = `${IMAGE}:latest`;
  assert.deepEqual(tags(), [base, 'la:1', 'la:2', 'lb:1', 'lc:1']);

  refused(['image', 'prune', '-a', '-f', '--filter', 'reference=la'], /invalid filter 'reference'/);
  s.dockerOk(['image', 'prune', '-a', '-f', '--filter', 'label=tier=b']);
  assert.deepEqual(tags(), [base, 'la:1', 'la:2', 'lc:1']);
  s.dockerOk(['image', 'prune', '-a', '-f', '--filter', 'until=1h']);
  assert.deepEqual(tags(), [base, 'la:1', 'la:2', 'lc:1'], 'until=1h: all were made since');
  s.dockerOk(['image', 'prune', '-a', '-f', '--filter', `until=${la1}`]);
  assert.deepEqual(tags(), [base, 'la:2', 'lc:1']);
  s.dockerOk(['image', 'prune', '-a', '-f', '--filter', 'label!=tier']);
  assert.deepEqual(tags(), [base, 'la:2'], 'label!=tier takes lc; busybox (no labels) is used by a container');
  s.dockerOk(['rm', 'holder']);
  s.dockerOk(['image', 'prune', '-a', '-f', '--filter', 'label=tier']);
  assert.deepEqual(tags(), [base], 'nothing used busybox any more, but it has no tier label');
});

test('docker image prune --filter label= takes only matching dangling images; dangling=false over the API is -a', async () => {
  const tar = join(s.dir, 'busybox.tar');
  const imp = (ref: string, ...changes: string[]) => s.ok(['import', ...changes.flatMap((c) => ['--change', c]), tar, ref]);
  const ids = () => names(['images', '-q', '--no-trunc']);
  imp('dg:1', 'LABEL d=1');
  const old = s.dockerOk(['images', '-q', '--no-trunc', 'dg:1']).trim();
  imp('dg:1', 'LABEL d=2');
  imp('nd:1', 'CMD ["/bin/true"]');
  const nd = s.dockerOk(['images', '-q', '--no-trunc', 'nd:1']).trim();
  imp('nd:1', 'CMD ["/bin/false"]');
  const before = ids();
  assert.ok(before.includes(old) && before.includes(nd));

  s.dockerOk(['image', 'prune', '-f', '--filter', 'label=d']);
  assert.deepEqual(ids(), before.filter((i) => i !== old), 'only the labelled dangling image goes');
  const bad = await api('POST', `/v1.41/images/prune?${q({ dangling: ['maybe'] })}`);
  assert.equal(bad.status, 400);
  assert.match(bad.text, /invalid filter 'dangling=maybe'/);
  const r = await api('POST', `/v1.41/images/prune?${q({ dangling: ['false'], label: ['d=2'] })}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(s.docker(['images', '-q', 'dg:1']).stdout, '', 'dangling=false: a tagged image with the label goes too');
  assert.ok(ids().includes(nd), 'the unlabelled dangling image stays');
  s.dockerOk(['image', 'prune', '-f']);
  assert.ok(!ids().includes(nd));
  s.dockerOk(['rmi', 'nd:1']);
});

test('docker volume prune --filter: label, label!; all over the API; a used volume stays', async () => {
  const vols = () => names(['volume', 'ls', '--format', '{{.Name}}']);
  s.dockerOk(['volume', 'create', '--label', 'tier=a', 'v-a']);
  s.dockerOk(['volume', 'create', '--label', 'tier=b', 'v-b']);
  s.dockerOk(['volume', 'create', 'v-none']);
  s.dockerOk(['volume', 'create', '--label', 'tier=a', 'v-used']);
  s.dockerOk(['create', '--name', 'vuser', '-v', 'v-used:/data', IMAGE, 'true']);
  refused(['volume', 'prune', '-f', '--filter', 'until=1h'], /invalid filter 'until'/);
  assert.deepEqual(vols(), ['v-a', 'v-b', 'v-none', 'v-used']);
  s.dockerOk(['volume', 'prune', '-f', '--filter', 'label=tier=b']);
  assert.deepEqual(vols(), ['v-a', 'v-none', 'v-used']);
  s.dockerOk(['volume', 'prune', '-f', '--filter', 'label!=tier']);
  assert.deepEqual(vols(), ['v-a', 'v-used']);
  const bad = await api('POST', `/v1.41/volumes/prune?${q({ all: ['maybe'] })}`);
  assert.equal(bad.status, 400);
  const r = await api('POST', `/v1.41/volumes/prune?${q({ all: ['true'], label: ['tier=a'] })}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual((r.json() as { VolumesDeleted: string[] }).VolumesDeleted, ['v-a']);
  assert.deepEqual(vols(), ['v-used']);
  s.dockerOk(['rm', '-v', 'vuser']);
  s.dockerOk(['volume', 'rm', 'v-used']);
});

test('docker network prune --filter: label, label!, until; the default network stays', async () => {
  const nets = () => names(['network', 'ls', '--format', '{{.Name}}']).filter((n) => !['bridge', 'host', 'none'].includes(n));
  s.dockerOk(['network', 'create', '--label', 'tier=a', 'n-a1']);
  const n1 = await created('/networks/n-a1');
  await waitFor(() => (Date.now() > Date.parse(n1) ? true : undefined), 5000, 'the clock to pass n-a1');
  s.dockerOk(['network', 'create', '--label', 'tier=b', 'n-b']);
  s.dockerOk(['network', 'create', 'n-none']);
  s.dockerOk(['network', 'create', '--label', 'tier=a', 'n-a2']);
  refused(['network', 'prune', '-f', '--filter', 'driver=bridge'], /invalid filter 'driver'/);
  s.dockerOk(['network', 'prune', '-f', '--filter', 'until=1h']);
  assert.deepEqual(nets(), ['n-a1', 'n-a2', 'n-b', 'n-none']);
  s.dockerOk(['network', 'prune', '-f', '--filter', 'label=tier=b']);
  assert.deepEqual(nets(), ['n-a1', 'n-a2', 'n-none']);
  s.dockerOk(['network', 'prune', '-f', '--filter', `until=${n1}`]);
  assert.deepEqual(nets(), ['n-a2', 'n-none']);
  s.dockerOk(['network', 'prune', '-f', '--filter', 'label!=tier']);
  assert.deepEqual(nets(), ['n-a2']);
  const r = await api('POST', `/v1.41/networks/prune?${q({ label: ['tier=a'] })}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json(), { NetworksDeleted: ['n-a2'] });
  assert.deepEqual(nets(), []);
});

test('docker system prune --filter label= passes the filter to every prune: only labelled containers and networks go', async () => {
  s.dockerOk(['create', '--name', 'sp-x', '--label', 'tier=x', IMAGE, 'true']);
  s.dockerOk(['create', '--name', 'sp-y', '--label', 'tier=y', IMAGE, 'true']);
  s.dockerOk(['network', 'create', '--label', 'tier=x', 'spn-x']);
  s.dockerOk(['network', 'create', '--label', 'tier=y', 'spn-y']);
  s.dockerOk(['system', 'prune', '-f', '--filter', 'label=tier=x']);
  assert.deepEqual(names(['ps', '-a', '--format', '{{.Names}}']), ['sp-y']);
  assert.deepEqual(names(['network', 'ls', '--filter', 'label=tier', '--format', '{{.Name}}']), ['spn-y']);
  assert.ok(names(['images', '--format', '{{.Repository}}']).includes(IMAGE));
  s.dockerOk(['rm', 'sp-y']);
  s.dockerOk(['network', 'rm', 'spn-y']);
});

test('docker rm --link and DELETE ?link=1 on a container name: dockerd\'s 500, and the container stays', async () => {
  s.dockerOk(['create', '--name', 'linked', IMAGE, 'true']);
  refused(['rm', '--link', 'linked'], /cannot remove the default link name/);
  const r = await api('DELETE', '/v1.41/containers/linked?link=1');
  assert.equal(r.status, 500);
  assert.match(r.text, /cannot remove the default link name of the container/);
  assert.equal((await api('DELETE', '/v1.41/containers/nosuch?link=1')).status, 404);
  assert.equal(s.dockerOk(['ps', '-a', '--filter', 'name=linked', '--format', '{{.Names}}']), 'linked\n');
  const skiff = s.run(['rm', '--link', 'linked']);
  assert.equal(skiff.code, 125, skiff.stderr);
  assert.match(skiff.stderr, /cannot remove the default link name/);
  s.dockerOk(['rm', 'linked']);
});
