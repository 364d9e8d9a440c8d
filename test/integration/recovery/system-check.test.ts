// system check: reports what a killed command left (exit 125, text and JSON), --repair undoes
// it (exit 0), and the next check is clean.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE } from '../containers/fixtures.js';
import { netEnv, type NetEnv } from '../network/fixtures.js';
import { assertConsistent } from './state-check.js';

let env: NetEnv;

before(() => {
  env = netEnv('skiff-check-');
});
after(() => env.teardownNet());

interface Finding {
  kind: string;
  name: string;
  problem: string;
  repaired: boolean;
}

test('system check finds a killed start, a directory without its container and a volume directory without its volume; --repair fixes them', () => {
  const killed = env.run(['run', '-d', '--name', 'k', IMAGE, 'sleep', '300'], { env: { SKIFF_TEST_CRASH_AT: 'start:created' } });
  assert.equal(killed.code, 128, `run -d was killed: ${killed.stderr}`);
  const id = env.track(env.ok(['inspect', '-f', '{{.Id}}', 'k']));
  const stray = join(env.root, 'containers', 'f'.repeat(64));
  mkdirSync(join(stray, 'userdata'), { recursive: true });
  mkdirSync(join(env.root, 'volumes', 'ghost', '_data'), { recursive: true });
  writeFileSync(join(env.root, 'volumes', 'ghost', '_data', 'old'), 'left by an rm that was killed');

  const text = env.run(['system', 'check']);
  assert.equal(text.code, 125, text.stderr);
  assert.match(text.stdout, new RegExp(`^found: container ${id.slice(0, 12)}: not running but holds conmon \\d+, network state .*netns skiff-${id}.*rootfs mount.*lease`, 'm'));
  assert.match(text.stdout, new RegExp(`^found: directory ${stray}: container directory without a container$`, 'm'));
  assert.match(text.stdout, /^found: volume ghost: directory without a volume$/m);
  assert.match(text.stderr, /^Error: problems found; run with --repair to fix them/);

  const json = env.run(['system', 'check', '--format', 'json']);
  assert.equal(json.code, 125);
  const doc = JSON.parse(json.stdout) as { Errors: boolean; Findings: Finding[] };
  assert.equal(doc.Errors, true);
  assert.deepEqual(doc.Findings.map((f) => f.kind).sort(), ['container', 'directory', 'volume']);

  const repair = env.run(['system', 'check', '--repair', '--format', 'json']);
  assert.equal(repair.code, 0, repair.stderr);
  const repaired = JSON.parse(repair.stdout) as { Errors: boolean; Findings: Finding[] };
  assert.equal(repaired.Errors, false);
  assert.ok(repaired.Findings.every((f) => f.repaired));
  assert.ok(!existsSync(stray));
  assert.ok(!existsSync(join(env.root, 'volumes', 'ghost')));
  assertConsistent(env, 'after repair');

  const clean = env.run(['system', 'check']);
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  assert.equal(clean.stdout, 'No problems found\n');
  // The victim starts as if nothing happened, and a volume of the stray's name starts empty.
  env.ok(['start', 'k']);
  assert.equal(env.ok(['run', '--rm', '-v', 'ghost:/data', IMAGE, 'ls', '/data']), '');
  env.ok(['rm', '-f', 'k']);
  env.ok(['volume', 'rm', 'ghost']);
});
