// import → images → inspect → tag → history → save → rmi → load, through the real CLI on a real root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import { makeEnv, type TestEnv } from '../../helpers/env.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';

let env: TestEnv;
let tar: string;

before(() => {
  env = makeEnv();
  tar = makeBusyboxTar(env.dir, join(env.dir, 'busybox.tar'));
});
after(() => env.cleanup());

function ok(args: string[], input?: string) {
  const r = env.run(args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, `skiff ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

test('import creates a named image with --change applied', () => {
  const id = ok(['import', '--change', 'CMD ["/bin/sh"]', '--change', 'ENV FOO=bar', '-m', 'first', tar, 'busybox:test']).trim();
  assert.match(id, /^sha256:[a-f0-9]{64}$/);
  const doc = JSON.parse(ok(['image', 'inspect', 'busybox:test']))[0];
  assert.equal(doc.Id, id);
  assert.deepEqual(doc.RepoTags, ['busybox:test']);
  assert.deepEqual(doc.Config.Cmd, ['/bin/sh']);
  assert.deepEqual(doc.Config.Env, ['FOO=bar']);
  assert.equal(doc.Os, 'linux');
  assert.equal(doc.RootFS.Type, 'layers');
  assert.equal(doc.RootFS.Layers.length, 1);
  assert.equal(doc.Comment, 'first');
  assert.ok(doc.Size > 500_000, `size ${doc.Size}`);
  assert.equal(doc.GraphDriver.Name, 'overlay');
  assert.ok(existsSync(join(doc.GraphDriver.Data.UpperDir, 'bin/busybox')));
});

test('images lists names in docker columns, -q, --format and json', () => {
  const table = ok(['images']);
  const [header, row] = table.trimEnd().split('\n');
  assert.match(header!, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
  assert.match(row!, /^busybox\s+test\s+[a-f0-9]{12}\s+(Less than a second|\d+ seconds?) ago\s+[\d.]+MB$/);
  assert.match(ok(['images', '-q']).trim(), /^[a-f0-9]{12}$/);
  assert.equal(ok(['images', '--format', '{{.Repository}}:{{.Tag}}']).trim(), 'busybox:test');
  const j = JSON.parse(ok(['images', '--format', 'json']).trim().split('\n')[0]!);
  assert.equal(j.Repository, 'busybox');
  assert.equal(ok(['images', '--format', 'table {{.ID}}']).split('\n')[0]!.trim(), 'IMAGE ID');
});

test('tag adds names; rmi of one name only untags', () => {
  ok(['tag', 'busybox:test', 'localhost:5000/tools/bb:1', 'other']);
  const names = ok(['images', '--format', '{{.Repository}}:{{.Tag}}']).trim().split('\n').sort();
  assert.deepEqual(names, ['busybox:test', 'localhost:5000/tools/bb:1', 'other:latest']);
  assert.equal(ok(['rmi', 'other']).trim(), 'Untagged: other:latest');
  assert.equal(ok(['image', 'ls', '-q']).trim().split('\n').length, 1);
});

test('rmi by ID with several names needs -f', () => {
  const id = ok(['images', '-q']).trim().split('\n')[0]!;
  const r = env.run(['rmi', id]);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /^Error: .*must be forced.*referenced in multiple repositories/);
});

test('history shows the import step', () => {
  const out = ok(['history', 'busybox:test']);
  assert.match(out.split('\n')[0]!, /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
  assert.match(out, /skiff import/);
});

test('save (docker-archive and oci-archive) then rmi and load restores the image', () => {
  const id = JSON.parse(ok(['image', 'inspect', 'busybox:test']))[0].Id;
  const docker = join(env.dir, 'bb-docker.tar');
  const oci = join(env.dir, 'bb-oci.tar');
  ok(['save', '-o', docker, 'busybox:test']);
  ok(['save', '--format', 'oci-archive', '-o', oci, 'busybox:test']);
  ok(['rmi', '-f', id]);
  assert.equal(ok(['images', '-q']).trim(), '');
  assert.match(ok(['load', '-i', docker]), /Loaded image: busybox:test/);
  assert.equal(JSON.parse(ok(['image', 'inspect', 'busybox:test']))[0].Id, id);
  ok(['rmi', 'busybox:test']);
  assert.match(ok(['load', '-i', oci]), /Loaded image: busybox:test/);
  assert.equal(JSON.parse(ok(['image', 'inspect', 'busybox:test']))[0].Id, id);
});

test('engine errors exit 125 with Error: and no stack trace', () => {
  for (const args of [['image', 'inspect', 'nope'], ['tag', 'busybox:test', 'bad/UPPER'], ['rmi', 'missing:tag']]) {
    const r = env.run(args);
    assert.equal(r.code, 125, args.join(' '));
    assert.match(r.stderr, /^Error: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  const bad = env.run(['images', '--bogus-flag']);
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /^Error: unknown option/);
});

test('every verb has --help with an example', () => {
  for (const verb of [['images'], ['image', 'ls'], ['rmi'], ['import'], ['save'], ['load'], ['tag'], ['history'], ['system', 'df'], ['image', 'prune']]) {
    const r = env.run([...verb, '--help']);
    assert.equal(r.code, 0, verb.join(' '));
    assert.match(r.stdout, /Examples:\n\s+skiff /, verb.join(' '));
  }
});

test('completion scripts are generated', () => {
  assert.match(ok(['completion', 'bash']), /complete -o default -F _skiff skiff/);
  assert.match(ok(['completion', 'fish']), /complete -c skiff/);
  assert.match(ok(['completion', 'zsh']), /#compdef skiff/);
});

test('image prune removes dangling images and leaves no orphan blobs', () => {
  ok(['import', tar]);
  assert.equal(ok(['images', '--filter', 'dangling=true', '-q']).trim().split('\n').length, 1);
  ok(['image', 'prune', '-f']);
  assert.equal(ok(['images', '--filter', 'dangling=true', '-q']).trim(), '');
  ok(['image', 'prune', '-a', '-f']);
  assert.deepEqual(readdirSync(join(env.root, 'content/blobs/sha256')), []);
  assert.deepEqual(readdirSync(join(env.root, 'overlay')).filter((d) => d !== 'l'), []);
});
