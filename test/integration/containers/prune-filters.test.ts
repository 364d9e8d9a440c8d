// Issue 14, through skiff's own CLI: every prune's --filter deletes only what it selects
// (the engine reads the filters, as for the API), and a key the prune does not know exits 125
// with nothing deleted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE, expectCode, netEnv, waitFor, type NetEnv } from '../network/fixtures.js';

let env: NetEnv;

before(() => {
  env = netEnv('skiff-prunefilter-');
});
after(async () => {
  await env.teardownNet();
});

const sorted = (text: string) => text.split('\n').filter(Boolean).sort();

function refused(args: string[], pattern: RegExp): void {
  const r = env.run(args);
  expectCode(r, 125, args.join(' '));
  assert.match(r.stderr, pattern);
}

const inspect = (what: string, format: string) => env.ok(['inspect', '-f', format, what]).trim();

test('skiff container prune --filter until, label, label!', async () => {
  const ps = () => sorted(env.ok(['ps', '-a', '--format', '{{.Names}}']));
  env.ok(['create', '--name', 'a1', '--label', 'tier=a', IMAGE, 'true']);
  const a1 = inspect('a1', '{{.Created}}');
  await waitFor(() => (Date.now() > Date.parse(a1) ? true : undefined), 5000, 'the clock to pass a1');
  env.ok(['create', '--name', 'b', '--label', 'tier=b', IMAGE, 'true']);
  env.ok(['create', '--name', 'none', IMAGE, 'true']);
  env.ok(['create', '--name', 'a2', '--label', 'tier=a', IMAGE, 'true']);
  refused(['container', 'prune', '-f', '--filter', 'name=a1'], /invalid filter 'name'/);
  env.ok(['container', 'prune', '-f', '--filter', 'until=10m']);
  assert.deepEqual(ps(), ['a1', 'a2', 'b', 'none']);
  env.ok(['container', 'prune', '-f', '--filter', 'label=tier=b']);
  assert.deepEqual(ps(), ['a1', 'a2', 'none']);
  env.ok(['container', 'prune', '-f', '--filter', `until=${a1}`]);
  assert.deepEqual(ps(), ['a2', 'none']);
  env.ok(['container', 'prune', '-f', '--filter', 'label!=tier']);
  assert.deepEqual(ps(), ['a2']);
  env.ok(['rm', 'a2']);
});

test('skiff image prune (-a) --filter dangling, until, label, label!', async () => {
  const tar = join(env.dir, 'busybox.tar');
  const imp = (ref: string, change: string) => env.ok(['import', '--change', change, tar, ref]);
  const tags = () => sorted(env.ok(['images', '--format', '{{.Repository}}:{{.Tag}}'])).filter((t) => !t.includes('<none>'));
  env.ok(['create', '--name', 'holder', IMAGE, 'true']);
  imp('ia:1', 'LABEL tier=a');
  const ia1 = Math.floor(Date.parse(inspect('ia:1', '{{.Created}}')) / 1000);
  await waitFor(() => (Math.floor(Date.now() / 1000) > ia1 ? true : undefined), 5000, 'the next second');
  imp('ib:1', 'LABEL tier=b');
  imp('in:1', 'CMD ["/bin/true"]');
  imp('ia:2', 'LABEL tier=a2');
  const base = `${IMAGE}:latest`;
  refused(['image', 'prune', '-a', '-f', '--filter', 'before=ia:1'], /invalid filter 'before'/);
  env.ok(['image', 'prune', '-a', '-f', '--filter', 'label=tier=b']);
  assert.deepEqual(tags(), [base, 'ia:1', 'ia:2', 'in:1']);
  env.ok(['image', 'prune', '-a', '-f', '--filter', `until=${ia1}`]);
  assert.deepEqual(tags(), [base, 'ia:2', 'in:1'], 'busybox is older but a container uses it');
  env.ok(['image', 'prune', '-a', '-f', '--filter', 'label!=tier']);
  assert.deepEqual(tags(), [base, 'ia:2']);
  // a name moved to another image leaves the first dangling
  imp('ia:2', 'LABEL tier=a3');
  env.ok(['image', 'prune', '-f', '--filter', 'label=tier=a3']);
  assert.equal(env.ok(['images', '-q', '--filter', 'dangling=true']).trim() !== '', true, 'the dangling one has tier=a2');
  env.ok(['image', 'prune', '-f', '--filter', 'dangling=false', '--filter', 'label=tier=a3']);
  assert.deepEqual(tags(), [base]);
  env.ok(['image', 'prune', '-f', '--filter', 'label=tier=a2']);
  assert.equal(env.ok(['images', '-q', '--filter', 'dangling=true']).trim(), '');
  env.ok(['rm', 'holder']);
});

test('skiff volume prune --filter label, label!, all', () => {
  const vols = () => sorted(env.ok(['volume', 'ls', '--format', '{{.Name}}']));
  env.ok(['volume', 'create', '--label', 'tier=a', 'va']);
  env.ok(['volume', 'create', '--label', 'tier=b', 'vb']);
  env.ok(['volume', 'create', 'vn']);
  env.ok(['create', '--name', 'anon', '-v', '/data', IMAGE, 'true']);
  const anon = inspect('anon', '{{range .Mounts}}{{.Name}}{{end}}');
  env.ok(['rm', 'anon']);
  refused(['volume', 'prune', '-f', '--filter', 'dangling=true'], /invalid filter 'dangling'/);
  env.ok(['volume', 'prune', '-f', '--filter', 'label=tier=b']);
  assert.deepEqual(vols(), sorted([anon, 'va', 'vb', 'vn'].join('\n')), 'without all only anonymous volumes go');
  env.ok(['volume', 'prune', '-f', '--filter', 'all=true', '--filter', 'label=tier=b']);
  assert.deepEqual(vols(), sorted([anon, 'va', 'vn'].join('\n')));
  env.ok(['volume', 'prune', '-a', '-f', '--filter', 'label!=tier']);
  assert.deepEqual(vols(), ['va']);
  env.ok(['volume', 'rm', 'va']);
});

test('skiff network prune --filter until, label, label!', async () => {
  const nets = () => sorted(env.ok(['network', 'ls', '--format', '{{.Name}}'])).filter((n) => n !== env.defaultNetwork);
  env.createNetwork('na1', 1, ['--label', 'tier=a']);
  const na1 = env.ok(['network', 'inspect', '-f', '{{.Created}}', 'na1']).trim();
  await waitFor(() => (Date.now() > Date.parse(na1) ? true : undefined), 5000, 'the clock to pass na1');
  env.createNetwork('nb', 2, ['--label', 'tier=b']);
  env.createNetwork('nn', 3);
  refused(['network', 'prune', '-f', '--filter', 'driver=bridge'], /invalid filter 'driver'/);
  env.ok(['network', 'prune', '-f', '--filter', 'until=10m']);
  assert.deepEqual(nets(), ['na1', 'nb', 'nn']);
  env.ok(['network', 'prune', '-f', '--filter', 'label=tier=b']);
  assert.deepEqual(nets(), ['na1', 'nn']);
  env.ok(['network', 'prune', '-f', '--filter', `until=${na1}`]);
  assert.deepEqual(nets(), ['nn']);
  env.ok(['network', 'prune', '-f', '--filter', 'label!=tier']);
  assert.deepEqual(nets(), []);
});

test('skiff builder prune --filter id, description, shared, private, type, inuse, until; parent refused', () => {
  const ctx = join(env.dir, 'bctx');
  mkdirSync(ctx, { recursive: true });
  writeFileSync(join(ctx, 'Dockerfile'), `FROM ${IMAGE}\nRUN echo one > /one\nLABEL stage=one\nRUN echo two > /two\n`);
  env.ok(['build', '-t', 'bp:1', ctx]);
  const keys = (out: string) => sorted(out).filter((l) => /^[0-9a-f]{64}$/.test(l));
  const prune = (...f: string[]) => keys(env.ok(['builder', 'prune', '-f', ...f.flatMap((x) => ['--filter', x])]));
  for (const f of ['until=10m', 'inuse=true', 'type=exec.cachemount']) assert.deepEqual(prune(f), [], f);
  refused(['builder', 'prune', '-f', '--filter', 'parent=x'], /invalid filter 'parent'/);
  const priv = prune('private=true');
  const shared = prune('shared=true');
  assert.ok(priv.length >= 1 && shared.length >= 2, `private ${priv.join(' ')}; shared ${shared.join(' ')}`);
  assert.deepEqual(prune(), []);
  env.ok(['build', '-t', 'bp:1', ctx]);
  assert.deepEqual(prune(`id=^${shared[0]!.slice(0, 12)}`), [shared[0]]);
  assert.deepEqual(prune('description=no such step'), []);
  assert.equal(prune('type=regular').length, priv.length + shared.length - 1);
  env.ok(['rmi', 'bp:1']);
});
